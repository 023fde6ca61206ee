"""What the site holds about one email address: handed over on request, or taken away.

A reader may ask what a blog knows of them (GDPR article 15) and that it forget them (article 17).
Both go by the address, since a guest has nothing else: every comment written under it, as a guest or
from an account that has it. Forgetting keeps the thread readable: the comments stay in place, under
"Anonymous", with no address, website, IP or browser left; their text stays too unless erasing it is
asked, since the replies under a comment often quote it. Every proof of the address is revoked, so a
browser that still holds one is trusted no more. The revocation itself is the one thing kept about the
address (``identity.models.Address``): without it, a proof issued before would count again.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from pnyx.identity.models import Address, revoke
from pnyx.outbox.models import Subscription

from .fragments import meta_rerendered
from .models import Comment, CommentEvent, CommentQuerySet, same_email

ERASED = "This comment was erased at its author's request."
"""What an erased comment says in its place (stored, so every page and feed shows the same)."""


def comments_of(email: str) -> CommentQuerySet:
    """Every comment written under ``email``: as a guest, or from an account with that address."""
    email = email.strip()
    return Comment.objects.filter(same_email(email) | Q(user__email__iexact=email))


def address_export(*, email: str) -> dict:
    """All this site holds about ``email``, as one JSON-ready dict (comments in the order written)."""
    comments = (
        comments_of(email).select_related("thread", "user").prefetch_related("events").order_by("created_at", "pk")
    )
    address = Address.objects.of(email).first()
    return {
        "email": email.strip(),
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": c.pk,
                "page": c.thread.path,
                "title": c.thread.title,
                "in_reply_to": c.parent_id,
                "written_at": c.created_at.isoformat(),
                "status": c.status,
                "account": c.user.get_username() if c.user is not None else None,
                "name": c.author_name,
                "email": c.author_email,
                "website": c.author_url,
                "ip": c.ip,
                "user_agent": c.user_agent,
                "text": c.body,
                "history": [
                    {
                        "at": e.at.isoformat(),
                        "from": e.old_status or None,
                        "to": e.new_status,
                        "what": e.what,
                        **({"text_before": e.old_body} if e.old_body else {}),
                    }
                    for e in c.events.all()
                ],
            }
            for c in comments
        ],
        "subscriptions": [
            {
                "topic": s.topic_key,
                "title": str(s.topic) if s.topic is not None else ("new posts" if s.topic_type_id is None else None),
                "since": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            }
            for s in Subscription.objects.filter(email=email.strip().lower())
        ],
        "address": None
        if address is None
        else {
            "proofs_revoked_at": address.revoked_at.isoformat() if address.revoked_at else None,
            "confirmation_last_sent_at": address.confirmation_sent_at.isoformat()
            if address.confirmation_sent_at
            else None,
        },
    }


@dataclass(frozen=True)
class Forgotten:
    comments: int
    erased: bool


def address_forget(*, email: str, erase_text: bool = False) -> Forgotten:
    """Anonymize every comment of ``email`` (and erase its text if asked), revoke the address's proofs,
    and end its subscriptions.

    Accounts are left alone: a comment written from one is no longer linked to it, and removing the
    account itself is the account's own business (allauth's pages, or the admin).
    """
    email = email.strip()
    changed, threads = [], set()
    with transaction.atomic():
        # Only the comments' rows are locked: PostgreSQL refuses FOR UPDATE on the outer join to accounts.
        for comment in comments_of(email).select_for_update(of=("self",)).select_related("user"):
            comment.user = None
            comment.author_name = comment.author_email = comment.author_url = comment.user_agent = ""
            comment.ip = None
            fields = ["user", "author_name", "author_email", "author_url", "ip", "user_agent"]
            if erase_text:
                comment.body = gettext(ERASED)
                fields.append("body")
            comment.save(update_fields=fields)  # renders the stored name and text again
            changed.append(comment.pk)
            threads.add(comment.thread_id)
        # The history goes with the comment: the author's own steps no longer name their account, and
        # erasing the text erases the texts an edit kept.
        history = CommentEvent.objects.filter(comment_id__in=changed)
        history.filter(via=Comment.Via.AUTHOR).update(actor=None)
        if erase_text:
            history.update(old_body="")
        revoke(email)
        Address.objects.of(email).update(confirmation_sent_at=None)
        Subscription.objects.filter(email=email.lower()).delete()
        if threads:  # the pages showing them are rendered again once this commits (pnyx.freshness)
            meta_rerendered.send(sender=Comment, thread_ids=sorted(threads))
    return Forgotten(comments=len(changed), erased=erase_text)


def accounts_with(email: str) -> list[str]:
    """The accounts that have ``email``: left in place by ``address_forget``, so staff are told of them."""
    users = get_user_model().objects.filter(email__iexact=email.strip())
    return list(users.values_list(get_user_model().USERNAME_FIELD, flat=True))

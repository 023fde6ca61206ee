"""The outbox's pages: one-click unsubscribe, following the blog, confirming a subscription, and the
page where an address manages all its mail.

A link from a mail only opens a page; only a POST acts, so a link scanner that opens every link in a
mail changes nothing. Pages reached by a signed link need no CSRF token: the link is the proof (and, for
unsubscribe, it is what a mail program's own button sends: RFC 8058, ``List-Unsubscribe=One-Click``).
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from pnyx.origin import is_same_origin

from .models import Reason, Subscription, Unsubscribe
from .subscriptions import (
    account_address,
    manage_link_send,
    read_confirm_token,
    subscription_add,
    subscription_confirm,
    subscription_end,
)
from .unsubscribe import (
    address_resubscribe,
    address_unsubscribe,
    manage_token,
    read_manage_token,
    read_unsubscribe_token,
)

TOPIC = "topic:"

READER_REASONS = [Reason.REPLY, Reason.FOLLOW, Reason.NEW_POST, Reason.APPROVED, Reason.NEW_COMMENT, Reason.HELD]
"""What the management page lists: every kind of mail a reader, a writer or a moderator may get."""


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "size": 30}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.com."),
        },
    )


@csrf_exempt
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    proven = read_unsubscribe_token(token)
    if proven is None:
        return render(request, "outbox/unsubscribe.html", {"invalid": True}, status=410)
    email, reason = proven
    if reason.startswith(TOPIC):
        label = _("news you subscribed to")
    else:
        label = Reason(reason).label if reason in Reason.values else reason
    context = {"email": email, "reason": label}
    if request.method != "POST":
        return render(request, "outbox/unsubscribe.html", context)
    everything = request.POST.get("what") == "all"
    if everything:
        address_unsubscribe(email=email, reason=Unsubscribe.ALL)
    elif reason.startswith(TOPIC):
        subscription_end(email=email, key=reason.removeprefix(TOPIC))
    else:
        address_unsubscribe(email=email, reason=reason)
    return render(request, "outbox/unsubscribe.html", {**context, "done": True, "everything": everything})


# A form that a cached page (the footer of every page) may hold too: no per-visitor token, so the Origin /
# Sec-Fetch-Site check guards it, as for the comment form (pnyx/origin.py).
@csrf_exempt
@never_cache
def subscribe(request: HttpRequest) -> HttpResponse:
    """ "Notify me of new posts by email", on its own page: works without JavaScript and without an account."""
    if request.method != "POST":
        return render(request, "outbox/subscribe.html", {"form": AddressForm()})
    if not is_same_origin(request):
        return render(request, "outbox/subscribe.html", {"form": AddressForm(), "refused": True}, status=403)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return render(request, "outbox/subscribe.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    own, verified = account_address(request.user) if request.user.is_authenticated else ("", False)
    proven = verified and own.lower() == email.strip().lower()
    subscription = subscription_add(email=email, topic=None, proven=proven)
    done = "subscribed" if subscription.confirmed_at else "check-inbox"
    return render(request, "outbox/subscribe.html", {"done": done, "email": email})


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link: GET shows what waits and a button; the POST confirms all of it."""
    email = read_confirm_token(token)
    if email is None:
        return render(request, "outbox/confirm.html", {"invalid": True}, status=410)
    if request.method == "POST":
        subscription_confirm(email=email)
        return redirect("outbox:manage", token=manage_token(email))
    waiting = [_entry(s) for s in Subscription.objects.filter(email=email, confirmed_at__isnull=True)]
    return render(request, "outbox/confirm.html", {"email": email, "waiting": waiting})


@never_cache
def manage_request(request: HttpRequest) -> HttpResponse:
    """A reader types their address and gets the link to their management page by mail. The answer is
    the same whether the address is known or not: this page tells nobody who gets mail here."""
    if request.method != "POST":
        return render(request, "outbox/manage_request.html", {"form": AddressForm()})
    form = AddressForm(request.POST)
    if not form.is_valid():
        return render(request, "outbox/manage_request.html", {"form": form}, status=400)
    manage_link_send(email=form.cleaned_data["email"])
    return render(request, "outbox/manage_request.html", {"sent": True, "email": form.cleaned_data["email"]})


def _entry(subscription: Subscription) -> dict:
    topic = subscription.topic
    if subscription.topic_type_id is None:
        title, url = _("New posts on this blog"), "/"
    else:
        title = str(topic) if topic is not None else _("(no longer here)")
        url = topic.get_absolute_url() if topic is not None and hasattr(topic, "get_absolute_url") else ""
    return {"key": subscription.topic_key, "title": title, "url": url, "confirmed": subscription.confirmed_at}


@csrf_exempt
@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Everything an address is mailed for: its subscriptions, each kind of mail on or off, and all off."""
    email = read_manage_token(token)
    if email is None:
        return render(request, "outbox/manage.html", {"invalid": True}, status=410)
    if request.method == "POST":
        _manage_act(email, request.POST)
        return redirect("outbox:manage", token=token)
    off = set(Unsubscribe.objects.filter(email=email).values_list("reason", flat=True))
    context = {
        "email": email,
        "subscriptions": [_entry(s) for s in Subscription.objects.filter(email=email)],
        "reasons": [{"value": r.value, "label": r.label, "on": r.value not in off} for r in READER_REASONS],
        "all_off": Unsubscribe.ALL in off,
    }
    return render(request, "outbox/manage.html", context)


def _manage_act(email: str, data) -> None:
    if key := data.get("stop"):
        subscription_end(email=email, key=key)
    if (reason := data.get("off")) in Reason.values:
        address_unsubscribe(email=email, reason=reason)
    if (reason := data.get("on")) in Reason.values:
        address_resubscribe(email=email, reason=reason)
    if data.get("all") == "off":
        Subscription.objects.filter(email=email).delete()
        address_unsubscribe(email=email, reason=Unsubscribe.ALL)
    elif data.get("all") == "on":
        address_resubscribe(email=email, reason=Unsubscribe.ALL)

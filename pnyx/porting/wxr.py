"""WordPress eXtended RSS (WXR 1.0, 1.1, 1.2): authors, terms, posts, pages and every comment.

The file is read as a stream: each ``<item>`` is handled and dropped as soon as it is complete. A post
is known by ``wxr:<site>:post:<id>`` and a comment by ``wxr:<site>:comment:<id>``, so importing the same
export again adds nothing, and a newer export adds only what is new.
"""

import html
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

import nh3
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment, Thread

from . import legacy
from .comments import CommentWriter, ip_or_none
from .content import comment_text, post_body
from .report import PortingError, Report
from .xmlstream import Progress, events, local_name

NAME = "WordPress export (WXR)"
VERSIONS = ("1.0", "1.1", "1.2")

_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.[0-9]+/(excerpt/)?$")
_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}

POST_STATUS = {
    "publish": Post.Status.PUBLISHED,
    "future": Post.Status.SCHEDULED,
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.PENDING,
    "private": Post.Status.PRIVATE,
}
SKIPPED_STATUS = {
    "trash": "posts in WordPress's trash",
    "auto-draft": "auto-drafts (never written)",
    "inherit": "revisions",
}
SKIPPED_TYPES = {
    "attachment": "attachments (fetched with --media; otherwise posts keep linking to them where they are)",
    "nav_menu_item": "menu items (pnyx builds its own navigation)",
    "revision": "revisions (only the latest text is imported)",
}
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_KIND = {"pingback": Comment.Kind.PINGBACK, "trackback": Comment.Kind.TRACKBACK}


def detect(head: bytes) -> bool:
    return b"<rss" in head and b"wordpress.org/export/" in head


def tag_name(tag: str) -> str:
    """``wp:post_id`` for the element whatever WXR version's namespace URI it is in.

    Elements whose prefix is bound to some other namespace keep their full ``{uri}name`` and so are
    never mistaken for WordPress fields.
    """
    namespace, name = local_name(tag)
    if not namespace:
        return name
    if match := _WP_NAMESPACE.match(namespace):
        return f"{'excerpt' if match.group(1) else 'wp'}:{name}"
    if prefix := _PREFIXES.get(namespace):
        return f"{prefix}:{name}"
    return tag


def import_file(path: Path, *, report: Report, progress: Progress | None = None) -> None:
    """Import the WXR file at ``path``; raises PortingError naming the first problem found, before writing anything.

    The file is read twice: once to check all of it, then to write it in short transactions (one per
    post, one per batch of comments), so readers can post comments while a long import runs.
    """
    highest = check(path, progress=progress)
    _WxrImport(path, report, highest_comment_id=highest).run(progress)


def check(path: Path, *, progress: Progress | None = None) -> int:
    """Read the whole file as the import does, writing nothing: PortingError at the first problem, else the
    largest comment id in it (0 if none)."""
    highest = items = 0
    for name, element in _channel(path, progress):
        if name == "item":
            items += 1
            fields, _categories, comments = _item_parts(element)
            if _skip_reason(fields) is None:
                where = _where(items, fields)
                _ref("", fields, path=path, where=where)
                highest = max([highest, *_comment_ids(comments, path=path, where=where)])
    return highest


def _channel(path: Path, progress: Progress | None) -> Iterator[tuple[str, ET.Element]]:
    """The channel's children, each with its WXR name, once complete; PortingError where the file is not
    a WordPress export of a version pnyx reads."""
    depth = 0
    channel: ET.Element | None = None
    version: str | None = None
    for event, element in events(path, progress=progress):
        if event == "start":
            depth += 1
            if depth == 1 and tag_name(element.tag) != "rss":
                raise PortingError(f"{path.name}: the root element is <{element.tag}>, not a WXR <rss>.")
            if depth == 2:
                channel = element
            continue
        if depth == 3 and channel is not None:
            name = tag_name(element.tag)
            if name == "wp:wxr_version":
                version = (element.text or "").strip()
                if version not in VERSIONS:
                    raise PortingError(
                        f"{path.name}: <wp:wxr_version> is {version!r}; pnyx reads WXR {', '.join(VERSIONS)}."
                    )
            elif name == "item" and version is None:
                raise PortingError(
                    f"{path.name}: no <wp:wxr_version> before the first <item>; this is not a WordPress export."
                )
            yield name, element
            channel.clear()
        depth -= 1
    if version is None:
        raise PortingError(f"{path.name}: no <wp:wxr_version> in the channel; this is not a WordPress export.")


def site_address(addresses: dict[str, str]) -> str:
    """The blog's own address, from the channel's fields before the first item.

    It names the blog in every import reference, so that two blogs imported into one pnyx never mistake
    each other's post 12 for their own.
    """
    a = addresses
    return a.get("wp:base_blog_url") or a.get("wp:base_site_url") or a.get("link", "")


def _skip_reason(fields: dict[str, str]) -> str | None:
    """Why an item is not imported (an attachment, a revision …), or None for a post or page to import."""
    post_type = fields.get("wp:post_type", "post")
    if post_type not in ("post", "page"):
        return SKIPPED_TYPES.get(post_type, f"items of type {post_type!r} (not a post or page)")
    return SKIPPED_STATUS.get(fields.get("wp:status", "publish"))


def _where(number: int, fields: dict[str, str]) -> str:
    """How an error names an item: its place among the items, and its title."""
    title = _plain(fields.get("title", ""))
    return f"item {number} ({title!r})" if title else f"item {number}"


def _ref(site: str, fields: dict[str, str], *, path: Path, where: str) -> str:
    """The import reference a post is known by: its WordPress id, else its GUID or link."""
    wp_id = fields.get("wp:post_id", "").strip()
    # Hand-written exports may lack the id; the GUID (or the link) is then what stays stable.
    if wp_id.isdigit():
        ref = f"wxr:{site}:post:{wp_id}"
    elif identity := (fields.get("guid") or fields.get("link") or "").strip():
        ref = f"wxr:{site}:guid:{identity}"
    else:
        raise PortingError(f"{path.name}: {where} has no <wp:post_id>, <guid> or <link> to know it by.")
    return ref[:300]


def _comment_ids(comments: list[dict[str, str]], *, path: Path, where: str) -> list[int]:
    ids = [c.get("wp:comment_id", "").strip() for c in comments]
    if not all(i.isdigit() for i in ids):
        raise PortingError(
            f"{path.name}: {where} has a comment without a numeric <wp:comment_id>, so it cannot be imported."
        )
    return [int(i) for i in ids]


class _WxrImport:
    def __init__(self, path: Path, report: Report, *, highest_comment_id: int) -> None:
        self.path = path
        self.report = report
        self.addresses: dict[str, str] = {}
        self.site = ""
        self.authors: dict[str, object] = {}
        self.authors_by_wp_id: dict[str, object] = {}
        self.authors_by_email: dict[str, object] = {}
        self.terms: dict[tuple[str, str], Term] = {}
        self.term_parents: list[tuple[Term, str]] = []
        self.writer = CommentWriter(report)
        self.writer.reserve(highest_comment_id)
        self.items = 0

    def run(self, progress: Progress | None) -> None:
        for name, element in _channel(self.path, progress):
            self.channel_element(name, element)
        self.finish()

    def channel_element(self, name: str, element: ET.Element) -> None:
        text = (element.text or "").strip()
        if name in ("wp:base_blog_url", "wp:base_site_url", "link"):
            self.addresses[name] = text.rstrip("/")
        elif name == "wp:author":
            self.author(_fields(element))
        elif name in ("wp:category", "wp:tag", "wp:term"):
            self.declared_term(name, _fields(element))
        elif name == "item":
            self.items += 1
            if self.items == 1:
                self.site = site_address(self.addresses)
            self.item(element)

    # Authors -------------------------------------------------------------------------------------

    def author(self, fields: dict[str, str]) -> object | None:
        login = fields.get("wp:author_login", "").strip()
        if not login:
            return None
        user = self.user(
            login,
            email=fields.get("wp:author_email", ""),
            first_name=fields.get("wp:author_first_name", ""),
            last_name=fields.get("wp:author_last_name", ""),
            display_name=fields.get("wp:author_display_name", ""),
        )
        if wp_id := fields.get("wp:author_id", "").strip():
            self.authors_by_wp_id[wp_id] = user
        if user.email:
            self.authors_by_email[user.email.lower()] = user
        return user

    def user(self, login: str, *, email: str = "", first_name: str = "", last_name: str = "", display_name: str = ""):
        """The user for a WordPress login: the one already here, or a new one who cannot sign in yet."""
        login = login[:150]
        if login in self.authors:
            return self.authors[login]
        User = get_user_model()
        user = User.objects.filter(username=login).first()
        if user is None:
            if not first_name and not last_name and display_name != login:
                first_name = display_name
            user = User(
                username=login,
                email=email.strip()[:254],
                first_name=_plain(first_name)[:150],
                last_name=_plain(last_name)[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            self.report.created["authors"] += 1
        else:
            self.report.existing["authors"] += 1
        self.authors[login] = user
        return user

    # Terms ---------------------------------------------------------------------------------------

    def declared_term(self, name: str, fields: dict[str, str]) -> None:
        if name == "wp:category":
            taxonomy, slug, label = "category", fields.get("wp:category_nicename"), fields.get("wp:cat_name")
            parent, description = fields.get("wp:category_parent", ""), fields.get("wp:category_description", "")
        elif name == "wp:tag":
            taxonomy, slug, label = "post_tag", fields.get("wp:tag_slug"), fields.get("wp:tag_name")
            parent, description = "", fields.get("wp:tag_description", "")
        else:
            taxonomy, slug, label = (
                fields.get("wp:term_taxonomy"),
                fields.get("wp:term_slug"),
                fields.get("wp:term_name"),
            )
            parent, description = fields.get("wp:term_parent", ""), fields.get("wp:term_description", "")
        if taxonomy not in ("category", "post_tag"):
            self.report.skipped[f"terms of taxonomy {taxonomy!r} (only categories and tags are imported)"] += 1
            return
        term = self.term(taxonomy, slug or "", label or "", description=description)
        if term is not None and parent.strip():
            self.term_parents.append((term, _slug(parent)))

    def term(self, taxonomy: str, slug: str, label: str, *, description: str = "") -> Term | None:
        kind = Term.Taxonomy.CATEGORY if taxonomy == "category" else Term.Taxonomy.TAG
        label = _plain(label)
        slug = _slug(slug) or slugify(label, allow_unicode=True)[:200]
        if not slug:
            return None
        key = (kind, slug)
        if key not in self.terms:
            term, created = Term.objects.get_or_create(
                taxonomy=kind, slug=slug, defaults={"name": label[:200] or slug, "description": _plain(description)}
            )
            self.report.created["terms"] += created
            self.report.existing["terms"] += not created
            self.terms[key] = term
        return self.terms[key]

    # Posts ---------------------------------------------------------------------------------------

    def item(self, element: ET.Element) -> None:
        """One post or page. The writes are one short transaction; the work around them (the body's HTML,
        authors, terms) is done before it, as on SQLite a transaction keeps every reader's comment waiting."""
        fields, categories, comments = _item_parts(element)
        if reason := _skip_reason(fields):
            self.report.skipped[reason] += 1
            return
        post_type = fields.get("wp:post_type", "post")
        wp_id = fields.get("wp:post_id", "").strip()
        ref = _ref(self.site, fields, path=self.path, where=_where(self.items, fields))
        links = [fields.get("link", "")]
        if wp_id.isdigit():
            links.append(f"/?{'page_id' if post_type == 'page' else 'p'}={wp_id}")
        post = Post.objects.filter(import_ref=ref).first()
        if post is None:
            post = self.new_post(fields, categories, ref=ref, post_type=post_type, links=links)
        else:
            self.report.existing[f"{post_type}s"] += 1
            legacy.remember(post, links)
        self.comments(post, comments)

    def new_post(self, fields: dict[str, str], categories, *, ref: str, post_type: str, links: list[str]) -> Post:
        title = _plain(fields.get("title", ""))
        status = fields.get("wp:status", "publish")
        body = post_body(fields.get("content:encoded", ""))
        self.report.notes.update(body.notes)
        post_status = POST_STATUS.get(status, Post.Status.DRAFT)
        if status not in POST_STATUS:
            self.report.notes[f"posts with status {status!r} imported as drafts"] += 1
        creator = fields.get("dc:creator", "").strip()
        post = Post(
            kind=Post.Kind.PAGE if post_type == "page" else Post.Kind.POST,
            title=title[:300],
            slug=_free_slug(_slug(fields.get("wp:post_name", "")) or slugify(title, allow_unicode=True) or post_type),
            standfirst=_plain(fields.get("excerpt:encoded", "")),
            body=body.html,
            body_format=Post.BodyFormat.HTML,
            author=self.user(creator) if creator else None,
            status=post_status,
            published_at=_date(fields.get("wp:post_date_gmt"), fields.get("wp:post_date"), fields.get("pubDate")),
            import_ref=ref,
            guid=fields.get("guid", "").strip()[:500],
            is_sticky=fields.get("wp:is_sticky", "").strip() == "1",
            password=fields.get("wp:post_password", "")[:100],
        )
        terms = [self.term(taxonomy, slug, label) for taxonomy, slug, label in categories]
        with transaction.atomic():
            post.save()
            if fields.get("wp:comment_status", "open") != "open":
                Thread.objects.filter(post=post).update(is_open=False)
            post.terms.set([t for t in terms if t is not None])
            legacy.remember(post, links)
        self.report.created[f"{post_type}s"] += 1
        return post

    # Comments ------------------------------------------------------------------------------------

    def comments(self, post: Post, raw: list[dict[str, str]]) -> None:
        """Add the comments of ``post`` not imported before, each after its parent."""
        if not raw:
            return
        thread = Thread.objects.for_post(post)
        prefix = f"wxr:{self.site}:comment:"
        known: dict[str, Comment] = {}
        if thread.comments.exists():
            for comment in thread.comments.filter(import_ref__startswith=prefix).only(
                "id", "path", "depth", "import_ref"
            ):
                known[comment.import_ref[len(prefix) :]] = comment
        fresh = [c for c in raw if c.get("wp:comment_id", "").strip() not in known]
        self.report.existing["comments"] += len(raw) - len(fresh)
        self.writer.expect(int(c["wp:comment_id"]) for c in fresh if c.get("wp:comment_id", "").strip().isdigit())
        for fields in _parents_first(fresh):
            source_id = fields["wp:comment_id"].strip()  # numeric: ``check`` has seen every one
            parent_id = fields.get("wp:comment_parent", "0").strip()
            parent = known.get(parent_id) if parent_id not in ("", "0") else None
            if parent is None and parent_id not in ("", "0"):
                self.report.notes["replies whose parent is not in the file (shown as top-level comments)"] += 1
            comment = self.comment(thread, fields, parent=parent, ref=f"{prefix}{source_id}")
            self.writer.add(comment, source_id=int(source_id))
            known[source_id] = comment

    def comment(self, thread: Thread, fields: dict[str, str], *, parent: Comment | None, ref: str) -> Comment:
        approved = fields.get("wp:comment_approved", "1").strip()
        status = COMMENT_STATUS.get(approved, Comment.Status.PENDING)
        kind = COMMENT_KIND.get(fields.get("wp:comment_type", "").strip(), Comment.Kind.COMMENT)
        email = fields.get("wp:comment_author_email", "").strip()
        user_id = fields.get("wp:comment_user_id", "0").strip()
        user = None
        if user_id not in ("", "0"):
            user = self.authors_by_wp_id.get(user_id) or self.authors_by_email.get(email.lower())
        return Comment(
            thread=thread,
            parent=parent,
            kind=kind,
            user=user,
            author_name=_plain(fields.get("wp:comment_author", "")),
            author_email=email,
            author_url=fields.get("wp:comment_author_url", ""),
            body=comment_text(fields.get("wp:comment_content", "")),
            status=status,
            status_reason=f"imported from WordPress (comment_approved={approved})",
            ip=ip_or_none(fields.get("wp:comment_author_IP", "")),
            created_at=_date(fields.get("wp:comment_date_gmt"), fields.get("wp:comment_date")),
            import_ref=ref,
        )

    def finish(self) -> None:
        for term, parent_slug in self.term_parents:
            parent = self.terms.get((term.taxonomy, parent_slug))
            if parent is not None and parent.pk != term.pk and term.parent_id is None:
                term.parent = parent
                term.save(update_fields=["parent"])
        self.writer.finish()


def _fields(element: ET.Element) -> dict[str, str]:
    return {tag_name(child.tag): child.text or "" for child in element}


def _item_parts(element: ET.Element) -> tuple[dict[str, str], list[tuple[str, str, str]], list[dict[str, str]]]:
    fields: dict[str, str] = {}
    categories: list[tuple[str, str, str]] = []
    comments: list[dict[str, str]] = []
    for child in element:
        name = tag_name(child.tag)
        if name == "category":
            domain = child.get("domain", "")
            if domain in ("category", "post_tag"):
                categories.append((domain, child.get("nicename", ""), child.text or ""))
        elif name == "wp:comment":
            comments.append(_fields(child))
        elif name != "wp:postmeta":
            fields[name] = child.text or ""
    return fields, categories, comments


def _parents_first(comments: list[dict[str, str]]) -> list[dict[str, str]]:
    """Comments ordered so that each comes after its parent (WordPress may list a reply first)."""
    by_id = {c.get("wp:comment_id", "").strip(): c for c in comments}
    children: dict[str, list[dict[str, str]]] = defaultdict(list)
    roots = []
    for comment in comments:
        parent = comment.get("wp:comment_parent", "0").strip()
        if parent in by_id and parent != comment.get("wp:comment_id", "").strip():
            children[parent].append(comment)
        else:
            roots.append(comment)
    ordered: list[dict[str, str]] = []
    stack = list(reversed(roots))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.pop(comment.get("wp:comment_id", "").strip(), [])))
    # A parent loop (never written by WordPress, but possible in a hand-edited file) is cut at any point.
    for orphans in children.values():
        for comment in orphans:
            comment["wp:comment_parent"] = "0"
            ordered.append(comment)
    return ordered


def _plain(text: str) -> str:
    """Text without tags or entities, for titles, names and the standfirst."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()


def _slug(text: str) -> str:
    """WordPress stores non-ASCII slugs percent-encoded; pnyx keeps them readable."""
    return unquote((text or "").strip())[:200]


def _free_slug(slug: str) -> str:
    slug = slug[:190]
    candidate, n = slug, 2
    while Post.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _date(gmt: str | None, local: str | None, rfc822: str | None = None) -> datetime:
    """The GMT date when the file has one; the local date in this site's time zone otherwise."""
    for value, aware in ((gmt, True), (local, False)):
        try:
            parsed = datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if aware else timezone.make_aware(parsed)
    if rfc822:
        try:
            return parsedate_to_datetime(rfc822)
        except (TypeError, ValueError):
            pass
    return timezone.now()

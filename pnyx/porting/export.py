"""The whole blog as WXR 1.2, the file WordPress's own importer reads: a way out is part of the way in.

Written as a stream, one post and its comments at a time. Bodies are the rendered, sanitized HTML
readers see; comments keep their status, their parent and their author's account.
"""

import re
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from pnyx.blog.models import Post, Term
from pnyx.discussion.models import Comment

POST_STATUS = {
    Post.Status.PUBLISHED: "publish",
    Post.Status.SCHEDULED: "future",
    Post.Status.DRAFT: "draft",
    Post.Status.PRIVATE: "private",
}
COMMENT_STATUS = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text: str) -> str:
    text = _NOT_XML.sub("", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value: str) -> str:
    return escape(_NOT_XML.sub("", value or ""))


def export_wxr(out: TextIO, *, base_url: str) -> dict[str, int]:
    """Write every post, page, term, author and comment to ``out``; return how many of each."""
    base = base_url.rstrip("/")
    counts = {"posts": 0, "pages": 0, "comments": 0, "terms": 0, "authors": 0}
    out.write(_HEADER.format(title=text(settings.PNYX_SITE_NAME), base=text(base), now=_rfc822(timezone.now())))
    User = get_user_model()
    authors = User.objects.filter(Q(posts__isnull=False) | Q(comments__isnull=False)).distinct().order_by("pk")
    for user in authors:
        counts["authors"] += 1
        out.write(
            "<wp:author>"
            f"<wp:author_id>{user.pk}</wp:author_id>"
            f"<wp:author_login>{cdata(user.get_username())}</wp:author_login>"
            f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(user.get_full_name() or user.get_username())}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(user.first_name)}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata(user.last_name)}</wp:author_last_name>"
            "</wp:author>\n"
        )
    for term in Term.objects.select_related("parent").order_by("taxonomy", "pk"):
        counts["terms"] += 1
        out.write(_term(term))
    posts = Post.objects.select_related("author", "thread").prefetch_related("terms").order_by("pk")
    for post in posts.iterator(chunk_size=500):
        counts["pages" if post.kind == Post.Kind.PAGE else "posts"] += 1
        thread = getattr(post, "thread", None)  # a post saved around its signals (bulk_create) has none yet
        # Creation time, then id: the same order in every export, and again after a round trip.
        comments = list(thread.comments.select_related("user").order_by("created_at", "pk")) if thread else []
        counts["comments"] += len(comments)
        out.write(_item(post, thread.is_open if thread else True, comments, base))
    out.write("</channel>\n</rss>\n")
    return counts


_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!-- An export of a pnyx blog in WordPress eXtended RSS (WXR) 1.2. -->
<rss version="2.0"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>{title}</title>
<link>{base}</link>
<description></description>
<pubDate>{now}</pubDate>
<language>{language}</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{base}</wp:base_site_url>
<wp:base_blog_url>{base}</wp:base_blog_url>
""".replace("{language}", text(settings.LANGUAGE_CODE))


def _term(term: Term) -> str:
    parent = term.parent.slug if term.parent else ""
    if term.taxonomy == Term.Taxonomy.CATEGORY:
        return (
            f"<wp:category><wp:term_id>{term.pk}</wp:term_id>"
            f"<wp:category_nicename>{cdata(term.slug)}</wp:category_nicename>"
            f"<wp:category_parent>{cdata(parent)}</wp:category_parent>"
            f"<wp:cat_name>{cdata(term.name)}</wp:cat_name>"
            f"<wp:category_description>{cdata(term.description)}</wp:category_description></wp:category>\n"
        )
    return (
        f"<wp:tag><wp:term_id>{term.pk}</wp:term_id><wp:tag_slug>{cdata(term.slug)}</wp:tag_slug>"
        f"<wp:tag_name>{cdata(term.name)}</wp:tag_name>"
        f"<wp:tag_description>{cdata(term.description)}</wp:tag_description></wp:tag>\n"
    )


def _item(post: Post, is_open: bool, comments: list[Comment], base: str) -> str:
    kind = "page" if post.kind == Post.Kind.PAGE else "post"
    parts = [
        "<item>",
        f"<title>{cdata(post.title)}</title>",
        f"<link>{text(base + post.get_absolute_url())}</link>",
        f"<pubDate>{_rfc822(post.published_at)}</pubDate>",
        f"<dc:creator>{cdata(post.author.get_username() if post.author else '')}</dc:creator>",
        f'<guid isPermaLink="false">{text(post.feed_id)}</guid>',
        "<description></description>",
        f"<content:encoded>{cdata(_html_block(post.body_html))}</content:encoded>",
        f"<excerpt:encoded>{cdata(post.standfirst)}</excerpt:encoded>",
        f"<wp:post_id>{post.pk}</wp:post_id>",
        f"<wp:post_date>{cdata(_local(post.published_at))}</wp:post_date>",
        f"<wp:post_date_gmt>{cdata(_gmt(post.published_at))}</wp:post_date_gmt>",
        f"<wp:comment_status>{'open' if is_open else 'closed'}</wp:comment_status>",
        "<wp:ping_status>closed</wp:ping_status>",
        f"<wp:post_name>{cdata(post.slug)}</wp:post_name>",
        f"<wp:status>{POST_STATUS.get(post.status, 'draft')}</wp:status>",
        "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>",
        f"<wp:post_type>{kind}</wp:post_type>",
        "<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>",
    ]
    for term in sorted(post.terms.all(), key=lambda t: (t.taxonomy, t.slug)):
        domain = "category" if term.taxonomy == Term.Taxonomy.CATEGORY else "post_tag"
        parts.append(
            f"<category domain={quoteattr(domain)} nicename={quoteattr(term.slug)}>{cdata(term.name)}</category>"
        )
    parts += [_comment(c) for c in comments]
    parts.append("</item>\n")
    return "\n".join(parts)


def _html_block(body_html: str) -> str:
    """The body as one block-editor "Custom HTML" block, so WordPress shows it exactly as pnyx did.

    Left bare, it would be taken for classic-editor text and run through automatic paragraphs again.
    """
    return f"<!-- wp:html -->\n{body_html.strip()}\n<!-- /wp:html -->" if body_html.strip() else ""


def _comment(comment: Comment) -> str:
    kind = "comment" if comment.kind == Comment.Kind.COMMENT else comment.kind
    name = comment.author_name or (str(comment.display_name) if comment.user_id else "")
    return (
        "<wp:comment>"
        f"<wp:comment_id>{comment.pk}</wp:comment_id>"
        f"<wp:comment_author>{cdata(name)}</wp:comment_author>"
        f"<wp:comment_author_email>{cdata(comment.author_email)}</wp:comment_author_email>"
        f"<wp:comment_author_url>{cdata(comment.author_url)}</wp:comment_author_url>"
        f"<wp:comment_author_IP>{cdata(comment.ip or '')}</wp:comment_author_IP>"
        f"<wp:comment_date>{cdata(_local(comment.created_at))}</wp:comment_date>"
        f"<wp:comment_date_gmt>{cdata(_gmt(comment.created_at))}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(comment.body_html)}</wp:comment_content>"
        f"<wp:comment_approved>{COMMENT_STATUS.get(comment.status, '0')}</wp:comment_approved>"
        f"<wp:comment_type>{kind}</wp:comment_type>"
        f"<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>"
        f"<wp:comment_user_id>{comment.user_id or 0}</wp:comment_user_id>"
        "</wp:comment>"
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _rfc822(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")

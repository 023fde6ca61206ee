"""The discussion part of a post page, composed by discussion itself: ``{% discussion post %}``, and its
links in the page's head: ``{% discussion_head post %}``.

The blog knows no comment; its post template hands the post to these tags, which lay out the page of
the thread the URL asks for (``?cpage=N``) and the Leave a Reply form. For a GET the result depends on
the URL alone, never on who asks, so the page can be cached and served to anyone; a comment POST with
errors puts its bound form in the context as ``comment_form``, and the form comes back with everything
typed, on the page of the comment it answers.
"""

from html import escape

from django import template
from django.conf import settings
from django.http import Http404, HttpRequest
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from pnyx.blog.context_processors import frame_links
from pnyx.blog.models import Post
from pnyx.identity.providers import choices

from ..forms import CommentForm, blank_inputs
from ..fragments import comment_html, refresh_stale, thread_html
from ..models import Comment, Thread
from ..threads import ThreadPage, thread_page

register = template.Library()


@register.simple_tag(takes_context=True)
def discussion_head(context: template.Context, post: Post) -> SafeString:
    """The page's canonical address (page 1 is the post's own) and its neighbours, for ``<head>``."""
    page, _form = _shown(context, post)
    links = [("canonical", page.address)]
    links += [(rel, page.url(number)) for rel, number in [("prev", page.previous), ("next", page.next)] if number]
    # Plain strings escaped with html.escape (Django's escape would call it): format_html's lazy-aware
    # path is slower, and this runs on every page miss.
    head = [f'<link rel="{rel}" href="{escape(url)}">' for rel, url in links]
    if post.kind == Post.Kind.POST:
        feed = reverse("post_comments_feed", kwargs={"slug": post.slug})
        title = gettext("%(site)s » %(title)s Comments Feed") % {"site": settings.PNYX_SITE_NAME, "title": post.title}
        head.append(f'<link rel="alternate" type="application/rss+xml" title="{escape(title)}" href="{escape(feed)}">')
    return SafeString("\n".join(head))


@register.inclusion_tag("discussion/_discussion.html", takes_context=True)
def discussion(context: template.Context, post: Post) -> dict:
    page, form = _shown(context, post)
    parent_id = str(form["comment_parent"].value())
    replying_to = next(
        (i.comment for i in page.items if i.comment is not None and str(i.comment.pk) == parent_id), None
    )
    if replying_to is None and parent_id.isdigit():  # an old ?replytocom link without its page
        replying_to = page.thread.comments.public().filter(pk=parent_id).select_related("user").first()
    is_open = page.thread.accepts_comments()
    return {
        "frame": frame_links(),
        "post": post,
        "thread": page.thread,
        "page": page,
        "comments_html": thread_html(page.items, is_open=is_open, reply_query=page.reply_query),
        "form_html": _form_html(context.get("request"), page=page, form=form, replying_to=replying_to, is_open=is_open),
    }


_blank_forms: dict[tuple, SafeString] = {}


def _form_html(
    request: HttpRequest | None, *, page: ThreadPage, form: CommentForm, replying_to: Comment | None, is_open: bool
) -> str:
    """The Leave a Reply form. Left empty, as nearly every GET shows it, it is rendered once per process for
    each thread (a sixth of a short thread's cold render): it depends on the thread (open or closed now),
    the language and the ways of signing in, which are its key, and on nothing a visitor typed."""
    thread = page.thread
    values = {
        "thread": thread,
        "is_open": is_open,
        "page": page,
        "form": form,
        "inputs": form if form.is_bound else blank_inputs(form.initial["comment_parent"]),
        "replying_to": replying_to,
        "request": request,
    }
    if form.is_bound or replying_to is not None:
        return get_template("discussion/_form.html").render(values)
    key = (thread.pk, is_open, page.address, get_language(), tuple(choices(request)))
    if (html := _blank_forms.get(key)) is None:
        if len(_blank_forms) >= 2000:  # a thread's address or state changed many times: start again
            _blank_forms.clear()
        html = _blank_forms[key] = SafeString(get_template("discussion/_form.html").render(values))
    return html


@register.simple_tag
def held_comment(comment: Comment) -> SafeString:
    """A held comment as its author alone sees it, marked as awaiting moderation: the thread's markup."""
    refresh_stale([comment])
    return SafeString(comment_html(comment, awaiting=True))


def _shown(context: template.Context, post: Post) -> tuple[ThreadPage, CommentForm]:
    """The page of ``post``'s thread this request shows, and the form, worked out once for both tags
    (a template and the one it extends share the render context); 404 for a page that does not exist."""
    memo = context.render_context
    key = ("pnyx.discussion.page", post.pk)
    if key not in memo:
        request = context.get("request")
        query = request.GET if request is not None else {}
        form = context.get("comment_form") or CommentForm(
            auto_id="%s", initial={"comment_parent": _number(query.get("replytocom", ""))}
        )
        thread = post.thread  # loaded with the post by the blog's view
        number = _number(query["cpage"]) if "cpage" in query else _page_of_parent(thread, form) or 1
        page = thread_page(thread, number) if number else None
        if page is None:
            raise Http404("No such page of comments.")
        memo[key] = page, form
    return memo[key]


def _number(value: str) -> int | None:
    """A whole number from the query: ``?replytocom=ID`` opens the form as a reply when JavaScript is
    off, ``?cpage=N`` asks for page N of the thread."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _page_of_parent(thread: Thread, form: CommentForm) -> int | None:
    """A reply sent back with errors shows the page of the comment it answers."""
    if not form.is_bound or not (parent_id := str(form["comment_parent"].value() or "")).isdigit():
        return None
    path = thread.comments.public().filter(pk=parent_id).values_list("path", flat=True).first()
    return thread.page_of(path) if path else None

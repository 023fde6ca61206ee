"""Demo content for a first look: a few posts and a threaded argument, written for pnyx.

Loaded by ``pnyx demo``; loading twice changes nothing (posts are found by slug).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pnyx.blog.models import Post
from pnyx.discussion.models import Comment, Thread
from pnyx.discussion.posting import CommentBatch

POSTS = [
    {
        "slug": "the-case-for-slow-comment-threads",
        "title": "The case for slow comment threads",
        "standfirst": "Real-time chat rewards the fastest typist. A blog's comments can reward the best argument.",
        "body": (
            "Most of the web's conversation now happens in streams that scroll away within the hour. "
            "A comment thread under an essay is different: it stays put, it is read long after it is "
            "written, and a good reply can change how the next hundred readers see the piece.\n\n"
            "That only works if three things hold.\n\n"
            "1. **Readers can answer each other**, not just the author, so replies nest.\n"
            "2. **The thread stays clean** without the author spending their evenings deleting spam.\n"
            "3. **Nobody loses what they wrote** to an expired session or a login detour.\n\n"
            "None of this is new. It is just rarely done well."
        ),
        "days_ago": 2,
        "comments": [
            (
                "Maren Okafor",
                "maren@example.org",
                "https://maren.example.org",
                "Agreed on the first point. Flat threads turn every disagreement into a shouting match "
                "because nobody can tell who is answering whom.",
                [
                    (
                        "Tomasz Wierzbicki",
                        "tomasz@example.net",
                        "",
                        "Nesting has its own problem though: after four levels the column is too narrow to read "
                        "on a phone.",
                        [
                            (
                                "Maren Okafor",
                                "maren@example.org",
                                "https://maren.example.org",
                                "Which is why a depth limit matters. Past it, replies line up under the last level.",
                                [],
                            ),
                        ],
                    ),
                    (
                        "Ines Carvalho",
                        "ines@example.com",
                        "",
                        "Flat threads with quotes work fine on forums. I think it depends on the length of the "
                        "replies more than the structure.",
                        [],
                    ),
                ],
            ),
            (
                "Dev Raman",
                "dev@example.com",
                "",
                "Point three is the one I care about. I have lost more comments to login pop-ups than I have posted.",
                [],
            ),
        ],
    },
    {
        "slug": "what-a-moderator-actually-does",
        "title": "What a moderator actually does",
        "standfirst": "Mostly it is saying yes, quickly.",
        "body": (
            "People imagine moderation as deleting trolls. On a small blog it is mostly the opposite: "
            "approving a first-time commenter's perfectly reasonable note before they give up and leave.\n\n"
            "The tools should make the common case fast, and the rare ugly case possible."
        ),
        "days_ago": 5,
        "comments": [
            (
                "Ada Lindqvist",
                "ada@example.org",
                "",
                "The first comment being held is the moment most new readers decide whether to come back.",
                [],
            ),
        ],
    },
    {
        "slug": "notes-on-running-a-blog-on-one-small-box",
        "title": "Notes on running a blog on one small box",
        "standfirst": "One process, one file for the database, and no excuses.",
        "body": (
            "A personal site does not need a cluster. SQLite in write-ahead mode handles far more "
            "traffic than most blogs will ever see, and a page that is the same for every reader can be "
            "served from memory.\n\nComments on this post are closed, to show what that looks like."
        ),
        "days_ago": 9,
        "comments_open": False,
        "comments": [],
    },
]


def load_demo() -> int:
    """Create the demo posts that are not there yet; returns how many were created."""
    author, _ = get_user_model().objects.get_or_create(
        username="editor", defaults={"first_name": "Sam", "last_name": "Editor"}
    )
    created = 0
    for spec in POSTS:
        if Post.objects.filter(slug=spec["slug"]).exists():
            continue
        with transaction.atomic():
            published_at = timezone.now() - timedelta(days=spec["days_ago"])
            post = Post.objects.create(
                title=spec["title"],
                slug=spec["slug"],
                standfirst=spec["standfirst"],
                body=spec["body"],
                author=author,
                status=Post.Status.PUBLISHED,
                published_at=published_at,
            )
            thread = Thread.objects.for_post(post)
            if not spec.get("comments_open", True):
                Thread.objects.filter(pk=thread.pk).update(is_open=False)
            batch = CommentBatch()
            _add_comments(batch, thread, None, spec["comments"], published_at)
            batch.finish()
        created += 1
    return created


def _add_comments(batch: CommentBatch, thread: Thread, parent: Comment | None, specs: list, after) -> None:
    """Demo comments enter like imported ones: their status is decided here, their fields by the model."""
    for offset, (name, email, url, body, replies) in enumerate(specs, start=1):
        at = after + timedelta(hours=offset * 3)
        comment = Comment(
            thread=thread,
            parent=parent,
            author_name=name,
            author_email=email,
            author_url=url,
            body=body,
            status=Comment.Status.APPROVED,
            status_reason="demo content",
            created_at=at,
        )
        batch.add(comment)
        _add_comments(batch, thread, comment, replies, at)

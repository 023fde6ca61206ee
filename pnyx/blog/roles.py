"""The roles a blog's people have, as WordPress names them, each a group of permissions.

Created by migration (``0006_roles``) and kept in step by it; give someone a role by making them staff
and adding them to its group in the admin. What a role may do with posts is decided by the functions
below, the one home of each rule, which the admin's ``PostAdmin`` and the writer's desk (``writing``) both
call: without ``publish_post`` a post can only be a draft or wait for review; without
``edit_others_posts`` only one's own posts are listed and changed.
"""

from django.db.models import QuerySet

from .models import Post

BLOG_WRITING = ["add_post", "change_post", "view_post", "view_term", "add_term"]
# Uploading images, as WordPress's ``upload_files``: authors and editors, not contributors, who may only
# choose among the images already there.
IMAGES = ["add_image", "change_image", "view_image"]
MODERATING = ["view_comment", "change_comment", "view_thread", "change_thread"]

ROLES: dict[str, list[str]] = {
    # Everything, as a group (a superuser needs none).
    "Administrator": ["*"],
    # All posts, published by anyone; terms; comments.
    "Editor": [
        *BLOG_WRITING,
        *IMAGES,
        "delete_image",
        "delete_post",
        "publish_post",
        "edit_others_posts",
        "change_term",
        "delete_term",
        *MODERATING,
        "delete_comment",
    ],
    # Their own posts, published by themselves.
    "Author": [*BLOG_WRITING, *IMAGES, "delete_post", "publish_post"],
    # Their own posts, sent for review.
    "Contributor": ["add_post", "change_post", "view_post", "view_term", "view_image"],
    # Comments, on every post.
    "Moderator": MODERATING,
}


def edits_others(user) -> bool:
    return user.has_perm("blog.edit_others_posts")


def may_publish(user) -> bool:
    return user.has_perm("blog.publish_post")


def writable_posts(user, posts: QuerySet) -> QuerySet:
    """The posts ``user`` may list and change: everyone's for an editor, else their own."""
    return posts if edits_others(user) else posts.filter(author=user)


def may_touch(user, post) -> bool:
    """Whether ``user`` may change or delete ``post`` (None: a post not written yet)."""
    return post is None or edits_others(user) or post.author_id == user.pk


def may_upload(user) -> bool:
    return user.has_perm("media.add_image")


def allowed_statuses(user) -> list[str]:
    """The statuses ``user`` may give a post: a writer without ``publish_post`` drafts or asks for review."""
    if may_publish(user):
        return list(Post.Status.values)
    return [Post.Status.DRAFT, Post.Status.PENDING]

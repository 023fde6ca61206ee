"""The roles a blog's people have, as WordPress names them, each a group of permissions.

Created by migration (``0006_roles``) and kept in step by it; give someone a role by making them staff
and adding them to its group in the admin. What a role may do with posts is enforced by ``PostAdmin``:
without ``publish_post`` a post can only be a draft or wait for review; without ``edit_others_posts``
only one's own posts are listed and changed.
"""

BLOG_WRITING = ["add_post", "change_post", "view_post", "view_term", "add_term"]
MODERATING = ["view_comment", "change_comment", "view_thread", "change_thread"]

ROLES: dict[str, list[str]] = {
    # Everything, as a group (a superuser needs none).
    "Administrator": ["*"],
    # All posts, published by anyone; terms; comments.
    "Editor": [
        *BLOG_WRITING,
        "delete_post",
        "publish_post",
        "edit_others_posts",
        "change_term",
        "delete_term",
        *MODERATING,
        "delete_comment",
    ],
    # Their own posts, published by themselves.
    "Author": [*BLOG_WRITING, "delete_post", "publish_post"],
    # Their own posts, sent for review.
    "Contributor": ["add_post", "change_post", "view_post", "view_term"],
    # Comments, on every post.
    "Moderator": MODERATING,
}

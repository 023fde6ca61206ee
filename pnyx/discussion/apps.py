from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DiscussionConfig(AppConfig):
    name = "pnyx.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from pnyx.blog.models import Post

        from .fragments import on_user_saved
        from .lifecycle import comment_changed
        from .notifications import on_comment_changed
        from .spam.engines import on_comment_changed as tell_engines

        # The blog knows no comment: a post's thread follows the post from here.
        post_save.connect(_post_saved, sender=Post, dispatch_uid="discussion.thread_for_post")
        comment_changed.connect(on_comment_changed, dispatch_uid="discussion.notifications")
        # A moderator overruling a spam engine teaches it (Akismet's submit-spam / submit-ham).
        comment_changed.connect(tell_engines, dispatch_uid="discussion.spam_feedback")
        # A comment deleted outright (the admin's delete action) skips the lifecycle: count again.
        post_delete.connect(_comment_deleted, sender="discussion.Comment", dispatch_uid="discussion.recount")
        # A signed-in commenter's name is in their comments' stored HTML.
        post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="discussion.names_in_fragments")


def _post_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    from .models import Thread

    if not raw:
        Thread.objects.for_post(instance)


def _comment_deleted(sender, instance, **kwargs) -> None:
    from .models import Thread

    if instance.is_public:
        Thread.objects.filter(pk=instance.thread_id).recount_comments()

from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "pnyx.blog"
    verbose_name = "Blog"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from . import announce
        from .models import Post, Term

        # The blog's subscribers hear of a post when readers can first see it.
        pre_save.connect(announce.before_save, sender=Post, dispatch_uid="blog.announce.before")
        post_save.connect(announce.after_save, sender=Post, dispatch_uid="blog.announce.after")

        # Search follows every save of a post (publishing, editing, unpublishing), of its terms, and of a term.
        post_save.connect(_index, sender=Post, dispatch_uid="blog.search.post")
        post_save.connect(_index_term, sender=Term, dispatch_uid="blog.search.term")
        m2m_changed.connect(_index_terms, sender=Post.terms.through, dispatch_uid="blog.search.terms")


def _index(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        from .search import index_post

        index_post(instance)


def _index_terms(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from .models import Post
    from .search import index_post

    posts = Post.objects.filter(pk__in=pk_set or []) if reverse else [instance]
    for post in posts:
        index_post(post)


def _index_term(sender, instance, raw: bool = False, created: bool = False, **kwargs) -> None:
    if raw or created:
        return
    from .search import index_post

    for post in instance.posts.all():
        index_post(post)

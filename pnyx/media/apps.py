from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "pnyx.media"
    verbose_name = "Media"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from .models import Image

        post_delete.connect(_delete_files, sender=Image, dispatch_uid="media.delete_files")


def _delete_files(sender, instance, **kwargs) -> None:
    """An image's files go with its row, once the deletion is committed (a rollback keeps both)."""
    from django.core.files.storage import default_storage
    from django.db import transaction

    names = instance.file_names()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])

"""Every setting of the media app, in one place with its default.

Operators set them through the environment, read and checked once in ``pnyx/settings.py``; here they are
read from Django settings on use, so tests can override them with pytest-django's ``settings``.
"""

from django.conf import settings

WIDTHS = (480, 960, 1600)
"""The widths of the smaller copies made of each image, for ``srcset``: a phone, a column, a wide screen.
Only those narrower than the original are made; an image is never enlarged."""


class _Conf:
    @property
    def MAX_BYTES(self) -> int:  # noqa: N802
        """The largest file taken, in bytes, before it is even opened."""
        return settings.PNYX_MEDIA_MAX_BYTES

    @property
    def MAX_PIXELS(self) -> int:  # noqa: N802
        """The most pixels (width × height) an image may have: a small file can unpack to gigabytes."""
        return settings.PNYX_MEDIA_MAX_PIXELS

    @property
    def FETCH_TIMEOUT(self) -> int:  # noqa: N802
        """Seconds ``pnyx import --media`` waits for an old host at each step (connecting, each read)."""
        return settings.PNYX_MEDIA_FETCH_TIMEOUT


conf = _Conf()

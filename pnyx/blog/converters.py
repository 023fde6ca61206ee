class UnicodeSlugConverter:
    """Slugs as Post.slug allows them (letters of any script, digits, hyphens, underscores).

    Django's ``slug`` converter is ASCII-only, and ``str`` would let control characters (a NUL byte,
    which PostgreSQL refuses in a query) reach the database.
    """

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class UsernameConverter(UnicodeSlugConverter):
    """An account's name as Django allows it (letters, digits and @ . + - _), for ``/author/<name>/``."""

    regex = r"[\w.@+-]+"

"""Search: each post's words (SearchDocument) and the database's own index of them (``pnyx.blog.search``).

SQLite: an FTS5 table over the documents, kept by triggers. PostgreSQL: a GIN index on the weighted
text vector that ``search`` queries with. Then every existing post is indexed.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.html import strip_tags

COLUMNS = "title, standfirst, tags, body"
OLD = "old.title, old.standfirst, old.tags, old.body"
NEW = "new.title, new.standfirst, new.tags, new.body"

SQLITE = [
    f"CREATE VIRTUAL TABLE blog_search_fts USING fts5({COLUMNS}, content='blog_searchdocument', "
    "content_rowid='post_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER blog_search_insert AFTER INSERT ON blog_searchdocument BEGIN "
    f"INSERT INTO blog_search_fts(rowid, {COLUMNS}) VALUES (new.post_id, {NEW}); END",
    "CREATE TRIGGER blog_search_delete AFTER DELETE ON blog_searchdocument BEGIN "
    f"INSERT INTO blog_search_fts(blog_search_fts, rowid, {COLUMNS}) VALUES ('delete', old.post_id, {OLD}); END",
    "CREATE TRIGGER blog_search_update AFTER UPDATE ON blog_searchdocument BEGIN "
    f"INSERT INTO blog_search_fts(blog_search_fts, rowid, {COLUMNS}) VALUES ('delete', old.post_id, {OLD}); "
    f"INSERT INTO blog_search_fts(rowid, {COLUMNS}) VALUES (new.post_id, {NEW}); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS blog_search_insert",
    "DROP TRIGGER IF EXISTS blog_search_delete",
    "DROP TRIGGER IF EXISTS blog_search_update",
    "DROP TABLE IF EXISTS blog_search_fts",
]
# The same expression as pnyx.blog.search._PG_VECTOR, or PostgreSQL will not use the index.
POSTGRESQL = [
    "CREATE INDEX blog_search_gin ON blog_searchdocument USING GIN (("
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', standfirst || ' ' || tags), 'B') || "
    "setweight(to_tsvector('simple', body), 'C')))"
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS blog_search_gin"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def index_existing(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    SearchDocument = apps.get_model("blog", "SearchDocument")
    for post in Post.objects.prefetch_related("terms").iterator(chunk_size=500):
        protected = bool(post.password)
        SearchDocument.objects.create(
            post=post,
            title=post.title,
            standfirst="" if protected else post.standfirst,
            tags=" ".join(term.name for term in post.terms.all()),
            body="" if protected else " ".join(strip_tags(post.body_html).split()),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_post_guid_sticky_password"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="blog.post",
                    ),
                ),
                ("title", models.TextField()),
                ("standfirst", models.TextField(blank=True)),
                ("tags", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]

"""Websites stored before the one rule (``markup.web_address``): anything not http(s) is dropped.

Imports used to keep ``javascript:``, ``data:`` and ``vbscript:`` author websites; only the CSP stood
between them and a reader.
"""

from django.db import migrations

from pnyx.markup import web_address


def normalise_websites(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    rows = Comment.objects.exclude(author_url="").values_list("pk", "author_url")
    for pk, url in rows.iterator(chunk_size=2000):
        if (normal := web_address(url)) != url:
            Comment.objects.filter(pk=pk).update(author_url=normal)


class Migration(migrations.Migration):
    dependencies = [("discussion", "0003_thread")]

    operations = [migrations.RunPython(normalise_websites, migrations.RunPython.noop)]

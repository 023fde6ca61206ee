"""Each comment's avatar, name and date rendered once and stored (``discussion.fragments``), and where
each page of a thread starts.

The fragments of existing comments are rendered here, so the first view of an old thread does not
render them all; the display name is worked out as ``Comment.display_name`` did when this was written.
"""

from django.db import migrations, models

from pnyx.discussion.fragments import meta_key, render_meta


def render_fragments(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    key, batch = meta_key(), []
    comments = Comment.objects.select_related("user").only(
        "author_name", "author_email", "author_url", "created_at", "user__first_name", "user__last_name", "user__username"
    )
    for comment in comments.iterator(chunk_size=2000):
        user = comment.user
        name = (f"{user.first_name} {user.last_name}".strip() or user.username) if user else comment.author_name
        comment.meta_html = render_meta(
            name=name or "Anonymous", email=comment.author_email, url=comment.author_url, created_at=comment.created_at
        )
        comment.meta_key = key
        batch.append(comment)
        if len(batch) == 2000:
            Comment.objects.bulk_update(batch, ["meta_html", "meta_key"])
            batch = []
    Comment.objects.bulk_update(batch, ["meta_html", "meta_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('discussion', '0004_websites_http_only'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='meta_html',
            field=models.TextField(default='', editable=False, help_text='Avatar, name and date as a page shows them (discussion.fragments).'),
        ),
        migrations.AddField(
            model_name='comment',
            name='meta_key',
            field=models.CharField(default='', editable=False, help_text='What meta_html was rendered with; stale if it differs.', max_length=16),
        ),
        migrations.AddField(
            model_name='thread',
            name='page_starts',
            field=models.JSONField(editable=False, help_text='Where each page of the thread starts (Thread.page_bounds); worked out again after a change.', null=True),
        ),
        migrations.AddField(
            model_name='thread',
            name='revision',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Counts the changes to what readers see of the thread.'),
        ),
        migrations.RunPython(render_fragments, migrations.RunPython.noop),
    ]

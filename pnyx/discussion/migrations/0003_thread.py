"""Comments belong to a Thread keyed by its address; a post has exactly one, created with it.

Every existing post gets its thread (its address, title, count and open/closed state move there), and
every comment moves from its post to that thread.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.urls import reverse


def threads_for_posts(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    Thread = apps.get_model("discussion", "Thread")
    Comment = apps.get_model("discussion", "Comment")
    for post in Post.objects.order_by("pk").iterator(chunk_size=500):
        name = "blog:page" if post.kind == "page" else "blog:post"
        Thread.objects.create(
            post_id=post.pk,
            path=reverse(name, kwargs={"slug": post.slug}),
            title=post.title[:300],
            is_open=post.comments_open,
            comment_count=post.comment_count,
        )
    Comment.objects.update(thread_id=Subquery(Thread.objects.filter(post_id=OuterRef("post_id")).values("pk")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_import_ref_help"),
        ("discussion", "0002_legacy_anchor"),
    ]

    operations = [
        migrations.CreateModel(
            name="Thread",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("site", models.CharField(blank=True, default="", help_text="Empty for this site.", max_length=100)),
                (
                    "path",
                    models.CharField(help_text="The address of the page the discussion is under.", max_length=1000),
                ),
                ("title", models.CharField(blank=True, max_length=300)),
                ("is_open", models.BooleanField(default=True, verbose_name="open for comments")),
                (
                    "comment_count",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Public comments, recounted by every change of a comment's status.",
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "post",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="thread",
                        to="blog.post",
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("site", "path"), name="thread_site_path")],
            },
        ),
        migrations.AddField(
            model_name="comment",
            name="thread",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="discussion.thread",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="status_via",
            field=models.CharField(
                choices=[
                    ("rules", "the moderation rules"),
                    ("moderator", "a moderator"),
                    ("link", "an emailed confirmation link"),
                    ("import", "an import"),
                ],
                default="rules",
                editable=False,
                max_length=10,
            ),
        ),
        migrations.RunPython(threads_for_posts, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="comment", name="discussion__post_id_0fc451_idx"),
        migrations.RemoveField(model_name="comment", name="post"),
        migrations.AlterField(
            model_name="comment",
            name="thread",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="comments", to="discussion.thread"
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["thread", "status", "path"], name="discussion__thread__e64bb3_idx"),
        ),
    ]

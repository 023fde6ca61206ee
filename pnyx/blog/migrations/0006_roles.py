"""The roles (``pnyx.blog.roles``) as groups with their permissions; the "pending review" status."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def create_roles(apps, schema_editor):
    from pnyx.blog.roles import ROLES

    # Permissions are made after all migrations run; the roles need them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ours = Permission.objects.filter(content_type__app_label__in=["blog", "discussion", "identity", "porting", "media"])
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if codenames == ["*"]:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(ours.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("blog", "0005_search"),
        ("discussion", "0005_comment_fragments_and_pages"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="post",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_post", "Can publish posts"),
                    ("edit_others_posts", "Can edit others' posts"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="post",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "draft"),
                    ("pending", "pending review"),
                    ("scheduled", "scheduled"),
                    ("published", "published"),
                    ("private", "private"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]

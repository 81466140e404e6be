"""The five staff roles as groups (DESIGN.md §2). Their admin permissions are given after every migrate by
grants.roles.ensure_staff_groups (post_migrate), once every app's permissions exist."""

from django.db import migrations

# Frozen here on purpose: a migration must not follow later edits of grants/roles.py.
STAFF_GROUPS = ("case_officer", "reviewer", "decision_maker", "finance", "programme_admin")


def create_groups(apps, schema_editor):  # type: ignore[no-untyped-def]
    Group = apps.get_model("auth", "Group")
    for name in STAFF_GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("grants", "0004_queue_state_officer_index"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

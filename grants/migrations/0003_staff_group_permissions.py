"""Give the staff groups the admin permissions their work needs (DESIGN.md §2). Superusers need none.

Case officers: see cases and organisations, assign officers, grant the signatory role (memberships).
Decision-makers and reviewers: see cases (the staff workspace does the real scoping). Finance: grants,
payouts, batches, claims. Programme admins: configure calls, criteria, attachment kinds, organisations
and users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = "view"

GRANTS = {
    "case_officer": {
        "grants": {
            "application": ["view", "change"],
            "organisation": ["view"],
            "membership": ["view", "change", "add"],
            "call": ["view"],
            "criterion": ["view"],
            "requiredattachment": ["view"],
            "review": ["view"],
            "grant": ["view"],
            "report": ["view"],
            "message": ["view"],
        },
        "workflows": {"caseevent": ["view"]},
        "documents": {"document": ["view"]},
    },
    "decision_maker": {
        "grants": {"application": ["view"], "organisation": ["view"], "call": ["view"], "grant": ["view"],
                   "decision": ["view"], "proposal": ["view"]},
        "workflows": {"caseevent": ["view"]},
    },
    "reviewer": {"grants": {"call": ["view"], "criterion": ["view"]}},
    "finance": {
        "grants": {
            "organisation": ["view"],
            "grant": ["view"],
            "payout": ["view"],
            "payoutbatch": ["view"],
            "repaymentclaim": ["view"],
            "call": ["view"],
        },
        "documents": {"document": ["view"]},
    },
    "programme_admin": {
        "grants": {
            "call": ["view", "add", "change"],
            "criterion": ["view", "add", "change", "delete"],
            "requiredattachment": ["view", "add", "change", "delete"],
            "organisation": ["view", "add", "change"],
            "membership": ["view", "add", "change", "delete"],
            "invitation": ["view"],
            "user": ["view", "add", "change"],
            "application": ["view"],
            "grant": ["view"],
            "message": ["view"],
        },
        "auth": {"group": ["view"]},
        "workflows": {"caseevent": ["view"]},
        "documents": {"document": ["view"]},
    },
}


def grant(apps, schema_editor):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in GRANTS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, models in by_app.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                assert perms.count() == len(codenames), (app_label, codenames)
                group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0002_staff_groups"),
        ("workflows", "0001_initial"),
        ("documents", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

"""The staff roles (Django groups) and the admin permissions each needs (DESIGN.md §2).

They are (re)created after every migrate and every test-database flush by a post_migrate handler
(grants/apps.py), so they exist on a fresh install and never drift. Superusers need none of this.
"""

from django.apps import apps as global_apps

# Case officers: see cases and organisations, assign officers, grant the signatory role (memberships).
# Decision-makers and reviewers: see what their pages need (the staff workspace does the real scoping).
# Finance: grants, payouts, batches, claims. Programme admins: calls, criteria, organisations, users.
GRANTS: dict[str, dict[str, dict[str, list[str]]]] = {
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
    "reviewer": {"grants": {"call": ["view"], "criterion": ["view"]}},
    "decision_maker": {
        "grants": {
            "application": ["view"],
            "organisation": ["view"],
            "call": ["view"],
            "grant": ["view"],
            "decision": ["view"],
            "proposal": ["view"],
        },
        "workflows": {"caseevent": ["view"]},
    },
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
STAFF_GROUPS = tuple(GRANTS)


def ensure_staff_groups(*, using: str = "default") -> None:
    """Create the staff groups and give each exactly the permissions above (idempotent). Runs after
    migrate, on the current schema, so it uses the real models."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    for name, by_app in GRANTS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for app_label, models in by_app.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                found = list(
                    Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
                )
                if len(found) != len(codenames):
                    raise RuntimeError(f"missing permissions for {app_label}: {codenames}")
                wanted.extend(found)
        group.permissions.set(wanted)

"""The staff roles (Django groups) and the admin permissions each needs (DESIGN.md §2).

They are (re)created after every migrate and every test-database flush by a post_migrate handler
(grants/apps.py), so they exist on a fresh install and never drift. Superusers need none of this.
"""

from django.apps import apps as global_apps

# Each group gets only the admin rights its role's work needs (DESIGN.md §5 rule 10). Case records are read
# there; their jäv, draft and document-kind scoping is the admins' own (grants/admin/scoping.py), for every group.
#
# - Case officers read cases and what they work with, and change a case only to assign its officer (through
#   application_assign). They read who represents an organisation, but never add or change a membership:
#   with that right an officer could make themself a signatory of any organisation and act for it in the
#   portal (issue 9).
# - Reviewers work in /staff/reviews/ only; in the admin they may read the calls and their criteria.
# - Decision-makers read cases, proposals, decisions, grants and the case log.
# - Finance read organisations and their payment accounts (entered and verified through the finance services,
#   never edited in the admin), grants, payouts, batches, claims, the calls' payout plans, and documents (only a
#   batch's files: DocumentAdmin scopes the kinds).
# - Programme admins configure calls, organisations and users; memberships, the signatory role, join and
#   signatory requests and invitations are theirs alone (and superusers'). Each membership change is logged
#   in the organisation log, which they read. Who may grant which role in the user admin: grants/admin/accounts.py.
GRANTS: dict[str, dict[str, dict[str, list[str]]]] = {
    "case_officer": {
        "grants": {
            "application": ["view", "change"],
            "organisation": ["view"],
            "membership": ["view"],
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
            "payoutbatchline": ["view"],
            "bankanswer": ["view"],
            "reconciliationentry": ["view"],
            "repaymentclaim": ["view"],
            "call": ["view"],
            "payoutplanstep": ["view"],
            "paymentaccount": ["view"],
        },
        "documents": {"document": ["view"]},
    },
    "programme_admin": {
        "grants": {
            "call": ["view", "add", "change"],
            "criterion": ["view", "add", "change", "delete"],
            "requiredattachment": ["view", "add", "change", "delete"],
            "payoutplanstep": ["view", "add", "change", "delete"],
            "organisation": ["view", "add", "change"],
            "paymentaccount": ["view"],
            "membership": ["view", "add", "change", "delete"],
            "organisationevent": ["view"],
            "joinrequest": ["view", "change"],
            "signatoryrequest": ["view", "change"],
            "invitation": ["view", "delete"],
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

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _staff_groups(sender: AppConfig, **kwargs: Any) -> None:
    # Once per migrate (or test flush), after every app's own post_migrate work: our app is a sender too.
    if sender.name != "grants":
        return
    from grants.roles import ensure_staff_groups

    ensure_staff_groups(using=kwargs.get("using", "default"))


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Bidrag")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_staff_groups, sender=self, dispatch_uid="grants.staff_groups")

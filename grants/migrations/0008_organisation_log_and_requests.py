"""The organisation log (OrganisationEvent: memberships added, changed and removed, requests decided), append-only
like the case log: on PostgreSQL a trigger refuses UPDATE and DELETE (the function of workflows migration 0002).
Join requests and signatory requests."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLE = "grants_organisationevent"


def append_only_forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # samverket_refuse_change() is created by workflows migration 0002.
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION samverket_refuse_change();"
    )


def append_only_backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0007_worker_heartbeat"),
        ("workflows", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="JoinRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("message", models.TextField(blank=True, verbose_name="meddelande")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="skickad")),
                (
                    "state",
                    models.CharField(
                        choices=[("PENDING", "Väntar"), ("GRANTED", "Beviljad"), ("REFUSED", "Avslagen")],
                        default="PENDING",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="avgjord")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="avgjord av",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="join_requests",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="join_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "förfrågan om medlemskap",
                "verbose_name_plural": "förfrågningar om medlemskap",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["PENDING", "GRANTED", "REFUSED"])),
                        name="joinrequest_state_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "PENDING")),
                        fields=("organisation", "user"),
                        name="joinrequest_one_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "PENDING"), ("decided_at__isnull", True)),
                            models.Q(models.Q(("state", "PENDING"), _negated=True), ("decided_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="joinrequest_decided_at_iff_decided",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OrganisationEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("event", models.CharField(max_length=60, verbose_name="händelse")),
                ("from_role", models.CharField(blank=True, max_length=10, verbose_name="från roll")),
                ("to_role", models.CharField(blank=True, max_length=10, verbose_name="till roll")),
                ("note", models.TextField(blank=True, verbose_name="anteckning")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="tid")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="utförd av",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="gäller",
                    ),
                ),
            ],
            options={
                "verbose_name": "organisationshändelse",
                "verbose_name_plural": "organisationslogg",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["organisation", "created_at"], name="orgevent_org_time")],
            },
        ),
        migrations.CreateModel(
            name="SignatoryRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(verbose_name="skäl")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="skickad")),
                (
                    "state",
                    models.CharField(
                        choices=[("PENDING", "Väntar"), ("GRANTED", "Beviljad"), ("REFUSED", "Avslagen")],
                        default="PENDING",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="avgjord")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="avgjord av",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="blivande firmatecknare",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signatory_requests",
                        to="grants.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="begärd av",
                    ),
                ),
            ],
            options={
                "verbose_name": "begäran om firmatecknare",
                "verbose_name_plural": "begäranden om firmatecknare",
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["PENDING", "GRANTED", "REFUSED"])),
                        name="signatoryrequest_state_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("state", "PENDING")),
                        fields=("organisation", "member"),
                        name="signatoryrequest_one_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "PENDING"), ("decided_at__isnull", True)),
                            models.Q(models.Q(("state", "PENDING"), _negated=True), ("decided_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="signatoryrequest_decided_at_iff_decided",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="signatoryrequest_reason_required"
                    ),
                ],
            },
        ),
        migrations.RunPython(append_only_forwards, append_only_backwards),
    ]

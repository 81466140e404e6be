"""`manage.py seed_demo`: demo data to try the system with — the coworking call open now and an older closed
one, a dozen public organisations, one login per role (two reviewers), and applications in every state the
services reach, with reviews at every stage: assigned and undeclared, recused for a conflict, declared and
waiting for scores, and submitted with scores for every criterion.

Calls, organisations and people are written directly (they have no lifecycle). Every application and review is made by
the real services in grants/services/, step by step in time order, so each case has its diarienummer,
versions, messages and case log as if people had done it. Idempotent: calls are matched by Swedish title,
organisations by orgnr, people by e-mail and applications by call and title; what exists is left alone.
`--if-empty` does nothing when any call exists (for `make run`), except print the logins again."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from grants.demo.build import Seeder
from grants.demo.data import DEMO_PASSWORD, PEOPLE
from grants.models import Call, User


class Command(BaseCommand):
    help = "Create demo data: calls, organisations, one login per role and applications in every state."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any call exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Call.objects.exists():
            self.stdout.write("Det finns redan utlysningar; inga demodata skapades.")
        else:
            with transaction.atomic():
                created = Seeder(timezone.now()).run()
            if any(created.values()):
                summary = ", ".join(f"{n} {what}" for what, n in created.items())
                self.stdout.write(self.style.SUCCESS(f"Demodata skapade: {summary}."))
            else:
                self.stdout.write("Demodata fanns redan; inget ändrades.")
        self.print_logins()
        self.write_bank_answer()

    def write_bank_answer(self) -> None:
        """A sample bank answer (CSV) for the demo's exported batch, to try reconciliation with: one payment
        paid, written to var/demo/ (the batch page's "Läs in bankens svar" takes it)."""
        from grants.demo.finance import bank_answer_csv
        from grants.models import PayoutBatch, PayoutBatchState

        batch = PayoutBatch.objects.filter(state=PayoutBatchState.EXPORTED).order_by("pk").first()
        if batch is None:
            return
        folder = settings.BASE_DIR / "var" / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bankens-svar-underlag-{batch.pk}.csv"
        path.write_bytes(bank_answer_csv(batch))
        self.stdout.write(f"Exempel på bankens svar på underlag #{batch.pk} (för avstämningen): {path}")

    def print_logins(self) -> None:
        existing = set(User.objects.filter(email__in=[p.email for p in PEOPLE]).values_list("email", flat=True))
        rows = [(p.label, p.email, DEMO_PASSWORD) for p in PEOPLE if p.email in existing]
        if not rows:
            self.stdout.write("Inga demoinloggningar finns i databasen.")
            return
        header = ("Roll", "E-post", "Lösenord")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("\nDemoinloggningar\n")
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"\nÖppna {site}/ (administrationen: {site}/admin/)")

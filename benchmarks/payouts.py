"""Payout batch benchmark (`make bench-payouts`, issue 10): what does our path from due payouts to bank files
cost over the plainest code that writes the same files?

A throw-away SQLite database in a temporary directory (removed at the end, also after an error), with
BENCH_N (10 000) active grants, each with a verified payment account (bankgiro, plusgiro and IBAN in turn)
and one DUE payout, all made with bulk inserts outside the clock. Then, on the clock:

- **ours**: `batch_create` (finance officer 1 puts every due payout in a new batch), `batch_approve` (finance
  officer 2 attests it: the lines are frozen) and `batch_export` (pain.001.001.03 from the frozen lines,
  validated against the XSD before it is stored; CSV and XLSX of the same lines through django-import-export;
  each stored as a Document with its SHA-256; the payouts SENT, the batch EXPORTED) — the real services, in
  their transactions, with their case-log rows;
- **minimal**: `benchmarks/payouts_minimal.py` writing the same pain.001 from plain tuples of the same rows
  with lxml + lxml XSD validation + a tablib CSV of the same rows.

Both run in this one process, in that order, and are timed on the wall clock and on the process's CPU time
(the ratio uses wall-clock time: the database's own work happens in this process with SQLite). The files are
then checked: our stored pain.001 passes the XSD and holds N transactions with the expected total, the CSV
and XLSX hold N rows each, every payout is SENT, and the minimal XML is XSD-valid too.

Last line: `RESULT payouts ratio=<ours/minimal> ms=<ours> valid=<1 if every check passed>`. Target ratio ≤ 2.
Knobs: BENCH_N (10000).
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from stdnum import luhn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_N", "10000"))
TARGET = 2.0


def log(msg: str) -> None:
    print(msg, flush=True)


def configure_environment(workdir: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "LOG_LEVEL": "WARNING",
        }
    )


def _orgnr(k: int) -> str:
    digits = f"212{k:06d}"
    return digits + luhn.calc_check_digit(digits)


def _account(i: int) -> tuple[str, str, str]:
    """(kind, number, bic) for payee i: bankgiro, plusgiro and IBAN in turn, all with valid check digits."""
    from schwifty import IBAN

    kind = ("BANKGIRO", "PLUSGIRO", "IBAN")[i % 3]
    if kind == "BANKGIRO":
        body = f"{5000000 + i:07d}"
        return kind, body + luhn.calc_check_digit(body), ""
    if kind == "PLUSGIRO":
        body = f"{100000 + i:06d}"
        return kind, body + luhn.calc_check_digit(body), ""
    iban = IBAN.generate("SE", bank_code=("500", "600", "800", "300")[i % 4], account_code=f"{i:016d}")
    return kind, iban.compact, str(iban.bic)


def make_world(n: int):  # type: ignore[no-untyped-def]
    """n active grants with one DUE payout each and a verified account per organisation; two finance officers."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from grants.models import (
        Application,
        ApplicationState,
        Call,
        Decision,
        Grant,
        GrantState,
        Membership,
        Organisation,
        OrganisationType,
        Outcome,
        PaymentAccount,
        Payout,
        PayoutState,
        Proposal,
        User,
    )
    from grants.models.plans import PayoutTrigger

    now = timezone.now()
    call = Call.objects.create(
        title_sv="Testa coworking och hybridarbete",
        title_en="Try coworking and hybrid work",
        description_sv="Offentliga organisationer kan söka upp till 600 000 kr.",
        description_en="Public organisations may apply for up to SEK 600,000.",
        opens_at=now - timedelta(days=200),
        closes_at=now - timedelta(days=150),
        total_budget=Decimal("100000000000.00"),
        max_grant_amount=Decimal("600000.00"),
    )
    officer = User.objects.create(email="handlaggare@bench.example", full_name="Hanna Handläggare", is_staff=True)
    decider = User.objects.create(email="beslut@bench.example", full_name="Britt Beslutsfattare", is_staff=True)
    finance = [
        User.objects.create(email=f"ekonomi{k}@bench.example", full_name=f"Ekonomi {k}", is_staff=True) for k in (1, 2)
    ]
    officer.groups.add(Group.objects.get(name="case_officer"))
    decider.groups.add(Group.objects.get(name="decision_maker"))
    for person in finance:
        person.groups.add(Group.objects.get(name="finance"))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Kommun nr {i} i Jämtlands län", orgnr=_orgnr(i), org_type=OrganisationType.MUNICIPALITY)
            for i in range(n)
        ]
    )
    applicants = User.objects.bulk_create(
        [User(email=f"sokande{i}@bench.example", full_name=f"Sökande {i}") for i in range(n)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o) for u, o in zip(applicants, organisations, strict=True)]
    )
    accounts = []
    for i, (organisation, applicant) in enumerate(zip(organisations, applicants, strict=True)):
        kind, number, bic = _account(i)
        accounts.append(
            PaymentAccount(
                organisation=organisation,
                kind=kind,
                number=number,
                bic=bic,
                created_by=applicant,
                created_at=now - timedelta(days=40),
                verified_by=finance[0],
                verified_at=now - timedelta(days=39),
            )
        )
    PaymentAccount.objects.bulk_create(accounts)
    year = now.year
    amounts = [Decimal(100_000 + (i * 7919) % 500_000) for i in range(n)]
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                organisation=organisations[i],
                created_by=applicants[i],
                state=ApplicationState.APPROVED,
                reference_number=f"{year}-{i + 1:05d}",
                title=f"Hybridarbete på Samverket, etapp {i + 1}",
                requested_amount=amounts[i],
                assigned_officer=officer,
                submitted_at=now - timedelta(days=100),
            )
            for i in range(n)
        ]
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(application=a, proposed_by=officer, outcome=Outcome.APPROVE, amount=amounts[i], reasons="Bra.")
            for i, a in enumerate(applications)
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                application=a,
                proposal=p,
                outcome=Outcome.APPROVE,
                amount=amounts[i],
                reasons="Bra.",
                decided_by=decider,
                proposed_by=officer,
                decided_at=now - timedelta(days=50),
            )
            for i, (a, p) in enumerate(zip(applications, proposals, strict=True))
        ]
    )
    grants = Grant.objects.bulk_create(
        [
            Grant(
                application=a,
                decision=d,
                granted_amount=amounts[i],
                terms="Bidraget får bara användas till projektet.",
                state=GrantState.ACTIVE,
                acceptance_deadline_at=now - timedelta(days=20),
                accepted_by=applicants[i],
                accepted_at=now - timedelta(days=30),
                terms_sha256="0" * 64,
            )
            for i, (a, d) in enumerate(zip(applications, decisions, strict=True))
        ]
    )
    payouts = Payout.objects.bulk_create(
        [
            Payout(
                grant=g,
                amount=(amounts[i] * Decimal("0.8")).quantize(Decimal("0.01")),
                trigger=PayoutTrigger.ON_ACCEPTANCE,
                state=PayoutState.DUE,
            )
            for i, g in enumerate(grants)
        ]
    )
    return finance, [p.pk for p in payouts]


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="samverket-bench-payouts-"))
    try:
        configure_environment(workdir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        call_command("migrate", verbosity=0, interactive=False)
        log(f"payouts: making {N} active grants with a due payout and a verified account each ...")
        finance, payout_ids = make_world(N)
        from openpyxl import load_workbook

        from benchmarks import payouts_minimal as minimal
        from documents.bankfiles import validate
        from documents.models import DocumentKind
        from grants.models import Payout as PayoutModel
        from grants.models import PayoutBatchLine, PayoutState
        from grants.services.batches import batch_approve, batch_create, batch_export

        validate(b"<x/>", "pain.001.001.03")  # compiles and caches our schema outside the clock
        schema = minimal.load_schema()

        profiler = None
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        batch = batch_create(actor=finance[0], payout_ids=payout_ids, now=timezone.now())
        t_create = time.perf_counter()
        batch_approve(actor=finance[1], batch=batch, now=timezone.now())
        t_approve = time.perf_counter()
        documents = batch_export(actor=finance[1], batch=batch, now=timezone.now())
        ours_wall = (time.perf_counter() - wall) * 1000
        ours_cpu = (time.process_time() - cpu) * 1000
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                os.environ.get("BENCH_PROFILE_FILTER", "/work/"), 40
            )
        steps = (
            f"create {(t_create - wall) * 1000:.0f} ms, approve {(t_approve - t_create) * 1000:.0f} ms, "
            f"export {(time.perf_counter() - t_approve) * 1000:.0f} ms"
        )

        lines = list(PayoutBatchLine.objects.filter(batch=batch).order_by("pk"))
        kinds = {"BANKGIRO": "bankgiro", "PLUSGIRO": "plusgiro", "IBAN": "iban"}
        rows = [
            (
                str(li.payout_id),
                li.amount,
                li.payee_name,
                kinds[li.account_kind],
                li.account_number,
                li.bic,
                li.reference,
            )
            for li in lines
        ]
        created = timezone.now()
        debtor = ("Verket för innovationssystem", "SE4550000000058398257466", "ESSESESS")
        cpu, wall = time.process_time(), time.perf_counter()
        bare_xml = minimal.write_pain001(
            rows, message_id=f"BATCH-{batch.pk}", created_at=created, execution_date=date.today(), debtor=debtor
        )
        bare_valid = minimal.is_valid(bare_xml, schema)
        minimal.write_csv(rows)
        bare_wall = (time.perf_counter() - wall) * 1000
        bare_cpu = (time.process_time() - cpu) * 1000

        by_kind = {d.kind: d for d in documents}
        problems = []
        with by_kind[DocumentKind.PAYMENT_FILE].file.open("rb") as f:
            xml = f.read()
        if validate(xml, "pain.001.001.03"):
            problems.append("our pain.001 does not pass the XSD")
        if xml.count(b"<CdtTrfTxInf>") != N:
            problems.append(f"our pain.001 holds {xml.count(b'<CdtTrfTxInf>')} transactions, not {N}")
        total = sum((li.amount for li in lines), Decimal("0"))
        if f"<CtrlSum>{total:.2f}</CtrlSum>".encode() not in xml:
            problems.append("our pain.001's control sum is not the lines' total")
        with by_kind[DocumentKind.LEDGER_CSV].file.open("rb") as f:
            csv_rows = f.read().decode("utf-8").strip().splitlines()
        if len(csv_rows) != N + 1:
            problems.append(f"the CSV holds {len(csv_rows) - 1} rows, not {N}")
        with by_kind[DocumentKind.LEDGER_XLSX].file.open("rb") as f:
            sheet = load_workbook(io.BytesIO(f.read()), read_only=True).active
            xlsx_rows = sum(1 for _ in sheet.iter_rows()) - 1
        if xlsx_rows != N:
            problems.append(f"the XLSX holds {xlsx_rows} rows, not {N}")
        sent = PayoutModel.objects.filter(pk__in=payout_ids, state=PayoutState.SENT).count()
        if sent != N:
            problems.append(f"{sent} of {N} payouts are SENT")
        if not bare_valid:
            problems.append("the minimal pain.001 does not pass the XSD")
        valid = not problems

        ratio = ours_wall / bare_wall
        log(f"payouts: {N} due payouts (bankgiro, plusgiro, IBAN in turn), SQLite, {len(xml) // 1024} kB pain.001")
        log(f"ours   : batch_create + batch_approve + batch_export {ours_wall:8.0f} ms wall, {ours_cpu:8.0f} ms CPU")
        log(f"         ({steps})")
        log(f"minimal: lxml pain.001 + XSD + tablib CSV          {bare_wall:8.0f} ms wall, {bare_cpu:8.0f} ms CPU")
        for problem in problems:
            log(f"CHECK FAILED: {problem}")
        verdict = "meets" if ratio <= TARGET else "MISSES"
        log(f"files checked: {'yes' if valid else 'NO'}; ratio {ratio:.2f} {verdict} the target {TARGET}")
        log(f"RESULT payouts ratio={ratio:.2f} ms={ours_wall:.0f} valid={int(valid)}")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Decision letter benchmark (`make bench-letters`): what does our letter path cost over bare WeasyPrint,
and how many letters per second does one worker make?

Creates a throw-away SQLite database in a temporary directory (deleted at the end, also after an error),
with BENCH_SINGLE + BENCH_BATCH approved and rejected decisions made by the real `decision_approve` /
`decision_reject` services. Then:

1. one letter at a time: for each of BENCH_SINGLE fresh decisions, the time of `decision_letter_issue`
   (read the decision, render the template, WeasyPrint to PDF/A, SHA-256, store the file, insert the
   Document, log the case event, queue the notice), alternated with the time of bare WeasyPrint
   rendering the very same HTML (taken from `render_to_string` with the letter's context) with the same
   options: the same stylesheets (the app's font faces and pdf.css, parsed once, outside the clock, as our
   code caches them), the same base URL and `pdf_variant`. The first BENCH_WARMUP of each are not counted.
   Both run in this one thread, so the ratio and median use the process's CPU time (user + system), which
   a busy machine does not inflate; wall-clock medians are printed beside them.
2. a batch: BENCH_BATCH `decision_letter_generate` tasks enqueued with django_tasks_db.DatabaseBackend,
   then `manage.py db_worker --batch` (one worker, no startup delay) timed from launch until it exits with
   every letter issued.

The last line is machine-readable:

    RESULT letters ratio=<ours/bare> median_ms=<ours median> batch_per_s=<letters per second>

Exit status is non-zero only when the benchmark itself crashes; a missed target (ratio ≤ 1.3) is printed.
Knobs (environment): BENCH_SINGLE (30), BENCH_WARMUP (3), BENCH_BATCH (200), BENCH_WORKER_TIMEOUT_S (400).
"""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from stdnum import luhn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SINGLE = int(os.environ.get("BENCH_SINGLE", "30"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
BATCH = int(os.environ.get("BENCH_BATCH", "200"))
WORKER_TIMEOUT_S = int(os.environ.get("BENCH_WORKER_TIMEOUT_S", "400"))
TARGET_RATIO = 1.3
DB_BACKEND = "django_tasks_db.DatabaseBackend"


def log(msg: str) -> None:
    print(msg, flush=True)


def configure_environment(workdir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) on a scratch SQLite file; shared with the worker process."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # This process creates decisions without running their tasks; the batch is enqueued explicitly.
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    return env


def _orgnr(k: int) -> str:
    """A Luhn-valid municipal organisation number 212xxxxxx-c."""
    digits = f"212{k:06d}"
    return digits + luhn.calc_check_digit(digits)


def make_decisions(n: int) -> list[int]:
    """n proposed cases decided through the real services (3 in 4 approved, with grant, payouts and
    reports; the rest rejected). Returns the decision ids in order."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from grants.models import (
        Application,
        ApplicationState,
        Call,
        EligibilityCheck,
        Organisation,
        OrganisationType,
        Outcome,
        Proposal,
        User,
    )
    from grants.services.cases import decision_approve, decision_reject

    now = timezone.now()
    call = Call.objects.create(
        title_sv="Testa coworking och hybridarbete",
        title_en="Try coworking and hybrid work",
        description_sv="Offentliga organisationer kan söka upp till 600 000 kr.",
        description_en="Public organisations may apply for up to SEK 600,000.",
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=60),
        total_budget=Decimal("1000000000.00"),
        max_grant_amount=Decimal("600000.00"),
        legal_basis_sv="Förordning (2009:1101) med instruktion för Verket för innovationssystem.",
        legal_basis_en="Ordinance (2009:1101) with instructions for the Swedish Innovation Agency.",
        general_terms_sv="Vinnovas allmänna villkor för bidrag gäller. " * 8,
        general_terms_en="Vinnova's general terms and conditions for grants apply. " * 8,
        appeal_text_sv="Beslutet kan inte överklagas enligt 47 § förordningen (2009:1101).",
        appeal_text_en="The decision cannot be appealed under section 47 of the ordinance (2009:1101).",
    )
    unusable = make_password(None)
    officer = User.objects.create(email="handlaggare@bench.example", full_name="Hanna Handläggare", is_staff=True)
    decider = User.objects.create(email="beslut@bench.example", full_name="Britt Beslutsfattare", is_staff=True)
    officer.groups.add(Group.objects.get(name="case_officer"))
    decider.groups.add(Group.objects.get(name="decision_maker"))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Kommun {i}",
                orgnr=_orgnr(i),
                org_type=OrganisationType.MUNICIPALITY,
                street_address=f"Rådhusgatan {i + 1}",
                postal_code="831 82",
                city="Östersund",
            )
            for i in range(n)
        ]
    )
    applicants = User.objects.bulk_create(
        [User(email=f"sokande{i}@bench.example", full_name=f"Sökande {i}", password=unusable) for i in range(n)]
    )
    from grants.models import Membership

    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o) for u, o in zip(applicants, organisations, strict=True)]
    )
    year = now.year
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                organisation=organisations[i],
                created_by=applicants[i],
                state=ApplicationState.PROPOSED,
                reference_number=f"{year}-{i + 1:05d}",
                title=f"Hybridarbete på Samverket, etapp {i + 1}",
                summary="Vi testar att arbeta från en coworkinghubb två dagar i veckan.",
                description="Projektet låter 20 medarbetare arbeta från Samverket Östersund. " * 10,
                coworking_sites="Samverket Östersund",
                participants_count=20,
                start_date=date(year + 1, 1, 1),
                end_date=date(year + 1, 12, 31),
                requested_amount=Decimal(200000 + 1000 * (i % 400)),
                assigned_officer=officer,
                created_at=now - timedelta(days=100),
                submitted_at=now - timedelta(days=90),
            )
            for i in range(n)
        ]
    )
    # A passed eligibility check for each: approval needs one (DESIGN.md §4.1).
    EligibilityCheck.objects.bulk_create(
        [
            EligibilityCheck(
                application=a,
                checked_by=officer,
                checked_at=now - timedelta(days=80),
                eligible_org_type=True,
                arrived_in_time=True,
                amount_within_ceiling=True,
                attachments_complete=True,
                within_purpose=True,
            )
            for a in applications
        ]
    )
    Proposal.objects.bulk_create(
        [
            Proposal(
                application=a,
                proposed_by=officer,
                proposed_at=now - timedelta(days=1),
                outcome=Outcome.APPROVE if i % 4 else Outcome.REJECT,
                amount=a.requested_amount if i % 4 else None,
                reasons="Projektet uppfyller utlysningens kriterier väl: tydliga mål, en realistisk budget och "
                "en plan för att sprida lärdomarna till andra offentliga organisationer.",
                conditions="Projektet ska redovisa hur många medarbetare som deltagit." if i % 4 else "",
            )
            for i, a in enumerate(applications)
        ]
    )
    ids = []
    for i, application in enumerate(applications):
        service = decision_approve if i % 4 else decision_reject
        ids.append(service(actor=decider, application=application, now=now).pk)
    return ids


def bare_weasyprint() -> Any:
    """A function rendering HTML to PDF/A with WeasyPrint alone, with our stylesheets parsed once."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from documents.pdf import FONTS_DIR, PDF_VARIANT, STYLESHEET, _font_face_css

    font_config = FontConfiguration()
    css = weasyprint.CSS(
        string=_font_face_css() + "\n" + STYLESHEET.read_text(encoding="utf-8"), font_config=font_config
    )
    base_url = FONTS_DIR.as_uri() + "/"

    def render(html: str) -> bytes:
        pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[css], font_config=font_config, pdf_variant=PDF_VARIANT
        )
        assert pdf is not None
        return pdf

    return render


def letter_html(decision_id: int) -> str:
    """The final HTML our code renders for the letter (same template, context and language)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    from documents.letters import DECISION_LETTER_TEMPLATE, decision_letter_context
    from grants.models import Decision

    decision = Decision.objects.select_related(
        "application__call", "application__organisation", "decided_by", "proposed_by", "corrects"
    ).get(pk=decision_id)
    context = decision_letter_context(decision, "sv")
    with translation.override("sv"):
        return render_to_string(
            DECISION_LETTER_TEMPLATE, {"authority_name": settings.AUTHORITY_NAME, "language": "sv", **context}
        )


@dataclass
class Timings:
    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)

    def add(self, cpu_s: float, wall_s: float) -> None:
        self.cpu_ms.append(cpu_s * 1000)
        self.wall_ms.append(wall_s * 1000)

    def line(self, name: str) -> str:
        c, w = self.cpu_ms, self.wall_ms
        return (
            f"{name}: median {statistics.median(c):.1f} ms CPU (min {min(c):.1f}, max {max(c):.1f}); "
            f"wall median {statistics.median(w):.1f} ms (min {min(w):.1f}, max {max(w):.1f}); n={len(c)}"
        )


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.process_time() - cpu, time.perf_counter() - wall


def single_letters(decision_ids: list[int]) -> tuple[Timings, Timings, list[int]]:
    """Ours and bare in turn for each decision, alternating which goes first."""
    from django.utils import timezone

    from documents.services import decision_letter_issue

    bare = bare_weasyprint()
    ours_t, bare_t = Timings(), Timings()
    sizes: list[int] = []
    for i, decision_id in enumerate(decision_ids):
        html = letter_html(decision_id)  # outside both clocks
        if i % 2:
            pdf, bare_cpu, bare_wall = _timed(bare, html)
        document, ours_cpu, ours_wall = _timed(decision_letter_issue, decision_id=decision_id, now=timezone.now())
        if not i % 2:
            pdf, bare_cpu, bare_wall = _timed(bare, html)
        assert document.size > 1000 and len(pdf) > 1000
        if i >= WARMUP:
            ours_t.add(ours_cpu, ours_wall)
            bare_t.add(bare_cpu, bare_wall)
            sizes.append(document.size)
    return ours_t, bare_t, sizes


def batch_letters(decision_ids: list[int], env: dict[str, str]) -> tuple[float, float, float]:
    """Enqueue one task per decision with the database backend and time one `db_worker --batch` run.
    Returns (wall seconds from launch to exit, seconds from the first task's start to the last's end,
    CPU seconds the worker used)."""
    import resource

    from django.db import connections
    from django.db.models import Max, Min
    from django.test.utils import override_settings
    from django_tasks_db.models import DBTaskResult

    from documents.models import Document, DocumentKind
    from documents.tasks import decision_letter_generate

    with override_settings(TASKS={"default": {"BACKEND": DB_BACKEND}}):
        for decision_id in decision_ids:
            decision_letter_generate.enqueue(decision_id)
    assert DBTaskResult.objects.filter(status="READY").count() == len(decision_ids)
    connections.close_all()  # SQLite: leave the file to the worker
    worker_env = {**os.environ, **env, "TASKS_BACKEND": DB_BACKEND}
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-reload", "--no-startup-delay"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    completed = subprocess.run(
        command, env=worker_env, cwd=ROOT, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode != 0:
        log(completed.stderr[-3000:])
        raise RuntimeError(f"db_worker exited with {completed.returncode}")
    failed = DBTaskResult.objects.filter(status="FAILED").count()
    issued = Document.objects.filter(kind=DocumentKind.DECISION_LETTER, decision_id__in=decision_ids).count()
    if failed or issued != len(decision_ids):
        raise RuntimeError(f"batch incomplete: {issued} letters issued, {failed} tasks failed")
    span = DBTaskResult.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    busy = (span["last"] - span["first"]).total_seconds()
    return wall, busy, cpu


def main() -> int:
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="samverket-bench-letters-"))
    try:
        env = configure_environment(workdir)
        import django

        django.setup()
        from django.core.management import call_command

        log(f"letters: {SINGLE} single ({WARMUP} warm-up) and a batch of {BATCH}; scratch SQLite in {workdir}")
        t0 = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        t1 = time.monotonic()
        ids = make_decisions(SINGLE + BATCH)
        log(f"setup: migrate {t1 - t0:.1f} s, {len(ids)} decisions through the services {time.monotonic() - t1:.1f} s")

        ours_t, bare_t, sizes = single_letters(ids[:SINGLE])
        ours, bare = statistics.median(ours_t.cpu_ms), statistics.median(bare_t.cpu_ms)
        ratio = ours / bare
        wall_ratio = statistics.median(ours_t.wall_ms) / statistics.median(bare_t.wall_ms)
        log(ours_t.line("ours"))
        log(bare_t.line("bare"))
        log(f"letters are {min(sizes) // 1024}–{max(sizes) // 1024} kB; load average {os.getloadavg()[0]:.1f}")
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        log(f"ratio {ratio:.2f} (CPU time; wall-clock {wall_ratio:.2f}) {verdict} the target {TARGET_RATIO}")

        wall, busy, cpu = batch_letters(ids[SINGLE:], env)
        per_s = BATCH / wall
        log(
            f"batch: {BATCH} letters by one db_worker --batch in {wall:.1f} s = {per_s:.2f} letters/s "
            f"(worker busy {busy:.1f} s = {BATCH / busy:.2f} letters/s after its start-up; "
            f"{cpu:.1f} s CPU = {BATCH / cpu:.2f} letters per CPU second)"
        )
        log(f"whole run {time.monotonic() - started:.0f} s")
        log(f"RESULT letters ratio={ratio:.2f} median_ms={ours:.1f} batch_per_s={per_s:.2f}")
        return 0
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 — Django may not have been set up
            pass
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

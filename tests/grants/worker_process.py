"""The real task worker (`manage.py run_worker`) as a process of its own, on the test database, for the tests
that kill it.

PostgreSQL: the test database is shared as it is (the test must be transactional, so what it writes is
committed); the worker gets its name through DATABASE_URL. SQLite: pytest-django's test database is in memory,
where no other process can see it, so `publish()` copies it (SQLite's backup API) into a file the workers
open. Either way `rows()` reads the shared database as the workers leave it, with plain SQL.
"""

import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.utils import timezone
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3  # the workers' lease: short, so the test need not wait a minute for a dead worker


@dataclass
class SharedDatabase:
    url: str
    sqlite_path: Path | None

    def publish(self) -> None:
        """Make what this process wrote visible to the workers (SQLite: copy it into the shared file)."""
        if self.sqlite_path is None:
            return
        connection.ensure_connection()
        with closing(sqlite3.connect(self.sqlite_path)) as target:
            connection.connection.backup(target)

    def rows(self, sql: str, *, timeout: float = 20) -> list[tuple[Any, ...]]:
        """Run a query on the shared database as the workers see it. SQLite: raises sqlite3.OperationalError
        when a worker holds the database's lock for longer than `timeout` seconds."""
        if self.sqlite_path is not None:
            with closing(sqlite3.connect(self.sqlite_path, timeout=timeout)) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def value(self, sql: str, *, timeout: float = 20) -> Any:
        return self.rows(sql, timeout=timeout)[0][0]


def shared_database(tmp_path: Path) -> SharedDatabase:
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        return SharedDatabase(url=f"sqlite:///{path}", sqlite_path=path)
    s = connection.settings_dict
    credentials = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return SharedDatabase(url=f"postgres://{credentials}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}", sqlite_path=None)


class Worker:
    """One `manage.py run_worker` process; its output goes to <tmp_path>/<name>.log."""

    def __init__(self, db: SharedDatabase, tmp_path: Path, name: str, *args: str) -> None:
        self.name = name
        self.worker_id = f"{name}-{secrets.token_hex(4)}"
        self.log_path = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.grants.worker_settings",
            "DATABASE_URL": db.url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "testserver",
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
            "SAMVERKET_TEST_MAIL_DIR": str(tmp_path / "mail"),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "WORKER_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",  # the log of a worker killed -9 is whole up to its last line
        }
        (tmp_path / "mail").mkdir(exist_ok=True)
        command = [sys.executable, str(ROOT / "manage.py"), "run_worker", "--no-startup-delay", "--interval", "0.1"]
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [*command, "--worker-id", self.worker_id, *args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def signal(self, signum: int) -> None:
        os.kill(self.process.pid, signum)

    def kill(self) -> None:
        """kill -9: no handler runs, nothing is cleaned up."""
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str, workers: list[Worker]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name} (exit {w.process.poll()}):\n{w.output()[-3000:]}" for w in workers)
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}\n{logs}")
        time.sleep(0.1)


def json_list(value: Any) -> list[Any]:
    return json.loads(value) if isinstance(value, str) else list(value)


MESSAGE_ID = re.compile(r"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def sent_message_ids(mail_dir: Path) -> list[str]:
    """Every Message-ID header in the e-mails the file backend wrote, one per copy sent."""
    return [m for path in sorted(mail_dir.iterdir()) for m in MESSAGE_ID.findall(path.read_text(errors="replace"))]


def _orgnr(k: int) -> str:
    digits = f"212{k:06d}"
    return digits + luhn.calc_check_digit(digits)


def seed_approved_decisions(n: int) -> list[int]:
    """n cases proposed for approval, each of its own organisation with one member, then approved through
    `decision_approve` (the deciding transaction queues each letter's task). Returns the decision ids."""
    from django.contrib.auth.models import Group

    from grants.models import (
        Application,
        ApplicationState,
        EligibilityCheck,
        Membership,
        Organisation,
        OrganisationType,
        Outcome,
        Proposal,
        User,
    )
    from grants.services.cases import decision_approve
    from tests.factories import CallFactory

    now = timezone.now()
    call = CallFactory(
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=60),
        total_budget=Decimal("1000000000.00"),
        legal_basis_sv="Förordning (2009:1101) med instruktion för Verket för innovationssystem.",
        legal_basis_en="Ordinance (2009:1101) with instructions for the Swedish Innovation Agency.",
        general_terms_sv="Vinnovas allmänna villkor för bidrag gäller.",
        general_terms_en="Vinnova's general terms and conditions for grants apply.",
    )
    officer = User.objects.create(email="handlaggare@kill.example", full_name="Hanna Handläggare", is_staff=True)
    decider = User.objects.create(email="beslut@kill.example", full_name="Britt Beslutsfattare", is_staff=True)
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
        [User(email=f"sokande{i}@kill.example", full_name=f"Sökande {i}") for i in range(n)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o) for u, o in zip(applicants, organisations, strict=True)]
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                organisation=organisations[i],
                created_by=applicants[i],
                state=ApplicationState.PROPOSED,
                reference_number=f"{now.year}-{i + 1:05d}",
                title=f"Hybridarbete på Samverket, etapp {i + 1}",
                summary="Vi testar att arbeta från en coworkinghubb två dagar i veckan.",
                description="Projektet låter 20 medarbetare arbeta från Samverket Östersund.",
                coworking_sites="Samverket Östersund",
                participants_count=20,
                start_date=date(now.year + 1, 1, 1),
                end_date=date(now.year + 1, 12, 31),
                requested_amount=Decimal("300000.00"),
                assigned_officer=officer,
                created_at=now - timedelta(days=100),
                submitted_at=now - timedelta(days=90),
            )
            for i in range(n)
        ]
    )
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
                outcome=Outcome.APPROVE,
                amount=a.requested_amount,
                reasons="Projektet uppfyller utlysningens kriterier.",
            )
            for a in applications
        ]
    )
    return [decision_approve(actor=decider, application=a, now=now).pk for a in applications]

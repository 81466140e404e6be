"""`manage.py run_daily [--now ISO] [--every SECONDS]`: the daily job (issue 10 item 8). Lapses the grants
whose acceptance deadline has passed (grants.services.grants.grants_lapse); reminders come here next.

Idempotent: a second run at the same time finds nothing more to do, and two runs at once share the work
(each grant is decided under its row lock; one held elsewhere is skipped and taken on the next run).
`--now` runs it as of another time (ISO 8601; a time without zone is Stockholm time); `--every` keeps it
running, once every SECONDS, for `make run` (in production, schedule it with cron or a systemd timer)."""

import time
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from grants.formatting import STOCKHOLM
from grants.services.grants import grants_lapse


def parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(f"--now: not an ISO 8601 date and time: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, STOCKHOLM)


class Command(BaseCommand):
    help = "The daily job: lapse grants past their acceptance deadline."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", help="Run as of this time (ISO 8601) instead of the server's clock.")
        parser.add_argument("--every", type=int, default=0, help="Keep running, once every this many seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        fixed = parse_now(options.get("now"))
        every = options.get("every") or 0
        if every < 0:
            raise CommandError("--every must be positive")
        while True:
            self.run_once(fixed or timezone.now())
            if not every:
                return
            close_old_connections()
            time.sleep(every)

    def run_once(self, now: datetime) -> dict[str, int]:
        done = {"lapsed": grants_lapse(now=now)}
        self.stdout.write(f"run_daily {now.isoformat()}: " + ", ".join(f"{k}={v}" for k, v in done.items()))
        return done

"""What does our pain.001 path cost over the plainest lxml writer? (`python benchmarks/bankfiles_ratio.py`)

For BENCH_N (10 000) payouts of all three account kinds, alternating which goes first, BENCH_ROUNDS (7)
times:

- **ours**: `documents.bankfiles.build_pain001` (checks every id, amount and the debtor's account, cleans
  every name and reference for the bank, writes with lxml) + `documents.bankfiles.validate` (parses the
  bytes with the hardened parser and checks them against the vendored XSD);
- **minimal**: `benchmarks/payouts_minimal.py` writing the same elements from plain tuples + lxml
  parsing and validating against the same XSD.

Accounts are parsed into `Account`s before the clock starts (a batch's lines hold checked accounts), and
both schemas are compiled before it (ours caches its schema; the minimal one is compiled once too). Both
files are checked to be XSD-valid and canonically identical (lxml C14N), so the two really write the same
file. The time of the minimal tablib CSV of the same rows is printed beside, for the full benchmark to
come (`make bench-payouts`, issue 10). Times are CPU time of this process (medians); wall-clock beside.

Last line: `RESULT bankfiles ratio=<ours/minimal> ms=<ours> valid=<1 if both valid and identical>`.
Target ratio ≤ 2.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree
from stdnum import luhn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

N = int(os.environ.get("BENCH_N", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TARGET = 2.0
CREATED = datetime(2026, 12, 2, 9, 30, 15, tzinfo=ZoneInfo("Europe/Stockholm"))
EXECUTION = date(2026, 12, 3)
DEBTOR = ("Verket för innovationssystem", "SE4550000000058398257466", "ESSESESS")


def rows(n: int) -> list[tuple[str, Decimal, str, str, str, str, str]]:
    from schwifty import IBAN

    out = []
    for i in range(n):
        kind = ("bankgiro", "plusgiro", "iban")[i % 3]
        if kind == "bankgiro":
            body = f"{5000000 + i:07d}"
            number, bic = body + luhn.calc_check_digit(body), ""
        elif kind == "plusgiro":
            body = f"{100000 + i:06d}"
            number, bic = body + luhn.calc_check_digit(body), ""
        else:
            iban = IBAN.generate("SE", bank_code=("500", "600", "800", "300")[i % 4], account_code=f"{i:016d}")
            number, bic = iban.compact, str(iban.bic)
        amount = Decimal(100 + (i * 7919) % 600_000) + Decimal(i % 100) / 100
        name = f"Kommun nr {i} i Jämtlands län, Östersund"
        out.append((f"P-{i + 1}", amount, name, kind, number, bic, f"2026-{i + 1:05d} förskott"))
    return out


def cpu_and_wall(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    return value, (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def main() -> int:
    import django

    django.setup()
    from benchmarks import payouts_minimal as minimal
    from documents.bankfiles import CreditTransfer, Debtor, build_pain001, parse_account, validate

    data = rows(N)
    transfers = [
        CreditTransfer(e, amount, name, parse_account(kind, number, bic), reference)
        for e, amount, name, kind, number, bic, reference in data
    ]
    debtor = Debtor(*DEBTOR)
    schema = minimal.load_schema()
    validate(b"<x/>", "pain.001.001.03")  # compiles and caches our schema outside the clock

    def ours() -> tuple[bytes, bool]:
        xml = build_pain001(
            message_id="BATCH-2026-0042",
            created_at=CREATED,
            execution_date=EXECUTION,
            debtor=debtor,
            transfers=transfers,
        )
        return xml, validate(xml, "pain.001.001.03") == []

    def bare() -> tuple[bytes, bool]:
        xml = minimal.write_pain001(
            data, message_id="BATCH-2026-0042", created_at=CREATED, execution_date=EXECUTION, debtor=DEBTOR
        )
        return xml, minimal.is_valid(xml, schema)

    ours_cpu, ours_wall, bare_cpu, bare_wall, csv_cpu = [], [], [], [], []
    valid = True
    for i in range(ROUNDS):
        first, second = (ours, bare) if i % 2 else (bare, ours)
        results = {}
        for fn in (first, second):
            results[fn], cpu, wall = cpu_and_wall(fn)
            (ours_cpu if fn is ours else bare_cpu).append(cpu)
            (ours_wall if fn is ours else bare_wall).append(wall)
        (our_xml, our_valid), (bare_xml, bare_valid) = results[ours], results[bare]
        same = etree.tostring(etree.fromstring(our_xml), method="c14n") == etree.tostring(
            etree.fromstring(bare_xml), method="c14n"
        )
        valid = valid and our_valid and bare_valid and same
        _, cpu, _ = cpu_and_wall(lambda: minimal.write_csv(data))
        csv_cpu.append(cpu)

    ours_ms, bare_ms = statistics.median(ours_cpu), statistics.median(bare_cpu)
    ratio = ours_ms / bare_ms
    print(f"bankfiles: {N} transfers (bankgiro, plusgiro, IBAN in turn), {ROUNDS} rounds, {len(our_xml) // 1024} kB")
    print(
        f"ours   : build_pain001 + validate  {ours_ms:7.1f} ms CPU (min {min(ours_cpu):.1f}, max {max(ours_cpu):.1f});"
        f" wall {statistics.median(ours_wall):.1f} ms"
    )
    print(
        f"minimal: lxml writer + XSD          {bare_ms:7.1f} ms CPU (min {min(bare_cpu):.1f}, max {max(bare_cpu):.1f});"
        f" wall {statistics.median(bare_wall):.1f} ms"
    )
    print(f"minimal tablib CSV of the same rows {statistics.median(csv_cpu):7.1f} ms CPU (not in the ratio)")
    print(f"both XSD-valid and canonically identical: {'yes' if valid else 'NO'}")
    print(f"ratio {ratio:.2f} {'meets' if ratio <= TARGET else 'MISSES'} the target {TARGET}")
    print(f"RESULT bankfiles ratio={ratio:.2f} ms={ours_ms:.0f} valid={int(valid)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make run` and `make test` install the system packages they need (scripts/system-packages), or stop at once
with the one command to run. Run against stand-ins for dpkg-query, apt-get, id and sudo on PATH, so the test
installs nothing and does not depend on what this machine has."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages"
TEST_PACKAGES = {"libharfbuzz-subset0", "gettext", "poppler-utils", "chromium"}

STUBS = {
    # Installed unless named in $MISSING.
    "dpkg-query": """#!/bin/sh
for pkg; do :; done  # the last argument
case " $MISSING " in *" $pkg "*) echo "dpkg-query: no packages found matching $pkg" >&2; exit 1;; esac
printf installed
""",
    "apt-get": """#!/bin/sh
echo "$*" >> "$LOG"
[ "${APT_FAILS:-0}" = 1 ] && [ "$1" != update ] && exit 100
exit 0
""",
    "id": """#!/bin/sh
echo "$FAKE_UID"
""",
    "sudo": """#!/bin/sh
if [ "$1" = -n ] && [ "$2" = true ]; then [ "$SUDO_OK" = 1 ]; exit $?; fi
echo "sudo $*" >> "$LOG"
exec "$@"
""",
}


@pytest.fixture
def run(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STUBS.items():
        path = bin_dir / name
        path.write_text(body)
        path.chmod(0o755)
    log = tmp_path / "apt.log"

    def run(target, *, missing=(), uid=1000, sudo_ok=False, apt_fails=False, extra_env=None):
        env = {
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "MISSING": " ".join(missing),
            "LOG": str(log),
            "FAKE_UID": str(uid),
            "SUDO_OK": "1" if sudo_ok else "0",
            "APT_FAILS": "1" if apt_fails else "0",
            **(extra_env or {}),
        }
        result = subprocess.run([str(SCRIPT), target], env=env, capture_output=True, text=True, timeout=30)
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls

    return run


def installed_by(calls):
    install = [c for c in calls if " install " in f" {c} "]
    assert len(install) <= 1, calls
    return set(install[0].split()[3:]) if install else set()


def test_nothing_missing_installs_nothing(run):
    result, calls = run("test")
    assert result.returncode == 0, result.stderr
    assert calls == []


def test_as_root_it_installs_what_make_test_lacks(run):
    result, calls = run("test", missing=["poppler-utils", "chromium"], uid=0)
    assert result.returncode == 0, result.stderr
    assert calls[0] == "update -qq"
    assert installed_by(calls) == {"poppler-utils", "chromium"}


def test_make_test_checks_every_package_the_suite_needs(run):
    result, calls = run("test", missing=sorted(TEST_PACKAGES), uid=0)
    assert result.returncode == 0, result.stderr
    assert installed_by(calls) == TEST_PACKAGES


def test_make_run_needs_fewer(run):
    result, calls = run("run", missing=sorted(TEST_PACKAGES), uid=0)
    assert result.returncode == 0, result.stderr
    assert installed_by(calls) == {"libharfbuzz-subset0", "gettext"}


def test_with_passwordless_sudo_it_installs_through_sudo(run):
    result, calls = run("test", missing=["gettext"], sudo_ok=True)
    assert result.returncode == 0, result.stderr
    assert "sudo apt-get install -y -qq gettext" in calls, calls


def test_without_root_or_sudo_it_stops_with_the_one_command(run):
    result, calls = run("test", missing=["poppler-utils", "chromium"])
    assert result.returncode == 1
    assert calls == []  # nothing tried
    commands = [line.strip() for line in result.stderr.splitlines() if "apt-get" in line]
    assert commands == ["sudo apt-get install -y poppler-utils chromium"]


def test_a_failed_install_stops_with_the_command(run):
    result, _calls = run("test", missing=["chromium"], uid=0, apt_fails=True)
    assert result.returncode == 1
    assert "sudo apt-get install -y chromium" in result.stderr


def test_the_check_can_be_skipped(run):
    result, calls = run("test", missing=["chromium"], extra_env={"SAMVERKET_SKIP_SYSTEM_PACKAGES": "1"})
    assert result.returncode == 0
    assert calls == []


def test_make_run_and_make_test_check_first():
    # Both quick-start targets depend on the check, before `setup` builds the virtualenv.
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun: system-run setup\n" in makefile
    assert "\ntest: system-test setup\n" in makefile
    assert os.access(SCRIPT, os.X_OK)

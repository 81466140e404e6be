"""Every user-facing string has its English translation: makemessages, run on a copy of the project, finds
nothing in the code or templates that the English catalogue lacks, and nothing in it is fuzzy.

Needs GNU gettext (apt: gettext; .ci/run installs it): without it this test fails rather than skips."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.pyc", "*.mo", "fonts", "*.pdf")


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory) -> Path:
    if not shutil.which("xgettext") or not shutil.which("msgattrib"):
        pytest.fail("GNU gettext is not installed (apt-get install gettext); .ci/run installs it.")
    copy = tmp_path_factory.mktemp("project") / "samverket"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCE)
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--ignore=.venv", "--ignore=var"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return copy / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(po: Path, flag: str) -> str:
    found = subprocess.run(["msgattrib", flag, "--no-wrap", str(po)], check=True, capture_output=True, text=True)
    return found.stdout


def test_every_string_has_an_english_translation(fresh_catalogue):
    missing = _entries(fresh_catalogue, "--untranslated")
    assert missing == "", f"strings without English (run `make messages` and translate them):\n{missing}"


def test_no_translation_is_fuzzy(fresh_catalogue):
    fuzzy = _entries(fresh_catalogue, "--only-fuzzy")
    assert fuzzy == "", f"fuzzy entries (check and clear the flag):\n{fuzzy}"


def test_the_project_has_one_catalogue():
    # makemessages writes an app's strings into that app's locale/ when it has one, and the project's
    # LOCALE_PATHS win over apps' catalogues at run time: two catalogues drift apart.
    catalogues = sorted(
        str(p.relative_to(ROOT)) for p in ROOT.glob("*/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts
    )
    assert catalogues == []

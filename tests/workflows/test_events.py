"""The case log in words: every event code the app writes has a label (workflows/events.py), found by reading
the source, and the case page shows labels and state labels, never the codes, in Swedish and English."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from grants.models import ApplicationState
from tests.workflows.lifecycle import bring_to
from workflows.events import EVENT_LABELS, event_label, event_note, state_label

ROOT = Path(__file__).resolve().parent.parent.parent
ORGANISATION_LOG_WRITER = "organisation_event_log"
SOURCE_DIRS = ("grants", "workflows", "documents")


def _source_files() -> list[Path]:
    return [
        path
        for directory in SOURCE_DIRS
        for path in sorted((ROOT / directory).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _strings(node: ast.AST, constants: dict[str, str]) -> list[str]:
    """The string values an expression can have: a literal, a module constant, either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) + _strings(node.orelse, constants)
    return []


def written_event_codes() -> set[str]:
    """Every event code in the source: `event=` arguments (case events and messages, whose codes the log
    shows in the note of `message.queued`), and the values of a flow's `events` table."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in _source_files()]
    constants = {
        target.id: node.value.value
        for tree in trees
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    codes: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            # The organisation log has its own codes and labels (test_organisation_log_codes_have_labels).
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(ORGANISATION_LOG_WRITER):
                continue
            for keyword in node.keywords if isinstance(node, ast.Call) else []:
                if keyword.arg == "event":
                    codes.update(_strings(keyword.value, constants))
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == "events" for t in item.targets)
                        and isinstance(item.value, ast.Dict)
                    ):
                        codes.update(v for value in item.value.values for v in _strings(value, constants))
    return codes


def test_every_event_code_written_has_a_label_and_every_label_a_code():
    codes = written_event_codes()
    # The reader finds what it must: the flow's table, literals, an imported constant, both branches of an if.
    assert {
        "application.submitted",
        "application.returned",
        "attachment.added",
        "application.assigned",
        "document.checksum_failed",
        "review.conflict_declared",
        "review.no_conflict_declared",
        "message.queued",
    } <= codes
    assert sorted(codes - set(EVENT_LABELS)) == [], "event codes without a label in workflows/events.py"
    assert sorted(set(EVENT_LABELS) - codes) == [], "labels for event codes the app never writes"


def test_organisation_log_codes_have_labels():
    """The organisation log's codes (grants/services/memberships.py) have labels of their own, both ways."""
    from grants.models.organisations import ORGANISATION_EVENT_LABELS

    written: set[str] = set()
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(ORGANISATION_LOG_WRITER):
                for keyword in node.keywords:
                    if keyword.arg == "event":
                        written.update(_strings(keyword.value, {}))
    assert {"membership.added", "membership.role_changed", "membership.removed", "join.granted"} <= written
    assert sorted(written - set(ORGANISATION_EVENT_LABELS)) == []
    assert sorted(set(ORGANISATION_EVENT_LABELS) - written) == []
    for code, label in ORGANISATION_EVENT_LABELS.items():
        with translation.override("sv"):
            swedish = str(label)
        with translation.override("en"):
            english = str(label)
        assert swedish and english and english != swedish, code


def test_labels_in_both_languages():
    for code in EVENT_LABELS:
        with translation.override("sv"):
            swedish = event_label(code)
        with translation.override("en"):
            english = event_label(code)
        assert swedish and english and swedish != code and english != swedish, code
    assert event_label("something.unknown") == "something.unknown"
    with translation.override("en"):
        assert state_label("AWAITING_COMPLETION") == "Awaiting supplementary information"
        assert event_note("eligibility.checked", "FAIL") == "not passed"
        assert event_note("message.queued", "application.decided → a@example.se") == "Decision sent → a@example.se"
    assert state_label("") == "" and state_label("NO_SUCH_STATE") == "NO_SUCH_STATE"
    assert event_note("message.queued", "nothing to translate") == "nothing to translate"


@pytest.fixture
def awaiting(draft, cast, now):
    app = bring_to(draft, ApplicationState.AWAITING_COMPLETION, cast, now)
    return app


def _log(html: str) -> str:
    start = html.index('<section aria-labelledby="log-title"')
    return html[start : html.index("</section>", start)]


def test_case_log_is_in_words(client, awaiting, cast):
    client.force_login(cast.officer)
    log = _log(client.get(reverse("staff_case", args=[awaiting.pk])).content.decode())
    assert "Komplettering begärd" in log and "Under handläggning → Väntar på komplettering" in log
    assert "Inkommen → Under handläggning" in log and "Formell kontroll gjord" in log and ">godkänd<" in log
    assert "Meddelande köat för utskick" in log
    for code in ("application.", "eligibility.", "message.queued", "IN_REVIEW", "AWAITING_COMPLETION", ">OK<"):
        assert code not in log, code
    log = _log(client.get(reverse("staff_case", args=[awaiting.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Supplementary information requested" in log
    assert "Being processed → Awaiting supplementary information" in log
    assert "Komplettering begärd" not in log and "application." not in log


def test_unknown_code_is_shown_as_it_is(client, awaiting, cast, now):
    from workflows.base import log_event

    log_event(application=awaiting, actor=None, event="legacy.thing", now=now + timedelta(seconds=1))
    client.force_login(cast.officer)
    assert "legacy.thing" in _log(client.get(reverse("staff_case", args=[awaiting.pk])).content.decode())

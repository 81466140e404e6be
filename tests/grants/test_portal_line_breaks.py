"""A line break counts as one character, as the browser counts it for `maxlength`: browsers send CR LF, and
the server turns every line break into LF before checking the length, in every multi-line applicant field."""

import pytest
from django.urls import reverse

from grants.models import Application, ApplicationState
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent


def typed(limit: int, lines: int = 20) -> tuple[str, str]:
    """Text one character under `limit` as the browser counts it, in `lines` lines: (as sent, as stored)."""
    breaks = lines - 1
    width, extra = divmod(limit - 1 - breaks, lines)
    rows = [("å" if i % 2 else "a") * (width + (1 if i < extra else 0)) for i in range(lines)]
    stored = "\n".join(rows)
    assert len(stored) == limit - 1
    return "\r\n".join(rows), stored


@pytest.fixture
def member(client, applicant):
    applicant.refresh_from_db()
    client.force_login(applicant)
    return client


def _section(app, key):
    return reverse("application_section", kwargs={"pk": app.pk, "section": key})


def test_a_summary_of_1999_characters_with_19_line_breaks_is_accepted(member, draft):
    sent, stored = typed(2000)
    assert sent.count("\r\n") == 19 and len(sent) == 2018
    response = member.post(
        _section(draft, "project"), {"title": draft.title, "summary": sent, "description": draft.description}
    )
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert draft.summary == stored and "\r" not in draft.summary


def test_a_summary_over_the_limit_is_still_refused(member, draft):
    sent = "\r\n".join(["a" * 99] * 20) + "bc"  # 2 001 characters as the browser counts them
    response = member.post(
        _section(draft, "project"), {"title": draft.title, "summary": sent, "description": draft.description}
    )
    assert response.status_code == 200 and "summary" in response.context["form"].errors
    assert Application.objects.get(pk=draft.pk).summary == draft.summary


@pytest.mark.parametrize(
    ("section", "field", "limit"),
    [
        ("project", "description", 20000),
        ("site", "coworking_sites", 2000),
        ("participants", "participants_description", 4000),
    ],
)
def test_every_multi_line_field_of_the_application_counts_a_line_break_once(member, draft, section, field, limit):
    sent, stored = typed(limit)
    data = {name: getattr(draft, name) or "" for name in ("title", "summary", "description", "coworking_sites")}
    data.update({"participants_count": "5", field: sent})
    response = member.post(_section(draft, section), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert getattr(draft, field) == stored


def test_old_mac_line_breaks_become_lf_too(member, draft):
    response = member.post(_section(draft, "site"), {"coworking_sites": "Samverket Östersund\rSamverket Stockholm"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.coworking_sites == "Samverket Östersund\nSamverket Stockholm"


def test_the_withdrawal_reason_counts_a_line_break_once(member, draft, cast, now):
    app = bring_to(draft, ApplicationState.SUBMITTED, cast, now)
    sent, stored = typed(2000)
    response = member.post(reverse("application_withdraw", kwargs={"pk": app.pk}), {"reason": sent})
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.state, app.withdrawn_reason) == (ApplicationState.WITHDRAWN, stored)


def test_the_completion_answer_counts_a_line_break_once(member, draft, cast, now):
    app = bring_to(draft, ApplicationState.AWAITING_COMPLETION, cast, now)
    sent, stored = typed(4000)
    response = member.post(reverse("application_completion", kwargs={"pk": app.pk}), {"note": sent})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.IN_REVIEW
    assert CaseEvent.objects.filter(application=app, event="application.completed").get().note == stored


def _form_classes():
    """Every form class of the app: the portal's, the staff's and those defined in the views."""
    import importlib

    from django import forms as django_forms

    for module in (
        "grants.forms",
        "grants.forms_staff",
        "grants.views.staff.case",
        "grants.views.staff.decisions",
        "grants.views.staff.reviews",
        "grants.views.staff.queues",
        "grants.views.completion",
    ):
        importlib.import_module(module)
    seen, todo = set(), [django_forms.Form, django_forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((c for c in seen if c.__module__.startswith("grants.")), key=lambda c: c.__qualname__)


def test_every_textarea_of_the_app_counts_a_line_break_once():
    from django import forms as django_forms

    from grants.forms import MultilineTextField

    textareas = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            # A length limit is what a CR LF pair breaks; admin text without one is left as the admin sends it.
            if isinstance(field.widget, django_forms.Textarea) and getattr(field, "max_length", None):
                textareas.append(f"{form_class.__qualname__}.{name}")
                assert isinstance(field, MultilineTextField), f"{form_class.__qualname__}.{name}"
    assert len(textareas) >= 8  # the staff forms too, not only the portal's

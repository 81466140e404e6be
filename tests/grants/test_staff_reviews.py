"""The reviewer's side: assignments, the conflict-of-interest declaration (jäv) before anything of the
application is shown, scoring, and the summary the officer and decision-maker see (DESIGN.md §5 rule 6)."""

import re
from datetime import timedelta

import html5lib
import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.errors import NotAllowed, ServiceError
from grants.models import ApplicationState, Criterion, Review, ReviewScore
from grants.selectors.reviews import review_summary
from grants.services.reviews import review_assign, review_declare, review_submit, review_unassign
from tests.factories import MembershipFactory, ReviewFactory, UserFactory
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import bring_to

SECRET_CONTENT = "Vi testar att arbeta från en coworkinghubb"  # the factory's summary: content, not jäv data


@pytest.fixture
def case(draft, cast, now):
    return bring_to(draft, ApplicationState.SUBMITTED, cast, now)


@pytest.fixture
def reviewer(db):
    return UserFactory(email="bedomare@example.se", full_name="Berit Bedömare", roles=["reviewer"])


@pytest.fixture
def review(case, officer, reviewer, now):
    return review_assign(actor=officer, application=case, reviewer=reviewer, now=now)


@pytest.fixture
def declared(review, reviewer, now):
    return review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)


def urls(review):
    attachment = review.application.attachments.first()
    return {
        "declare": reverse("staff_review_declare", args=[review.pk]),
        "detail": reverse("staff_review_detail", args=[review.pk]),
        "attachment": reverse("staff_review_attachment", args=[review.pk, attachment.pk]),
    }


def score_data(criteria, scores=None, justification="Väl underbyggt.", recommendation="APPROVE"):
    data = {"recommendation": recommendation, "comment": "Ett bra projekt."}
    for i, c in enumerate(criteria):
        data[f"score_{c.pk}"] = str(scores[i] if scores else 5)
        data[f"justification_{c.pk}"] = justification
    return data


def criteria_of(review):
    return list(Criterion.objects.filter(call_id=review.application.call_id).order_by("position", "pk"))


# --- visibility (rule 6) -------------------------------------------------------------------------------


def test_undeclared_reviewer_sees_nothing_of_the_application(client, review, reviewer):
    client.force_login(reviewer)
    u = urls(review)
    assert client.get(u["detail"]).status_code == 404
    assert client.get(u["attachment"]).status_code == 404
    response = client.get(u["declare"])
    _check(response)
    page = response.content.decode()
    application = review.application
    assert application.reference_number in page
    assert application.organisation.name in page
    assert application.organisation.orgnr_display in page
    assert application.title in page
    assert application.contact_name in page
    assert "förvaltningslagen" in page
    assert SECRET_CONTENT not in page
    assert application.description not in page
    assert "/attachments/" not in page


def test_reviewer_with_no_conflict_sees_application_and_attachments(client, declared, reviewer):
    client.force_login(reviewer)
    u = urls(declared)
    response = client.get(u["detail"])
    _check(response)
    page = response.content.decode()
    assert SECRET_CONTENT in page
    assert u["attachment"] in page
    assert reverse("attachment_download", args=[declared.application_id, 1]).rsplit("/", 2)[0] not in page
    download = client.get(u["attachment"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_declared_conflict_hides_application_and_attachments(client, review, reviewer, now):
    review_declare(actor=reviewer, review=review, conflict=True, reason="Projektledaren är min syster.", now=now)
    client.force_login(reviewer)
    u = urls(review)
    assert client.get(u["detail"]).status_code == 404
    assert client.get(u["attachment"]).status_code == 404
    assert client.post(u["detail"], score_data(criteria_of(review))).status_code == 404
    assert client.get(u["declare"]).status_code == 302


def test_another_reviewer_gets_404_for_someone_elses_assignment(client, declared):
    other = UserFactory(roles=["reviewer"])
    client.force_login(other)
    for url in urls(declared).values():
        assert client.get(url).status_code == 404
    assert client.post(urls(declared)["declare"], {"conflict": "yes", "reason": "x"}).status_code == 404
    assert Review.objects.get(pk=declared.pk).conflict == Review.Conflict.NONE


@pytest.mark.parametrize("who", ["applicant", "finance", "officer", "decider", "admin"])
def test_non_reviewers_get_404_on_reviewer_urls(client, declared, who, applicant, officer, decider):
    user = {
        "applicant": applicant,
        "officer": officer,
        "decider": decider,
        "finance": UserFactory(roles=["finance"]),
        "admin": UserFactory(roles=["programme_admin"]),
    }[who]
    client.force_login(user)
    for url in [reverse("staff_review_list"), *urls(declared).values()]:
        assert client.get(url).status_code == 404, url


def test_withdrawn_assignment_hides_the_application(client, declared, reviewer, officer, now):
    review_unassign(actor=officer, review=declared, now=now)
    client.force_login(reviewer)
    for url in urls(declared).values():
        assert client.get(url).status_code == 404, url
    assert client.post(urls(declared)["detail"], score_data(criteria_of(declared))).status_code == 404
    with pytest.raises(ServiceError, match="Handläggaren har återkallat uppdraget."):
        review_submit(actor=reviewer, review=declared, scores={}, recommendation="APPROVE", comment="", now=now)
    assert Review.objects.get(pk=declared.pk).submitted_at is None
    assert declared.application.reference_number not in client.get(reverse("staff_review_list")).content.decode()


def test_a_withdrawn_undeclared_assignment_is_no_longer_the_reviewers(client, review, reviewer, officer, now):
    review_unassign(actor=officer, review=review, now=now)
    client.force_login(reviewer)
    assert client.get(urls(review)["declare"]).status_code == 404
    assert client.post(urls(review)["declare"], {"conflict": "no"}).status_code == 404
    with pytest.raises(ServiceError, match="Handläggaren har återkallat uppdraget."):
        review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)
    assert Review.objects.get(pk=review.pk).conflict == Review.Conflict.UNDECLARED
    page = client.get(reverse("staff_review_list")).content.decode()
    assert review.application.reference_number not in page


def test_the_migration_turns_an_old_style_withdrawal_back(case, review, officer, reviewer, now):
    """Rows the old review_unassign wrote (conflict CONFLICT, a canned reason in either language) get
    withdrawn_at/withdrawn_by from the case log and the reviewer's own declaration back."""
    import importlib

    from django.apps import apps

    from workflows.base import log_event

    migration = importlib.import_module("grants.migrations.0006_review_withdrawn")
    later = now + timedelta(days=2)

    def old_style(review, reason, declared_at):
        Review.objects.filter(pk=review.pk).update(
            conflict=Review.Conflict.CONFLICT, conflict_reason=reason, declared_at=declared_at
        )

    # Withdrawn before any declaration, in Swedish.
    undeclared = review
    old_style(undeclared, "Tilldelningen återkallad av handläggaren.", later)
    log_event(application=case, actor=officer, event="review.unassigned", now=later, note=reviewer.get_full_name())
    # Declared no conflict, then withdrawn while English was active.
    second = UserFactory(full_name="Nils Nej", roles=["reviewer"])
    no_conflict = review_assign(actor=officer, application=case, reviewer=second, now=now)
    review_declare(actor=second, review=no_conflict, conflict=False, reason="", now=now + timedelta(days=1))
    old_style(no_conflict, "Assignment withdrawn by the case officer.", now + timedelta(days=1))
    log_event(application=case, actor=officer, event="review.unassigned", now=later, note="Nils Nej")
    # Declared a conflict: the reason the reviewer gave was overwritten.
    third = UserFactory(full_name="Jana Jävig", roles=["reviewer"])
    conflict = review_assign(actor=officer, application=case, reviewer=third, now=now)
    review_declare(actor=third, review=conflict, conflict=True, reason="Min syster leder projektet.", now=now)
    old_style(conflict, "Tilldelningen återkallad av handläggaren.", now)
    log_event(application=case, actor=officer, event="review.unassigned", now=later, note="Jana Jävig")
    # No case log entry for the withdrawal: declared_at is the best time there is.
    fourth = UserFactory(full_name="Utan Logg", roles=["reviewer"])
    unlogged = review_assign(actor=officer, application=case, reviewer=fourth, now=now)
    old_style(unlogged, "Tilldelningen återkallad av handläggaren.", later)
    # A real conflict, never withdrawn: left alone.
    fifth = UserFactory(roles=["reviewer"])
    real = review_assign(actor=officer, application=case, reviewer=fifth, now=now)
    review_declare(actor=fifth, review=real, conflict=True, reason="Jag har arbetat där.", now=now)

    migration.convert_withdrawn(apps, connection.schema_editor())

    rows = {r.pk: r for r in Review.objects.all()}
    row = rows[undeclared.pk]
    assert (row.withdrawn_at, row.withdrawn_by, row.conflict, row.conflict_reason, row.declared_at) == (
        later,
        officer,
        Review.Conflict.UNDECLARED,
        "",
        None,
    )
    row = rows[no_conflict.pk]
    assert (row.withdrawn_at, row.conflict, row.conflict_reason) == (later, Review.Conflict.NONE, "")
    assert row.declared_at == now + timedelta(days=1)
    row = rows[conflict.pk]
    assert (row.withdrawn_at, row.conflict, row.conflict_reason) == (
        later,
        Review.Conflict.CONFLICT,
        "Min syster leder projektet.",
    )
    row = rows[unlogged.pk]
    assert (row.withdrawn_at, row.withdrawn_by, row.conflict) == (later, None, Review.Conflict.UNDECLARED)
    row = rows[real.pk]
    assert (row.withdrawn_at, row.conflict, row.conflict_reason) == (
        None,
        Review.Conflict.CONFLICT,
        "Jag har arbetat där.",
    )
    # Run twice, nothing changes.
    migration.convert_withdrawn(apps, connection.schema_editor())
    assert {r.pk: (r.withdrawn_at, r.conflict, r.conflict_reason) for r in Review.objects.all()} == {
        r.pk: (r.withdrawn_at, r.conflict, r.conflict_reason) for r in rows.values()
    }


def test_anonymous_is_sent_to_login(client, declared):
    response = client.get(urls(declared)["detail"])
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_removed_reviewer_role_hides_the_assignment(client, declared, reviewer):
    reviewer.groups.clear()
    client.force_login(reviewer)
    for url in urls(declared).values():
        assert client.get(url).status_code == 404


# --- declaring -----------------------------------------------------------------------------------------


def test_declaring_conflict_requires_a_reason_and_recuses(client, review, reviewer):
    client.force_login(reviewer)
    u = urls(review)
    response = client.post(u["declare"], {"conflict": "yes", "reason": "  "})
    _check(response)
    assert "Beskriv varför du är jävig." in response.content.decode()
    assert Review.objects.get(pk=review.pk).conflict == Review.Conflict.UNDECLARED

    response = client.post(u["declare"], {"conflict": "yes", "reason": "Jag sitter i kommunens styrelse."})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_review_list")
    review.refresh_from_db()
    assert review.conflict == Review.Conflict.CONFLICT
    assert review.conflict_reason == "Jag sitter i kommunens styrelse."
    # Recused for good: no second declaration, no scoring.
    assert client.post(u["declare"], {"conflict": "no"}).status_code == 302
    assert Review.objects.get(pk=review.pk).conflict == Review.Conflict.CONFLICT
    assert client.get(u["detail"]).status_code == 404
    with pytest.raises(ServiceError):
        review_submit(
            actor=reviewer, review=review, scores={}, recommendation="APPROVE", comment="", now=review.declared_at
        )


def test_declaring_requires_a_choice(client, review, reviewer):
    client.force_login(reviewer)
    response = client.post(urls(review)["declare"], {"reason": "Kanske"})
    _check(response)
    page = response.content.decode()
    assert "Ange om du är jävig eller inte." in page
    assert "Kanske" in page  # typed input kept
    assert Review.objects.get(pk=review.pk).conflict == Review.Conflict.UNDECLARED


def test_declaring_no_conflict_opens_the_application(client, review, reviewer):
    client.force_login(reviewer)
    response = client.post(urls(review)["declare"], {"conflict": "no", "reason": ""})
    assert response["Location"] == urls(review)["detail"]
    assert Review.objects.get(pk=review.pk).conflict == Review.Conflict.NONE
    assert client.get(urls(review)["declare"])["Location"] == urls(review)["detail"]


# --- scoring -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0", "8", "abc", "", "4.5"])
def test_scoring_refuses_out_of_scale_and_keeps_input(client, declared, reviewer, bad):
    client.force_login(reviewer)
    criteria = criteria_of(declared)
    assert len(criteria) == 2
    data = score_data(criteria, justification="Min noggranna motivering")
    data[f"score_{criteria[0].pk}"] = bad
    response = client.post(urls(declared)["detail"], data)
    _check(response)
    page = response.content.decode()
    assert f"Ge ”{criteria[0].name}” ett betyg från 1 till 7." in page
    assert "Min noggranna motivering" in page
    assert re.search(rf'value="5" id="id_score_{criteria[1].pk}_4"[^>]*checked', page)  # the other score kept
    assert not ReviewScore.objects.filter(review=declared).exists()
    assert Review.objects.get(pk=declared.pk).submitted_at is None


def test_scoring_requires_every_justification_and_a_recommendation(client, declared, reviewer):
    client.force_login(reviewer)
    criteria = criteria_of(declared)
    data = score_data(criteria, recommendation="")
    data[f"justification_{criteria[1].pk}"] = ""
    response = client.post(urls(declared)["detail"], data)
    _check(response)
    page = response.content.decode()
    assert f"Motivera betyget för ”{criteria[1].name}”." in page
    assert "Välj en rekommendation." in page
    assert f'href="#id_score_{criteria[0].pk}_0"' not in page  # that one was fine
    assert Review.objects.get(pk=declared.pk).submitted_at is None


def test_error_summary_links_to_the_first_radio(client, declared, reviewer):
    client.force_login(reviewer)
    criteria = criteria_of(declared)
    data = score_data(criteria)
    del data[f"score_{criteria[0].pk}"]
    page = client.post(urls(declared)["detail"], data).content.decode()
    assert f'href="#id_score_{criteria[0].pk}_0"' in page
    assert f'id="id_score_{criteria[0].pk}_0"' in page


def test_scoring_submits_and_then_shows_read_only(client, declared, reviewer):
    client.force_login(reviewer)
    criteria = criteria_of(declared)
    response = client.post(urls(declared)["detail"], score_data(criteria, scores=[6, 3]))
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.submitted_at is not None
    assert declared.recommendation == "APPROVE"
    assert sorted(ReviewScore.objects.filter(review=declared).values_list("score", flat=True)) == [3, 6]
    response = client.get(urls(declared)["detail"])
    _check(response)
    page = response.content.decode()
    assert '<form method="post" novalidate>' not in page
    assert "Väl underbyggt." in page
    # A second submission changes nothing.
    client.post(urls(declared)["detail"], score_data(criteria, scores=[1, 1]))
    assert sorted(ReviewScore.objects.filter(review=declared).values_list("score", flat=True)) == [3, 6]


def test_service_refuses_bad_scores(declared, reviewer, now):
    criteria = criteria_of(declared)
    for bad in (0, 8, "abc", None):
        with pytest.raises(ServiceError) as exc:
            review_submit(
                actor=reviewer,
                review=declared,
                scores={criteria[0].pk: (bad, "x"), criteria[1].pk: (4, "y")},
                recommendation="APPROVE",
                comment="",
                now=now,
            )
        assert exc.value.field == f"score_{criteria[0].pk}"
    with pytest.raises(NotAllowed):
        review_submit(
            actor=UserFactory(roles=["reviewer"]),
            review=declared,
            scores={},
            recommendation="APPROVE",
            comment="",
            now=now,
        )


# --- the list ------------------------------------------------------------------------------------------


def test_list_shows_only_own_assignments_in_three_sections(client, review, reviewer, officer, now):
    other = UserFactory(roles=["reviewer"])
    ReviewFactory(reviewer=other, application__title="Någon annans projekt")
    client.force_login(reviewer)
    response = client.get(reverse("staff_review_list"))
    _check(response)
    page = response.content.decode()
    assert review.application.reference_number in page
    assert urls(review)["declare"] in page
    assert "Någon annans projekt" not in page
    assert "Mina bedömningar" in page


def _make_assignments(reviewer, n):
    for i in range(n):
        kind = i % 4
        review = ReviewFactory(reviewer=reviewer, application__title=f"Projekt {i}")
        if kind == 1:
            Review.objects.filter(pk=review.pk).update(conflict=Review.Conflict.NONE)
        elif kind == 2:
            Review.objects.filter(pk=review.pk).update(conflict=Review.Conflict.CONFLICT, conflict_reason="Jäv")


def _count_list_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("staff_review_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_list_queries_are_constant(client, db):
    few, many = UserFactory(roles=["reviewer"]), UserFactory(roles=["reviewer"])
    _make_assignments(few, 5)
    _make_assignments(many, 50)
    n_few, _ = _count_list_queries(client, few)
    n_many, response = _count_list_queries(client, many)
    assert n_few == n_many
    assert response.content.decode().count("Projekt ") >= 50


# --- assigning -----------------------------------------------------------------------------------------


def test_assign_refuses_non_reviewers_members_and_duplicates(case, officer, reviewer, applicant, now):
    with pytest.raises(ServiceError, match="rollen bedömare"):
        review_assign(actor=officer, application=case, reviewer=UserFactory(roles=["finance"]), now=now)
    member = UserFactory(roles=["reviewer"])
    MembershipFactory(user=member, organisation=case.organisation)
    with pytest.raises(ServiceError, match="sökande organisationen"):
        review_assign(actor=officer, application=case, reviewer=member, now=now)
    review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    with pytest.raises(ServiceError, match="redan bedömare"):
        review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    with pytest.raises(NotAllowed):
        review_assign(actor=reviewer, application=case, reviewer=UserFactory(roles=["reviewer"]), now=now)
    assert Review.objects.filter(application=case).count() == 1


def test_assign_refuses_a_draft(draft, officer, reviewer, now):
    with pytest.raises(ServiceError):
        review_assign(actor=officer, application=draft, reviewer=reviewer, now=now)


def test_assignment_notifies_the_reviewer(case, officer, reviewer, now, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert case.reference_number in mail.outbox[0].subject
    assert SECRET_CONTENT not in mail.outbox[0].body


# --- the summary ---------------------------------------------------------------------------------------


def _submit(case, officer, now, scores, recommendation="APPROVE"):
    reviewer = UserFactory(roles=["reviewer"])
    review = review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)
    criteria = list(Criterion.objects.filter(call_id=case.call_id).order_by("position", "pk"))
    review_submit(
        actor=reviewer,
        review=review,
        scores={c.pk: (s, f"Motivering {s}") for c, s in zip(criteria, scores, strict=True)},
        recommendation=recommendation,
        comment="Sammanfattning",
        now=now,
    )
    return reviewer


def test_summary_mean_and_spread(case, officer, now, django_assert_max_num_queries):
    names = [
        _submit(case, officer, now, [3, 7]).get_full_name(),
        _submit(case, officer, now, [5, 7]).get_full_name(),
        _submit(case, officer, now, [7, 6], recommendation="REJECT").get_full_name(),
    ]
    pending = UserFactory(roles=["reviewer"])
    review_assign(actor=officer, application=case, reviewer=pending, now=now)
    recused = UserFactory(roles=["reviewer"])
    review = review_assign(actor=officer, application=case, reviewer=recused, now=now)
    review_declare(actor=recused, review=review, conflict=True, reason="Min bror är projektledare.", now=now)
    withdrawn = UserFactory(full_name="Åsa Återkallad", roles=["reviewer"])
    review_unassign(
        actor=officer,
        review=review_assign(actor=officer, application=case, reviewer=withdrawn, now=now),
        now=now,
    )

    with django_assert_max_num_queries(3):
        summary = review_summary(case)
    first, second = summary["criteria"]
    assert (first["n"], str(first["mean"]), first["min"], first["max"], str(first["stdev"])) == (3, "5.0", 3, 7, "1.6")
    # 7, 7, 6: mean 6.666… → 6.7; σ = 0.471… → 0.5
    assert (second["n"], str(second["mean"]), second["min"], second["max"], str(second["stdev"])) == (
        3,
        "6.7",
        6,
        7,
        "0.5",
    )
    assert [r["reviewer_name"] for r in summary["reviews"]] == names
    assert summary["reviews"][2]["recommendation"] == "REJECT"
    assert [s["score"] for s in summary["reviews"][0]["scores"]] == [3, 7]
    assert summary["submitted_count"] == 3 and summary["assigned_count"] == 5
    assert [p["reviewer_name"] for p in summary["pending"]] == [pending.get_full_name()]
    assert [r["reason"] for r in summary["recused"]] == ["Min bror är projektledare."]
    assert [(w["reviewer_name"], w["withdrawn_at"]) for w in summary["withdrawn"]] == [("Åsa Återkallad", now)]
    assert {r["code"]: r["count"] for r in summary["recommendations"]} == {"APPROVE": 2, "REJECT": 1}

    fragment = render_to_string("staff/_review_summary.html", {"summary": summary})
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    doc = parser.parseFragment(fragment)
    assert "5,0" in fragment and "3–7" in fragment and "1,6" in fragment  # Swedish decimal comma
    assert any(c.tag == "caption" for c in doc.iter())
    assert all(th.get("scope") in {"col", "row"} for th in doc.iter("th"))


def test_summary_without_reviews(case):
    summary = review_summary(case)
    assert summary["reviews"] == [] and summary["assigned_count"] == 0
    assert all(c["n"] == 0 and c["mean"] is None for c in summary["criteria"])
    fragment = render_to_string("staff/_review_summary.html", {"summary": summary})
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(fragment)
    assert "Inga bedömare är tilldelade." in fragment

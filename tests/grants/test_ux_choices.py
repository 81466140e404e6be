"""Issue 9 item 9: every radio and checkbox stands directly before its own label (GOV.UK style): the group is a
fieldset with the question as legend, its hint and errors tied to the fieldset, each option an input followed by
its label in one `.choice`. Checked on every page that has radios or checkboxes outside the admin."""

import lxml.html
import pytest
from django.urls import reverse

from grants.models import ApplicationState
from grants.services.reviews import review_assign, review_declare
from tests.factories import UserFactory
from tests.workflows.lifecycle import bring_to


def choice_problems(html: str) -> list[str]:
    """Every radio and checkbox in <main> that is not directly followed by its own label in a `.choice`, or
    whose group's aria-describedby points at nothing."""
    root = lxml.html.fromstring(html)
    ids = set(root.xpath("//@id"))
    problems = []
    inputs = root.xpath("//main//input[@type='radio' or @type='checkbox']")
    for el in inputs:
        if el.xpath("ancestor::table"):
            continue  # row selection in tables has its own (visually hidden) label in the same cell
        name = f"{el.get('name')}={el.get('value')}"
        label = el.getnext()
        if label is None or label.tag != "label" or label.get("for") != el.get("id") or not el.get("id"):
            problems.append(f"{name}: not followed by its own label")
        # .radio-inline: the 1–7 score scale, one row of radios each directly before its number
        if not {"choice", "radio-inline"} & set((el.getparent().get("class") or "").split()):
            problems.append(f"{name}: not in a .choice")
        group = el.xpath("ancestor::fieldset[1]")
        if el.get("type") == "radio" or (group and "choices" in (group[0].get("class") or "")):
            if not group or not group[0].xpath("./legend"):
                problems.append(f"{name}: its group is not a fieldset with a legend")
        for fieldset in group:
            for ref in (fieldset.get("aria-describedby") or "").split():
                if ref not in ids:
                    problems.append(f"{name}: aria-describedby points at missing {ref}")
    return problems


@pytest.fixture
def case(draft, cast, now):
    return bring_to(draft, ApplicationState.SUBMITTED, cast, now)


@pytest.fixture
def reviewer(db):
    return UserFactory(email="bedomare@example.se", full_name="Berit Bedömare", roles=["reviewer"])


@pytest.fixture
def review(case, officer, reviewer, now):
    return review_assign(actor=officer, application=case, reviewer=reviewer, now=now)


def test_the_jav_declaration_radios_stand_beside_their_labels(client, review, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("staff_review_declare", args=[review.pk])).content.decode()
    root = lxml.html.fromstring(page)
    assert len(root.xpath("//main//input[@type='radio']")) == 2
    assert choice_problems(page) == []
    legend = root.xpath("//main//fieldset[contains(@class, 'choices')]/legend")[0].text_content()
    assert "Är du jävig i det här ärendet?" in legend


def test_a_missing_jav_answer_is_tied_to_the_group_and_linked_from_the_summary(client, review, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("staff_review_declare", args=[review.pk]), {"reason": ""})
    page = response.content.decode()
    assert choice_problems(page) == []
    root = lxml.html.fromstring(page)
    fieldset = root.xpath("//main//fieldset[contains(@class, 'choices')]")[0]
    (error_id,) = fieldset.get("aria-describedby").split()
    assert "Ange om du är jävig eller inte." in root.get_element_by_id(error_id).text_content()
    link = root.xpath("//div[@id='error-summary']//a")[0].get("href")
    assert root.get_element_by_id(link[1:]).get("type") == "radio"


def test_the_case_page_checkboxes_stand_beside_their_labels(client, case, officer):
    client.force_login(officer)
    page = client.get(reverse("staff_case", args=[case.pk])).content.decode()
    root = lxml.html.fromstring(page)
    sections = root.xpath("//main//input[@type='checkbox' and @name='compl-sections']")
    assert len(sections) >= 5
    assert len(root.xpath("//main//input[@type='checkbox' and starts-with(@name, 'elig-')]")) == 5
    assert choice_problems(page) == []


def test_completion_sections_error_links_to_the_first_checkbox(client, case, officer):
    client.force_login(officer)
    url = reverse("staff_case_request_completion", args=[case.pk])
    page = client.post(url, {"compl-message": "Komplettera budgeten.", "compl-answer_by": "2030-01-01"}).content
    page = page.decode()
    assert choice_problems(page) == []
    root = lxml.html.fromstring(page)
    hrefs = [a.get("href") for a in root.xpath("//div[@id='error-summary']//a")]
    assert "#id_compl-sections_0" in hrefs


def test_the_proposal_radios_stand_beside_their_labels(client, draft, officer, cast, now):
    client.force_login(officer)
    application = bring_to(draft, ApplicationState.IN_REVIEW, cast, now)
    page = client.get(reverse("staff_case_propose", args=[application.pk])).content.decode()
    assert len(lxml.html.fromstring(page).xpath("//main//input[@type='radio']")) == 2
    assert choice_problems(page) == []


def test_the_review_can_be_declared_with_the_component(client, review, reviewer, now):
    client.force_login(reviewer)
    response = client.post(reverse("staff_review_declare", args=[review.pk]), {"conflict": "no"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.conflict == "NONE"


def test_the_score_scale_radios_stand_beside_their_numbers(client, review, reviewer, now):
    review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)
    client.force_login(reviewer)
    page = client.get(reverse("staff_review_detail", args=[review.pk])).content.decode()
    assert len(lxml.html.fromstring(page).xpath("//main//input[@type='radio']")) >= 7
    assert choice_problems(page) == []

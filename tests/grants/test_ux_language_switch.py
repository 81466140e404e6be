"""Issue 9 item 13: switching language in the middle of a draft keeps what was typed. On a draft page the
language button sends the draft form (no script needed): what can be saved is saved, then the page comes back in
the other language; what cannot is shown again with its errors in the other language, and nothing is saved."""

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse

from grants.models import Application


def _url(app, section):
    return reverse("application_section", kwargs={"pk": app.pk, "section": section})


@pytest.fixture
def member(client, applicant):
    client.force_login(applicant)
    return client


@pytest.mark.parametrize("section", ["project", "budget", "participants"])
def test_the_language_button_of_a_draft_page_sends_the_draft(member, draft, section):
    root = lxml.html.fromstring(member.get(_url(draft, section)).content.decode())
    (button,) = root.xpath("//header//button[@name='switch_language']")
    assert button.get("form") == "draft-form" and button.get("value") == "en"
    assert root.get_element_by_id("draft-form").tag == "form"
    # Enter in a field still does what the page's own first button does, not switch the language.
    first = root.xpath("//button[@form='draft-form' or ancestor::form[@id='draft-form']][@type='submit']")[0]
    assert first.get("name") == "save_next"


def test_switching_saves_what_was_typed_and_shows_the_same_page_in_english(member, draft):
    data = {
        "title": "Ny titel",
        "summary": "Ny sammanfattning",
        "description": "Ny beskrivning",
        "switch_language": "en",
    }
    response = member.post(_url(draft, "project"), data)
    assert response.status_code == 302 and response["Location"] == _url(draft, "project")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.description) == ("Ny titel", "Ny sammanfattning", "Ny beskrivning")
    page = member.get(response["Location"]).content.decode()
    root = lxml.html.fromstring(page)
    assert root.get("lang") == "en"
    assert "What you typed is saved." in page
    assert root.get_element_by_id("id_title").get("value") == "Ny titel"


def test_switching_with_an_error_keeps_everything_typed_and_saves_nothing(member, draft):
    before = Application.objects.get(pk=draft.pk).participants_description
    data = {
        "participants_count": "tjugo",
        "participants_description": "Handläggare och chefer",
        "switch_language": "en",
    }
    response = member.post(_url(draft, "participants"), data)
    assert response.status_code == 200
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    root = lxml.html.fromstring(response.content.decode())
    assert root.get("lang") == "en"
    assert root.get_element_by_id("id_participants_count").get("value") == "tjugo"
    assert "Handläggare och chefer" in root.get_element_by_id("id_participants_description").text_content()
    assert "The language has changed." in response.content.decode()
    assert root.xpath("//div[@id='error-summary']")
    assert Application.objects.get(pk=draft.pk).participants_description == before
    # the button now offers the way back, still sending the draft
    (button,) = root.xpath("//header//button[@name='switch_language']")
    assert button.get("value") == "sv" and button.get("form") == "draft-form"


def test_switching_on_the_budget_page_keeps_the_lines(member, draft):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-category": "TRAVEL",
        "form-0-description": "Resor",
        "form-0-amount": "12 500",
        "co_financing": "0",
        "switch_language": "en",
    }
    response = member.post(_url(draft, "budget"), data)
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert [(line.category, line.description) for line in draft.budget_lines.all()] == [("TRAVEL", "Resor")]
    data["form-0-amount"] = "+5"
    data["form-0-description"] = "Tåg"
    data["switch_language"] = "sv"
    response = member.post(_url(draft, "budget"), data)
    assert response.status_code == 200
    root = lxml.html.fromstring(response.content.decode())
    assert root.get("lang") == "sv"
    assert root.get_element_by_id("id_form-0-amount").get("value") == "+5"
    assert root.get_element_by_id("id_form-0-description").get("value") == "Tåg"
    assert [line.description for line in draft.budget_lines.all()] == ["Resor"]


def test_an_unknown_language_is_an_ordinary_save(member, draft):
    data = {"title": "T", "summary": "S", "description": "D", "switch_language": "xx"}
    response = member.post(_url(draft, "project"), data)
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_other_pages_keep_the_plain_language_switch(member, draft):
    root = lxml.html.fromstring(member.get(reverse("application_detail", args=[draft.pk])).content.decode())
    assert root.xpath("//header//form[contains(@class, 'lang-switch')]//button[@name='language']")
    assert not root.xpath("//button[@name='switch_language']")

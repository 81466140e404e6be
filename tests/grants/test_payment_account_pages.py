"""The payment account pages: the organisation page's section and form (grants/views/payment_accounts.py) and
finance's list, verify and reject (grants/views/staff/finance_accounts.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Organisation, PaymentAccount, PaymentAccountType
from grants.services.payment_accounts import payment_account_register, payment_account_verify
from tests.factories import UserFactory

LIST = "/staff/finance/accounts/"


@pytest.fixture
def organisation(draft):
    return draft.organisation


@pytest.fixture
def finance(db):
    return UserFactory(email="ekonomi@example.se", full_name="Eva Ekonomi", roles=["finance"])


@pytest.fixture
def finance2(db):
    return UserFactory(email="ekonomi2@example.se", full_name="Erik Ekonomi", roles=["finance"])


def register(actor, organisation, now, kind="BANKGIRO", number="5050-1055", bic=""):
    return payment_account_register(actor=actor, organisation=organisation, kind=kind, number=number, bic=bic, now=now)


def test_the_organisation_page_shows_the_account_formatted_with_its_state_and_history(
    client, applicant, organisation, finance, now
):
    client.force_login(applicant)
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert "Organisationen har inget utbetalningskonto" in page
    payment_account_verify(actor=finance, account=register(applicant, organisation, now), now=now)
    register(applicant, organisation, now + timedelta(hours=1), "PLUSGIRO", "2865434")
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert "28 65 43-4" in page and "Väntar på verifiering." in page
    assert "Tidigare konton" in page and "5050-1055" in page and "Verifierat" in page


def test_a_member_registers_an_account_through_the_form(client, applicant, organisation):
    client.force_login(applicant)
    url = reverse("organisation_account", args=[organisation.pk])
    response = client.post(url, {"kind": "IBAN", "number": "SE45 5000 0000 0583 9825 7466", "bic": ""})
    assert response.status_code == 302 and response["Location"].endswith("#account")
    account = PaymentAccount.objects.get(organisation=organisation)
    assert (account.number, account.bic, account.created_by) == ("SE4550000000058398257466", "ESSESESS", applicant)
    page = client.get(response["Location"]).content.decode()
    assert "SE45 5000 0000 0583 9825 7466" in page and "verifierat det" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "BANKGIRO", "number": "5050-1056"}, "number", "Kontrollsiffran stämmer inte"),
        ({"kind": "IBAN", "number": "SE45 5000 0000 0583 9825 7467"}, "number", "Kontrollsiffrorna i IBAN"),
        ({"kind": "IBAN", "number": "DE89 3704 0044 0532 0130 00", "bic": "ZZZZDEFF"}, "bic", "finns inte i registret"),
        ({"number": "5050-1055"}, "kind", "Välj om kontot"),
        ({"kind": "BANKGIRO", "number": ""}, "number", "Ange kontonumret"),
    ],
)
def test_a_bad_account_gives_the_form_again_with_a_linked_error_and_nothing_changes(
    client, applicant, organisation, data, field, message
):
    client.force_login(applicant)
    response = client.post(reverse("organisation_account", args=[organisation.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'class="error-summary"' in page
    anchor = "id_kind_0" if field == "kind" else f"id_{field}"
    assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert data.get("number", "") in page  # nothing typed is lost
    assert not PaymentAccount.objects.filter(organisation=organisation).exists()


def test_the_form_in_english(client, applicant, organisation):
    applicant.language = "en"
    applicant.save()
    client.force_login(applicant)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("organisation_account", args=[organisation.pk]),
        {"kind": "BANKGIRO", "number": "5050-1056"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "Payment account" in page and "check digit" in page.lower(), page[:2000]


def test_finance_lists_waiting_accounts_and_verifies_one(client, applicant, organisation, finance, now):
    account = register(applicant, organisation, now)
    client.force_login(finance)
    page = client.get(LIST).content.decode()
    assert organisation.name in page and "5050-1055" in page and organisation.orgnr_display in page
    assert applicant.full_name in page and "Konton" in page
    response = client.post(reverse("staff_finance_account_verify", args=[account.pk]) + "?state=waiting")
    assert response.status_code == 302 and response["Location"] == LIST + "?state=waiting"
    account.refresh_from_db()
    assert account.verified_by == finance
    assert "Inga konton väntar på verifiering." in client.get(LIST).content.decode()
    assert "5050-1055" in client.get(LIST, {"state": "verified"}).content.decode()


def test_the_registrant_sees_the_verify_button_disabled_with_the_reason_and_a_forged_post_changes_nothing(
    client, organisation, finance, finance2, now
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=finance, organisation=organisation)
    account = register(finance, organisation, now)
    client.force_login(finance)
    page = client.get(LIST).content.decode()
    assert f'disabled aria-describedby="why-verify-{account.pk}"' in page and "fyraögonsprincipen" in page
    response = client.post(reverse("staff_finance_account_verify", args=[account.pk]), follow=True)
    assert "fyraögonsprincipen" in response.content.decode()
    account.refresh_from_db()
    assert not account.is_verified
    client.force_login(finance2)
    assert f'aria-describedby="why-verify-{account.pk}"' not in client.get(LIST).content.decode()


def test_finance_rejects_with_a_reason_and_the_organisation_sees_it(client, applicant, organisation, finance, now):
    account = register(applicant, organisation, now)
    client.force_login(finance)
    url = reverse("staff_finance_account_reject", args=[account.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Skriv varför kontot avvisas" in response.content.decode()
    account.refresh_from_db()
    assert not account.is_rejected
    response = client.post(url, {"reason": "Kontot står på en annan organisation."})
    assert response.status_code == 302
    client.force_login(applicant)
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert "Avvisat av ekonomi" in page and "Kontot står på en annan organisation." in page


def test_finance_sees_accounts_but_nothing_of_reviews_or_cases(client, finance, draft):
    client.force_login(finance)
    assert client.get(LIST).status_code == 200
    for name in ("staff_queue", "staff_review_list", "staff_decision_queue"):
        assert client.get(reverse(name)).status_code == 404
    assert client.get(reverse("staff_case", args=[draft.pk])).status_code == 404


def _accounts(n, creator, now, start=0):
    for i in range(start, start + n):
        org = Organisation.objects.create(name=f"Kommun {i}", orgnr=f"21200{i:05d}", org_type="MUNICIPALITY")
        PaymentAccount.objects.create(
            organisation=org, kind=PaymentAccountType.BANKGIRO, number="50501055", created_by=creator, created_at=now
        )


def _count(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("state", ["waiting", "all"])
def test_the_list_costs_the_same_queries_for_3_and_30_rows(
    client, finance, applicant, state, django_assert_max_num_queries
):
    now = timezone.now()
    client.force_login(finance)
    _accounts(3, applicant, now)
    client.get(LIST, {"state": state})  # session and caches warm
    few, response = _count(client, {"state": state})
    assert len(response.context["rows"]) == 3
    _accounts(27, applicant, now, start=3)
    many, response = _count(client, {"state": state})
    assert len(response.context["rows"]) == 30
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(LIST, {"state": state})


def test_the_admin_lists_accounts_by_state_read_only(client, applicant, organisation, finance, now):
    finance.is_staff = True
    finance.save()
    old = payment_account_verify(actor=finance, account=register(applicant, organisation, now), now=now)
    new = register(applicant, organisation, now + timedelta(hours=1), "PLUSGIRO", "2865434")
    client.force_login(finance)
    url = reverse("admin:grants_paymentaccount_changelist")
    waiting = client.get(url, {"state": "WAITING"})
    assert waiting.status_code == 200
    assert [a.pk for a in waiting.context["cl"].result_list] == [new.pk]
    superseded = client.get(url, {"state": "SUPERSEDED"})
    assert [a.pk for a in superseded.context["cl"].result_list] == [old.pk]
    change = reverse("admin:grants_paymentaccount_change", args=[new.pk])
    client.post(change, {"number": "50501055", "kind": "BANKGIRO"})
    new.refresh_from_db()
    assert new.number == "2865434" and not new.is_verified
    assert client.get(reverse("admin:grants_paymentaccount_add")).status_code == 403

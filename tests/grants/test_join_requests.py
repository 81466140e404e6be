"""Joining a registered organisation and asking for the signatory role (issue 9, item 12): the services, their
permission predicates, the pages (members only; error summaries; sv/en) and the admin actions. A person
outside the organisation learns that their request was sent and its outcome, never who the members are."""

import pytest
from django.core import mail
from django.urls import reverse

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import (
    JoinRequest,
    Membership,
    MembershipRole,
    Message,
    OrganisationEvent,
    RequestState,
    SignatoryRequest,
)
from grants.services.join_requests import (
    join_request_create,
    join_request_grant,
    join_request_refuse,
    signatory_request_create,
    signatory_request_grant,
    signatory_request_refuse,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

ORGNR = "2120002411"
ORGNR_SHOWN = "212000-2411"
# A member of another organisation: OrganisationFactory cycles through real orgnrs, ORGNR among them.
OTHER_ORGNR = "2120000142"


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Östersunds kommun", orgnr=ORGNR)


@pytest.fixture
def members(org):
    """Two members: one Swedish-speaking, one English-speaking (e-mails go out in each one's language)."""
    return [
        MembershipFactory(
            organisation=org, user=UserFactory(email="maria@ostersund.se", full_name="Maria Medlem")
        ).user,
        MembershipFactory(
            organisation=org, user=UserFactory(email="john@ostersund.se", full_name="John Member", language="en")
        ).user,
    ]


@pytest.fixture
def newcomer(db):
    return UserFactory(email="ny@ostersund.se", full_name="Nils Nykomling")


@pytest.fixture
def programme_admin(db):
    return UserFactory(email="pa@example.se", roles=["programme_admin"])


def log(org):
    return list(org.events.order_by("pk").values_list("event", "user__email", "to_role", "actor__email"))


# --- join requests: services -----------------------------------------------------------------------------------


def test_asking_to_join_tells_every_member_in_their_language(org, members, newcomer, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR_SHOWN, message="Jag börjar på måndag.", now=now)
    assert (join_request.organisation, join_request.user, join_request.state) == (org, newcomer, RequestState.PENDING)
    assert log(org) == [("join.requested", "ny@ostersund.se", "", "ny@ostersund.se")]
    sent = {m.recipient_email: m for m in Message.objects.filter(event="organisation.join_requested")}
    assert set(sent) == {"maria@ostersund.se", "john@ostersund.se"}
    assert (
        "Nils Nykomling" in sent["maria@ostersund.se"].body
        and "Jag börjar på måndag." in sent["maria@ostersund.se"].body
    )
    assert sent["maria@ostersund.se"].subject == "Förfrågan om att gå med i Östersunds kommun"
    assert sent["john@ostersund.se"].subject == "Request to join Östersunds kommun"


@pytest.mark.parametrize(
    ("orgnr", "message", "field"),
    [
        ("212000-2412", "", "orgnr"),  # fails the Luhn check
        ("2120000142", "", "orgnr"),  # valid, but nobody registered it
        (ORGNR, "x" * 2001, "message"),
    ],
)
def test_a_bad_join_request_changes_nothing(org, members, newcomer, now, orgnr, message, field):
    with pytest.raises(ServiceError) as refused:
        join_request_create(actor=newcomer, orgnr=orgnr, message=message, now=now)
    assert refused.value.field == field
    assert not JoinRequest.objects.exists() and not OrganisationEvent.objects.exists() and not Message.objects.exists()


def test_a_member_cannot_ask_and_nobody_asks_twice(org, members, newcomer, now):
    with pytest.raises(ServiceError, match="redan medlem"):
        join_request_create(actor=members[0], orgnr=ORGNR, message="", now=now)
    join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    with pytest.raises(ServiceError, match="redan skickat"):
        join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    assert JoinRequest.objects.count() == 1


def test_a_member_grants_the_request_and_the_person_becomes_a_member(org, members, newcomer, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    join_request_grant(actor=members[0], join_request=join_request, now=now)
    join_request.refresh_from_db()
    assert (join_request.state, join_request.decided_by, join_request.decided_at) == (
        RequestState.GRANTED,
        members[0],
        now,
    )
    assert Membership.objects.get(organisation=org, user=newcomer).role == MembershipRole.MEMBER
    assert log(org)[1:] == [
        ("join.granted", "ny@ostersund.se", "", "maria@ostersund.se"),
        ("membership.added", "ny@ostersund.se", "MEMBER", "maria@ostersund.se"),
    ]
    told = Message.objects.get(event="organisation.join_granted")
    assert told.recipient == newcomer and "Östersunds kommun" in told.body
    with pytest.raises(ServiceError, match="redan besvarad"):
        join_request_refuse(actor=members[1], join_request=join_request, now=now)


def test_a_refusal_names_neither_the_organisation_nor_who_refused(org, members, newcomer, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    join_request_refuse(actor=members[1], join_request=join_request, now=now)
    assert not Membership.objects.filter(user=newcomer).exists()
    told = Message.objects.get(event="organisation.join_refused")
    assert told.recipient == newcomer and ORGNR_SHOWN in told.body
    for secret in ("Östersunds kommun", "John", "Maria", "ostersund.se>"):
        assert secret not in told.body + told.subject


def test_only_members_and_programme_admins_decide_a_join_request(org, members, newcomer, programme_admin, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    for outsider in (
        newcomer,
        UserFactory(roles=["case_officer"]),
        MembershipFactory(organisation=OrganisationFactory(orgnr=OTHER_ORGNR)).user,
    ):
        assert not permissions.can_decide_join_request(outsider, join_request)
        with pytest.raises(NotAllowed):
            join_request_grant(actor=outsider, join_request=join_request, now=now)
    assert not Membership.objects.filter(user=newcomer).exists()
    join_request_grant(actor=programme_admin, join_request=join_request, now=now)
    assert Membership.objects.filter(user=newcomer, organisation=org).exists()


# --- signatory requests: services ------------------------------------------------------------------------------


def test_a_member_asks_for_the_signatory_role_for_a_colleague(org, members, programme_admin, now):
    request = signatory_request_create(
        actor=members[0], organisation=org, member=members[1], reason="Delegation 2026:4.", now=now
    )
    assert request.state == RequestState.PENDING
    assert log(org) == [("signatory.requested", "john@ostersund.se", "", "maria@ostersund.se")]
    signatory_request_grant(actor=programme_admin, signatory_request=request, now=now)
    assert Membership.objects.get(organisation=org, user=members[1]).role == MembershipRole.SIGNATORY
    assert log(org)[1:] == [
        ("signatory.granted", "john@ostersund.se", "", "pa@example.se"),
        ("membership.role_changed", "john@ostersund.se", "SIGNATORY", "pa@example.se"),
    ]
    told = {m.recipient_email: m for m in Message.objects.filter(event="organisation.signatory_granted")}
    assert set(told) == {"maria@ostersund.se", "john@ostersund.se"}
    assert told["john@ostersund.se"].subject == "New signatory for Östersunds kommun"


def test_asking_for_oneself_tells_one_person_once(org, members, programme_admin, now):
    request = signatory_request_create(actor=members[0], organisation=org, member=members[0], reason="VD.", now=now)
    signatory_request_refuse(actor=programme_admin, signatory_request=request, now=now)
    assert Membership.objects.get(user=members[0]).role == MembershipRole.MEMBER
    assert Message.objects.filter(event="organisation.signatory_refused").count() == 1


@pytest.mark.parametrize("case", ["not_a_member", "already_signatory", "no_reason", "pending", "outsider_asks"])
def test_a_bad_signatory_request_changes_nothing(org, members, now, case):
    actor, member, reason = members[0], members[1], "Delegation."
    if case == "not_a_member":
        member = UserFactory()
    elif case == "already_signatory":
        Membership.objects.filter(user=member).update(role=MembershipRole.SIGNATORY)
    elif case == "no_reason":
        reason = "   "
    elif case == "pending":
        signatory_request_create(actor=actor, organisation=org, member=member, reason=reason, now=now)
    elif case == "outsider_asks":
        actor = UserFactory()
    before = (SignatoryRequest.objects.count(), OrganisationEvent.objects.count())
    with pytest.raises(NotAllowed if case == "outsider_asks" else ServiceError):
        signatory_request_create(actor=actor, organisation=org, member=member, reason=reason, now=now)
    assert (SignatoryRequest.objects.count(), OrganisationEvent.objects.count()) == before


@pytest.mark.parametrize("role", ["case_officer", "reviewer", "decision_maker", "finance"])
def test_only_programme_admins_decide_signatory_requests(org, members, now, role):
    request = signatory_request_create(actor=members[0], organisation=org, member=members[0], reason="VD.", now=now)
    with pytest.raises(NotAllowed):
        signatory_request_grant(actor=UserFactory(roles=[role]), signatory_request=request, now=now)
    with pytest.raises(NotAllowed):  # nor a member of the organisation itself
        signatory_request_grant(actor=members[1], signatory_request=request, now=now)
    assert Membership.objects.get(user=members[0]).role == MembershipRole.MEMBER


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_register_page_leads_a_colleague_to_the_join_page(client, org, members, newcomer):
    client.force_login(newcomer)
    data = {"name": "Östersund", "orgnr": ORGNR_SHOWN, "org_type": "MUNICIPALITY"}
    page = client.post(reverse("organisation_create"), data)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="error-summary"' in html
    assert "redan registrerad" in html
    assert f'href="{reverse("organisation_join")}?orgnr={ORGNR_SHOWN}"' in html
    join = client.get(reverse("organisation_join"), {"orgnr": ORGNR_SHOWN})
    assert join.context["form"]["orgnr"].value() == ORGNR_SHOWN


def test_asking_to_join_through_the_page_reveals_no_member(client, org, members, newcomer):
    client.force_login(newcomer)
    response = client.post(reverse("organisation_join"), {"orgnr": ORGNR_SHOWN, "message": "Hej!"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("organisation_list")
    html = response.content.decode()
    assert "Din förfrågan är skickad" in html and ORGNR_SHOWN in html and "Väntar" in html
    for secret in ("Maria", "John", "maria@ostersund.se", "john@ostersund.se"):
        assert secret not in html
    assert client.get(reverse("organisation_detail", args=[org.pk])).status_code == 404  # not a member yet


def test_the_join_page_shows_errors_in_a_summary_and_keeps_the_message(client, org, newcomer):
    client.force_login(newcomer)
    page = client.post(reverse("organisation_join"), {"orgnr": "123", "message": "Mitt meddelande"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="error-summary"' in html and 'href="#id_orgnr"' in html
    assert "Mitt meddelande" in html
    assert not JoinRequest.objects.exists()


def test_the_join_page_in_english(client, newcomer):
    client.force_login(newcomer)
    html = client.get(reverse("organisation_join"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Join a registered organisation" in html and "Gå med" not in html


def test_members_see_and_grant_requests_on_the_organisation_page(client, org, members, newcomer, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="Jag är ny.", now=now)
    client.force_login(members[0])
    page = client.get(reverse("organisation_detail", args=[org.pk])).content.decode()
    assert "Nils Nykomling" in page and "Jag är ny." in page
    decide = reverse("join_request_decide", args=[org.pk, join_request.pk])
    assert f'action="{decide}"' in page
    response = client.post(decide, {"decision": "grant"}, follow=True)
    assert "Nils Nykomling är nu medlem" in response.content.decode()
    assert Membership.objects.filter(user=newcomer, organisation=org).exists()
    again = client.post(decide, {"decision": "refuse"}, follow=True)
    assert "redan besvarad" in again.content.decode()


@pytest.mark.parametrize("who", ["requester", "other_org_member", "staff"])
def test_nobody_outside_decides_through_the_page(client, org, members, newcomer, now, who):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    person = {
        "requester": newcomer,
        "other_org_member": MembershipFactory(organisation=OrganisationFactory(orgnr=OTHER_ORGNR)).user,
        "staff": UserFactory(roles=["programme_admin", "case_officer"]),  # staff decide in the admin
    }[who]
    client.force_login(person)
    decide = reverse("join_request_decide", args=[org.pk, join_request.pk])
    assert client.post(decide, {"decision": "grant"}).status_code == 404
    join_request.refresh_from_db()
    assert join_request.state == RequestState.PENDING
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_decision_must_be_grant_or_refuse(client, org, members, newcomer, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    client.force_login(members[0])
    decide = reverse("join_request_decide", args=[org.pk, join_request.pk])
    assert client.post(decide, {"decision": "maybe"}).status_code == 404
    other = OrganisationFactory(orgnr="2021005489")
    MembershipFactory(organisation=other, user=members[0])
    assert (
        client.post(reverse("join_request_decide", args=[other.pk, join_request.pk]), {"decision": "grant"}).status_code
        == 404
    )
    assert JoinRequest.objects.get().state == RequestState.PENDING


def test_a_member_asks_for_the_signatory_role_on_its_page(client, org, members):
    client.force_login(members[0])
    detail = client.get(reverse("organisation_detail", args=[org.pk])).content.decode()
    url = reverse("signatory_request_create", args=[org.pk])
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert set(page.context["form"].fields["member"].queryset) == set(members)
    missing = client.post(url, {"member": members[1].pk, "reason": ""})
    assert 'id="error-summary"' in missing.content.decode() and not SignatoryRequest.objects.exists()
    response = client.post(url, {"member": members[1].pk, "reason": "Delegation 2026:4."}, follow=True)
    assert "Begäran är skickad" in response.content.decode()
    assert "John Member" in response.content.decode() and "väntar på beslut" in response.content.decode()
    assert SignatoryRequest.objects.get().member == members[1]
    # John has a request waiting: only Maria can be asked for now.
    assert list(client.get(url).context["form"].fields["member"].queryset) == [members[0]]


def test_an_outsider_cannot_open_the_signatory_page(client, org, members, newcomer):
    client.force_login(newcomer)
    url = reverse("signatory_request_create", args=[org.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"member": members[0].pk, "reason": "Jag vill."}).status_code == 404
    assert not SignatoryRequest.objects.exists()


def test_the_organisation_page_costs_the_same_queries_for_few_and_many_requests(
    client, org, members, now, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _ in range(n):
            join_request_create(actor=UserFactory(), orgnr=ORGNR, message="Hej", now=now)
            person = MembershipFactory(organisation=org).user
            signatory_request_create(actor=members[0], organisation=org, member=person, reason="VD.", now=now)

    client.force_login(members[0])
    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organisation_detail", args=[org.pk]))
    add(10)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("organisation_detail", args=[org.pk]))


# --- the admin: programme admins decide --------------------------------------------------------------------------


def _action(client, model, action, pks):
    url = reverse(f"admin:grants_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": pks})


def test_a_programme_admin_grants_requests_with_the_admin_actions(client, org, members, newcomer, programme_admin, now):
    join_request = join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    signatory = signatory_request_create(actor=members[0], organisation=org, member=members[0], reason="VD.", now=now)
    client.force_login(programme_admin)
    assert _action(client, "joinrequest", "grant", [join_request.pk]).status_code == 302
    assert _action(client, "signatoryrequest", "grant", [signatory.pk]).status_code == 302
    assert Membership.objects.filter(user=newcomer, organisation=org).exists()
    assert Membership.objects.get(user=members[0]).role == MembershipRole.SIGNATORY
    assert {e[0] for e in log(org)} >= {"join.granted", "signatory.granted", "membership.role_changed"}
    # Decided once: a second grant is refused with a message and changes nothing.
    response = _action(client, "signatoryrequest", "refuse", [signatory.pk])
    assert response.status_code == 302
    assert SignatoryRequest.objects.get().state == RequestState.GRANTED


def test_a_case_officer_cannot_decide_requests_in_the_admin(client, org, members, now):
    signatory = signatory_request_create(actor=members[0], organisation=org, member=members[0], reason="VD.", now=now)
    client.force_login(UserFactory(roles=["case_officer"]))
    assert _action(client, "signatoryrequest", "grant", [signatory.pk]).status_code == 403
    assert Membership.objects.get(user=members[0]).role == MembershipRole.MEMBER


def test_the_emails_are_sent_once_the_request_is_saved(org, members, newcomer, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        join_request_create(actor=newcomer, orgnr=ORGNR, message="", now=now)
    assert sorted(m.to[0] for m in mail.outbox) == ["john@ostersund.se", "maria@ostersund.se"]

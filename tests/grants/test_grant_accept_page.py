"""The applicant's grant page (/grants/<pk>/accept/): the frozen terms in full, accept and decline for a
signatory, who can answer for a member, and the deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse

from grants.models import Grant, GrantState, MembershipRole
from tests.factories import MembershipFactory
from tests.workflows.payouts import payout_world


@pytest.fixture
def world(db):
    return payout_world(accepted=False)


def _url(world, name="grant_accept"):
    return reverse(name, args=[world.grant.pk])


def test_a_signatory_reads_the_terms_and_accepts(client, world):
    client.force_login(world.signatory)
    page = client.get(_url(world)).content.decode()
    assert world.grant.terms in page and "Godta villkoren senast" in page
    digest = page.split('name="terms_sha256" value="')[1].split('"')[0]
    refused = client.post(_url(world), {"terms_sha256": digest})  # no confirmation
    assert refused.status_code == 200 and Grant.objects.get(pk=world.grant.pk).state == GrantState.AWAITING_ACCEPTANCE
    done = client.post(_url(world), {"confirm": "on", "terms_sha256": digest})
    assert done.status_code == 302
    assert Grant.objects.get(pk=world.grant.pk).state == GrantState.ACTIVE


def test_a_member_sees_who_can_answer(client, world):
    member = MembershipFactory(organisation=world.grant.application.organisation, role=MembershipRole.MEMBER).user
    client.force_login(member)
    page = client.get(_url(world)).content.decode()
    assert "firmatecknare" in page and 'name="confirm"' not in page
    client.post(_url(world), {"confirm": "on"})
    assert Grant.objects.get(pk=world.grant.pk).state == GrantState.AWAITING_ACCEPTANCE


def test_after_the_deadline_it_says_so(client, world):
    Grant.objects.filter(pk=world.grant.pk).update(acceptance_deadline_at=world.now - timedelta(minutes=1))
    client.force_login(world.signatory)
    page = client.get(_url(world)).content.decode()
    assert "har gått ut" in page and 'name="confirm"' not in page


def test_decline_needs_a_reason(client, world):
    client.force_login(world.signatory)
    assert client.post(_url(world, "grant_decline"), {"reason": ""}).status_code == 200
    assert Grant.objects.get(pk=world.grant.pk).state == GrantState.AWAITING_ACCEPTANCE
    assert client.post(_url(world, "grant_decline"), {"reason": "Projektet blir inte av."}).status_code == 302
    assert Grant.objects.get(pk=world.grant.pk).state == GrantState.CANCELLED


def test_in_english(client, world):
    client.force_login(world.signatory)
    page = client.get(_url(world), headers={"accept-language": "en"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.grant.terms_en in page

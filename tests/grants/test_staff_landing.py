"""Issue 9 item 14: after login, staff land on their role's workspace, applicants on the home page; a `next`
address still wins."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "rätt-lösenord-123"  # tests/factories.py


def _login(client, user, **query):
    url = reverse("login")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"username": user.email, "password": PASSWORD, **query})


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        (["case_officer"], "/staff/queue/"),
        (["reviewer"], "/staff/reviews/"),
        (["decision_maker"], "/staff/decisions/"),
        (["programme_admin"], "/admin/"),
        (["finance"], "/staff/finance/"),  # the first of its areas in the menu: the workspace
        (["case_officer", "decision_maker"], "/staff/"),
    ],
)
def test_staff_land_on_their_workspace(client, roles, landing):
    user = UserFactory(roles=roles)
    response = _login(client, user)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(response["Location"]).status_code in (200, 302)


def test_an_external_reviewer_without_admin_account_lands_on_the_reviews(client):
    user = UserFactory(roles=["reviewer"])
    user.is_staff = False
    user.save()
    assert _login(client, user)["Location"] == "/staff/reviews/"


def test_a_superuser_lands_on_the_workspace(client):
    user = UserFactory(email="super@example.se")
    user.is_superuser = user.is_staff = True
    user.save()
    assert _login(client, user)["Location"] == "/staff/"


def test_an_applicant_lands_on_the_home_page(client):
    user = UserFactory()
    assert _login(client, user)["Location"] == reverse("home")


def test_next_still_wins(client):
    user = UserFactory(roles=["case_officer"])
    assert _login(client, user, next="/staff/cases/1/")["Location"] == "/staff/cases/1/"


def test_a_logged_in_officer_opening_the_login_page_goes_to_the_queue(client):
    user = UserFactory(roles=["case_officer"])
    client.force_login(user)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == "/staff/queue/"

"""Issue 9 item 4: logins throttled by account and by client address (portal and admin), no answer that tells
whether an address has an account (login, registration, password reset), password reset by e-mail."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.models import AuthAttempt, User
from tests.factories import UserFactory

PASSWORD = "rätt-lösenord-123"
NEW_PASSWORD = "ett-helt-nytt-lösenord-9"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def tokenless(response):
    """The page without its CSRF tokens (fresh on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text(response))


def login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


@pytest.fixture(autouse=True)
def _after_commit(monkeypatch):
    """E-mails are queued after the commit (grants.tasks.enqueue_in_transaction), which a test's transaction
    never reaches: run them at once."""
    monkeypatch.setattr("grants.tasks.transaction.on_commit", lambda func, *a, **k: func())


@pytest.fixture
def person(db):
    return UserFactory(email="person@example.se", full_name="Pia Person")


def test_the_right_password_after_50_wrong_ones_does_not_log_in(client, person):
    for i in range(50):
        response = login(client, person.email, f"fel-{i}")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    refused = login(client, person.email, PASSWORD)
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "För många misslyckade inloggningsförsök" in text(refused)
    assert re.search(r"försöka igen kl\. \d\d:\d\d", text(refused))
    # The throttled attempts were not even counted (nothing grows while refused).
    assert AuthAttempt.objects.filter(account=person.email).count() == 5


def test_the_account_is_free_again_after_the_window(client, person):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(5):
            login(client, person.email, f"fel-{i}")
        assert "För många" in text(login(client, person.email, PASSWORD))
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = login(client, person.email, PASSWORD)
        assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_account_is_throttled_from_every_client_address(db, person):
    for i in range(5):
        login(Client(REMOTE_ADDR=f"10.0.0.{i}"), person.email, f"fel-{i}")
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert "För många" in text(login(other, person.email, PASSWORD))
    assert "_auth_user_id" not in other.session


def test_one_client_address_is_throttled_across_accounts(db, person):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(20):
        login(attacker, f"someone{i}@example.se", "gissning-123")
    assert "För många" in text(login(attacker, person.email, PASSWORD))
    assert "_auth_user_id" not in attacker.session
    # Another address logs in to the same account at once.
    elsewhere = Client(REMOTE_ADDR="198.51.100.1")
    assert login(elsewhere, person.email, PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_failures(client, person):
    for i in range(4):
        login(client, person.email, f"fel-{i}")
    assert login(client, person.email, PASSWORD).status_code == 302
    assert not AuthAttempt.objects.filter(account=person.email).exists()


def test_the_admin_login_is_throttled_too(client, db):
    staff = UserFactory(email="admin@example.se", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for i in range(5):
        response = login(client, staff.email, f"fel-{i}", url=url)
        assert response.status_code == 200
    refused = login(client, staff.email, PASSWORD, url=url)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "För många misslyckade inloggningsförsök" in text(refused)


def test_unknown_and_known_addresses_get_the_same_login_answer(client, person):
    known = login(client, person.email, "fel-lösenord-1")
    unknown = login(client, "ingen@example.se", "fel-lösenord-1")
    assert re.sub(r'value="[^"]*"', "", tokenless(known)) == re.sub(r'value="[^"]*"', "", tokenless(unknown))


# --- registration ----------------------------------------------------------------------------------------


def register(client, email, next_url=""):
    data = {
        "full_name": "Åsa Öberg",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "language": "sv",
        "next": next_url,
    }
    return client.post(reverse("register"), data)


def test_registration_answers_the_same_for_a_known_address_and_mails_the_owner(client, person):
    known = register(client, "Person@Example.se")
    unknown = register(client, "ny@example.se")
    assert known.status_code == unknown.status_code == 200
    assert tokenless(known).replace("Person@Example.se", "X").replace("person@example.se", "X") == tokenless(
        unknown
    ).replace("ny@example.se", "X")
    assert "Kontrollera din e-post" in text(known)
    # Nothing changed for the existing account; its owner is told, with a way in.
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and person.full_name == "Pia Person"
    to_owner = next(m for m in mail.outbox if m.to == ["person@example.se"])
    assert "redan ett konto" in to_owner.body and reverse("password_reset") in to_owner.body
    assert "_auth_user_id" not in client.session


def test_a_new_account_works_once_its_address_is_confirmed(client, db):
    register(client, "ny@example.se", next_url="/calls/")
    user = User.objects.get(email="ny@example.se")
    assert not user.is_active
    assert login(Client(), "ny@example.se", NEW_PASSWORD).status_code == 200  # not before confirming
    (message,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", message.body).group(1)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/calls/"
    assert "_auth_user_id" in client.session
    user.refresh_from_db()
    assert user.is_active
    # The link works once.
    assert Client().get(path).status_code == 400


def test_a_broken_activation_link_is_refused_with_a_page(client, db):
    response = client.get(reverse("account_activate", kwargs={"uidb64": "zzz", "token": "abc-def"}))
    assert response.status_code == 400 and "Länken fungerar inte" in text(response)


def test_registration_is_throttled(client, db):
    for _ in range(3):
        register(client, "ny@example.se")
    refused = register(client, "ny@example.se")
    assert refused.status_code == 200 and "För många försök" in text(refused)
    assert len(mail.outbox) == 3


# --- password reset --------------------------------------------------------------------------------------


def test_the_login_page_links_to_password_reset(client, db):
    assert reverse("password_reset") in text(client.get(reverse("login")))


def test_password_reset_answers_the_same_and_mails_only_the_owner(client, person):
    known = client.post(reverse("password_reset"), {"email": "person@example.se"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "ingen@example.se"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert tokenless(known) == tokenless(unknown)
    (message,) = mail.outbox
    assert message.to == ["person@example.se"] and "Återställ" in message.subject

    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "Välj ett nytt lösenord" in text(form)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Lösenordet är bytt" in text(done)
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # The link is spent.
    assert "Länken är redan använd" in text(client.get(path, follow=True))


def test_the_reset_email_is_in_english_for_an_english_speaker(client, db):
    UserFactory(email="en@example.se", language="en")
    client.post(reverse("password_reset"), {"email": "en@example.se"})
    (message,) = mail.outbox
    assert "Reset your password" in message.subject


def test_password_reset_is_throttled(client, person):
    for _ in range(3):
        client.post(reverse("password_reset"), {"email": "person@example.se"})
    refused = client.post(reverse("password_reset"), {"email": "person@example.se"})
    assert refused.status_code == 200 and "För många försök" in text(refused)
    assert len(mail.outbox) == 3

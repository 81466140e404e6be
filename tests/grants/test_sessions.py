"""The session store (grants.sessions): Django's database sessions with a one-column read. It must behave as
Django's own store: a live session logs in, an expired, unknown or tampered one does not, and what Django's
store wrote this one reads (and the other way round)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.sessions import SessionStore


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "grants.sessions"


def test_a_session_written_by_djangos_store_is_read(db):
    theirs = DjangoStore()
    theirs["colour"] = "grön"
    theirs.create()
    theirs.save()
    ours = SessionStore(theirs.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert ours["colour"] == "grön"
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith('SELECT "session_data" FROM "django_session"')
    ours["size"] = 3
    ours.save()
    assert DjangoStore(theirs.session_key)["size"] == 3


def test_an_expired_session_is_empty_and_its_key_dropped(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


@pytest.mark.parametrize("key", ["", "nosuchkey12345678", "a" * 40])
def test_an_unknown_key_is_an_empty_session(db, key):
    store = SessionStore(key or None)
    assert store.load() == {}
    assert store.session_key is None


def test_tampered_data_is_an_empty_session(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="förfalskad:data")
    assert SessionStore(store.session_key).load() == {}


def test_login_and_logout_through_the_portal(client, applicant):
    applicant.refresh_from_db()
    client.force_login(applicant)
    assert client.session[SESSION_KEY] == str(applicant.pk)
    assert client.get(reverse("application_list")).status_code == 200
    Session.objects.all().update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("application_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]

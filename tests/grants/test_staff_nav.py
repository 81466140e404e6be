"""Staff navigation and the workspace follow the roles (groups), as the staff areas do, not `is_staff`, which
is Django admin's flag: an external reviewer has a role and no admin account."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

WORKSPACE_LINK = f'<a href="{reverse("staff_workspace")}"'


def _without_is_staff(user):
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    return user


def test_reviewer_without_is_staff_gets_nav_and_workspace(client, db):
    reviewer = _without_is_staff(UserFactory(email="extern@example.se", roles=["reviewer"]))
    client.force_login(reviewer)
    reviews = client.get(reverse("staff_review_list"))
    assert reviews.status_code == 200
    assert WORKSPACE_LINK in reviews.content.decode()
    workspace = client.get(reverse("staff_workspace"))
    assert workspace.status_code == 200
    assert f'<a href="{reverse("staff_review_list")}">' in workspace.content.decode()


@pytest.mark.parametrize("is_staff", [False, True])
def test_no_role_no_workspace(client, db, is_staff):
    person = UserFactory(email="ingen@example.se")
    person.is_staff = is_staff
    person.save(update_fields=["is_staff"])
    client.force_login(person)
    assert client.get(reverse("staff_workspace")).status_code == 404
    assert WORKSPACE_LINK not in client.get(reverse("call_list")).content.decode()


@pytest.mark.parametrize(("is_staff", "admin_link"), [(True, True), (False, False)])
def test_admin_link_needs_the_role_and_an_admin_account(client, db, is_staff, admin_link):
    admin = UserFactory(email="program@example.se", roles=["programme_admin"])
    admin.is_staff = is_staff
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    html = client.get(reverse("staff_workspace")).content.decode()
    assert (f'<a href="{reverse("admin:index")}">' in html) is admin_link

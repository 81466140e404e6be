from django.http import HttpRequest

from grants.models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required: its user is a real User (for the type checker)."""

    user: User  # type: ignore[assignment]

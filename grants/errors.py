from viewflow.fsm import TransitionNotAllowed

from grants.text import Text
from workflows.base import TransitionRefused


class ServiceError(Exception):
    """A domain rule said no; `message` is for the user (translated); `field` names a form field, if any."""

    def __init__(self, message: Text, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The actor may not do this (views answer 404 or 403)."""


# What a view turns into a message for the person instead of an error page.
REFUSALS = (ServiceError, TransitionRefused, TransitionNotAllowed)

__all__ = ["REFUSALS", "NotAllowed", "ServiceError", "TransitionRefused"]

"""`Text`: a user-facing message, either a str or a lazy gettext string."""

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise
else:
    from django.utils.functional import Promise

    Text = str | Promise

__all__ = ["Text"]

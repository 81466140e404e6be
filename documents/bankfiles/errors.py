"""The two errors of the bank-file layer and the type of their messages.

`AccountError` says what is wrong with an account number a person typed; `BankFileError` says why a whole
file (a bank's answer, or a file we were about to write) cannot be used. Both carry one message in the
user's language: a lazy gettext string, Swedish in the source, evaluated when it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    Text: TypeAlias = str | StrPromise
else:
    from django.utils.functional import Promise

    Text = str | Promise


class _MessageError(ValueError):
    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class AccountError(_MessageError):
    """An account number, IBAN or BIC that cannot be used; `message` says exactly what is wrong."""


class BankFileError(_MessageError):
    """A file that cannot be read or used as a whole; `message` says why, `errors` lists the details."""

    def __init__(self, message: Text, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors

    def __str__(self) -> str:
        if not self.errors:
            return str(self.message)
        return "\n".join([str(self.message), *self.errors])


__all__ = ["AccountError", "BankFileError", "Text"]

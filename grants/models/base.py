from typing import Any

from django.db import models


class ImmutableRecordError(Exception):
    """Raised on an attempt to change or delete a record that DESIGN.md §5 rule 5 keeps forever."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecordError(f"{self.model.__name__} records are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"{self.model.__name__} records are append-only.")


class AppendOnlyModel(models.Model):
    """A record written once: saving an existing row or deleting one raises ImmutableRecordError.

    On PostgreSQL a trigger (see workflows migration 0002) refuses UPDATE and DELETE as well, so raw SQL
    cannot get round it either.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} {self.pk} cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"{type(self).__name__} {self.pk} cannot be deleted.")

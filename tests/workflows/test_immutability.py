"""Records kept forever (DESIGN.md §5 rule 5): submitted versions, case events, proposals, decisions and
eligibility checks are written once. The models refuse every ORM path that would change or delete one;
on PostgreSQL a trigger refuses raw SQL as well."""

import pytest
from django.db import DatabaseError, connection, transaction

from grants.models import ApplicationState, ApplicationVersion, Decision, EligibilityCheck, Proposal
from grants.models.base import ImmutableRecordError
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

# (model, a field to tamper with and the value, the same change in SQL)
RECORDS = [
    (ApplicationVersion, "content", {"title": "Ändrad i efterhand"}, "number = number + 100"),
    (CaseEvent, "note", "ändrad", "note = 'ändrad'"),
    (Proposal, "reasons", "ändrad", "reasons = 'ändrad'"),
    (Decision, "reasons", "ändrad", "reasons = 'ändrad'"),
    (EligibilityCheck, "note", "ändrad", "note = 'ändrad'"),
]
IDS = [model.__name__ for model, *_ in RECORDS]


@pytest.fixture
def decided(draft, cast, now):
    """A decided case: it has every kind of record this rule keeps."""
    return bring_to(draft, ApplicationState.APPROVED, cast, now)


def _one(model, application):
    record = model.objects.filter(application=application).order_by("pk").first()
    assert record is not None
    return record


def _stored(model, record):
    return model.objects.filter(pk=record.pk).values().get()


@pytest.mark.parametrize(("model", "field", "value", "sql"), RECORDS, ids=IDS)
class TestInTheOrm:
    def test_save_of_an_existing_row_is_refused(self, model, field, value, sql, decided):
        record = _one(model, decided)
        stored = _stored(model, record)
        setattr(record, field, value)
        with pytest.raises(ImmutableRecordError):
            record.save()
        with pytest.raises(ImmutableRecordError):
            record.save(update_fields=[field])
        assert _stored(model, record) == stored

    def test_delete_is_refused(self, model, field, value, sql, decided):
        record = _one(model, decided)
        with pytest.raises(ImmutableRecordError):
            record.delete()
        assert model.objects.filter(pk=record.pk).exists()

    def test_queryset_update_is_refused(self, model, field, value, sql, decided):
        record = _one(model, decided)
        stored = _stored(model, record)
        with pytest.raises(ImmutableRecordError):
            model.objects.filter(pk=record.pk).update(**{field: value})
        with pytest.raises(ImmutableRecordError):
            model.objects.all().update(**{field: value})
        setattr(record, field, value)
        with pytest.raises(ImmutableRecordError), transaction.atomic():  # bulk_update poisons the transaction
            model.objects.bulk_update([record], [field])
        assert _stored(model, record) == stored

    def test_queryset_delete_is_refused(self, model, field, value, sql, decided):
        count = model.objects.count()
        with pytest.raises(ImmutableRecordError):
            model.objects.filter(application=decided).delete()
        with pytest.raises(ImmutableRecordError):
            model.objects.all().delete()
        assert model.objects.count() == count > 0


def test_new_records_are_still_written(decided, cast, now):
    """The rule stops changes, not the next line of the log."""
    from workflows.base import log_event

    before = CaseEvent.objects.filter(application=decided).count()
    log_event(application=decided, actor=cast.officer, event="document.viewed", now=now)
    assert CaseEvent.objects.filter(application=decided).count() == before + 1


@pytest.mark.postgres
@pytest.mark.parametrize(("model", "field", "value", "sql"), RECORDS, ids=IDS)
class TestInPostgreSQL:
    def test_raw_update_is_refused(self, model, field, value, sql, decided):
        record = _one(model, decided)
        stored = _stored(model, record)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {model._meta.db_table} SET {sql} WHERE id = %s", [record.pk])  # noqa: S608
        assert _stored(model, record) == stored

    def test_raw_delete_is_refused(self, model, field, value, sql, decided):
        record = _one(model, decided)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [record.pk])  # noqa: S608
        assert model.objects.filter(pk=record.pk).exists()

    def test_orm_paths_around_the_model_are_refused(self, model, field, value, sql, decided):
        """`_base_manager` is a plain manager that skips the model's guard; the trigger still says no."""
        record = _one(model, decided)
        stored = _stored(model, record)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model._base_manager.filter(pk=record.pk).update(**{field: value})
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            model._base_manager.filter(pk=record.pk)._raw_delete(connection.alias)
        assert _stored(model, record) == stored

"""The locked read of every applicant action on an application, as one plain SQL statement.

A submission in a deadline rush used to read the application (locked, with its call, organisation and the
actor's membership), then its budget lines, its current attachments and the call's required attachment kinds:
four statements, each compiled by the ORM on every request and each a round trip. Here the three lists come
back as JSON arrays in the same row as the locked application, and the statement is built once per database
vendor from the models' own column lists. The result is what the ORM's select_related + prefetch_related
would give: an Application with its call and organisation cached, `budget_lines.all()` answered from the
prefetch cache, `current_attachments` (with their kinds) as a list, and the call's required kinds for
`grants.selectors.required_attachment_kinds`.

PostgreSQL locks only the application row (`FOR UPDATE OF`, not the call and organisation joined in: every
submission of a call would otherwise queue on the call row). SQLite has no row locks: the project opens its
transactions IMMEDIATE there, which takes the database's write lock at BEGIN.
"""

# The SQL below is put together from the models' own table and column names only; values are bound parameters.
# ruff: noqa: S608

import json
import weakref
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, connections
from django.db.models import Model
from django.utils.dateparse import parse_datetime

from grants.models import Application, Attachment, BudgetLine, Call, Membership, Organisation, RequiredAttachment
from grants.selectors import REQUIRED_KINDS_CACHE

MAX_PK = 2**63 - 1  # bigint: a larger key in the URL matches nothing (the database would refuse the number)
CENTS = Decimal("0.01")
_SQL: dict[str, str] = {}
_CONVERTERS: "weakref.WeakKeyDictionary[Any, dict[type[Model], list[tuple[int, list[Any], Any]]]]" = (
    weakref.WeakKeyDictionary()
)
_ATTNAMES: dict[type[Model], list[str]] = {}
M = TypeVar("M", bound=Model)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: type[Model], alias: str) -> list[str]:
    return [f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields]


def _statement() -> str:
    vendor = connection.vendor
    if vendor not in _SQL:
        if vendor == "postgresql":
            agg, arr = "json_agg", "json_build_array"
        elif vendor == "sqlite":
            agg, arr = "json_group_array", "json_array"
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(f"no locked read for {vendor}")
        # Amounts as text: a JSON number would come back as a float. The lists are sorted in Python.
        budget = (
            f"SELECT {agg}({arr}(b.id, b.category, b.description, CAST(b.amount AS TEXT), b.position)) "
            f"FROM {_table(BudgetLine)} b WHERE b.application_id = a.id"
        )
        attachments = (
            f"SELECT {agg}({arr}(t.id, t.kind_id, t.file, t.original_name, t.size, t.sha256, t.uploaded_by_id, "
            f"t.uploaded_at, k.code, k.name_sv, k.name_en, k.required, k.position, k.call_id)) "
            f"FROM {_table(Attachment)} t LEFT JOIN {_table(RequiredAttachment)} k ON k.id = t.kind_id "
            f"WHERE t.application_id = a.id AND t.removed_at IS NULL"
        )
        kinds = (
            f"SELECT {agg}({arr}(r.id, r.code, r.name_sv, r.name_en, r.required, r.position)) "
            f"FROM {_table(RequiredAttachment)} r WHERE r.call_id = a.call_id AND r.required"
        )
        member = f"SELECT 1 FROM {_table(Membership)} m WHERE m.organisation_id = a.organisation_id AND m.user_id = %s"
        columns = ", ".join([*_columns(Application, "a"), *_columns(Call, "c"), *_columns(Organisation, "o")])
        lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
        _SQL[vendor] = (
            f"SELECT {columns}, EXISTS({member}), ({budget}), ({attachments}), ({kinds}) "
            f"FROM {_table(Application)} a "
            f"INNER JOIN {_table(Call)} c ON c.id = a.call_id "
            f"INNER JOIN {_table(Organisation)} o ON o.id = a.organisation_id "
            f"WHERE a.id = %s{lock}"
        )
    return _SQL[vendor]


def _converters(model: type[Model]) -> list[tuple[int, list[Any], Any]]:
    """The ORM's converters of the model's columns (e.g. JSON text to lists; on SQLite also decimals, dates and
    times), worked out once per model and connection (they are bound to the connection's operations)."""
    wrapper = connections[connection.alias]
    per_model = _CONVERTERS.setdefault(wrapper, {})
    if model not in per_model:
        found = []
        for i, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if functions:
                found.append((i, functions, column))
        per_model[model] = found
    return per_model[model]


def _instance(model: type[M], values: list[Any]) -> M:
    """A model instance from its columns as the database sent them, converted as the ORM would convert them."""
    for i, functions, column in _converters(model):
        for convert in functions:
            values[i] = convert(values[i], column, connection)
    return model.from_db(
        connection.alias, _ATTNAMES.setdefault(model, [f.attname for f in model._meta.concrete_fields]), values
    )


def _loaded(model: type[M], **values: Any) -> M:
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def _rows(value: Any) -> list[list[Any]]:
    # PostgreSQL: psycopg parses json (None for no rows); SQLite: text, '[]' for no rows.
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _instant(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:  # pragma: no cover - the column is NOT NULL and written by Django
        raise ValueError(f"not a timestamp: {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)  # SQLite keeps UTC, naive


def application_get_locked(pk: int, actor_pk: int) -> tuple[Application, bool]:
    """The application locked for an applicant action, with everything the action reads, and whether the actor
    is a member of its organisation. Raises Application.DoesNotExist."""
    pk = int(pk)
    if not 0 < pk <= MAX_PK:
        raise Application.DoesNotExist
    with connection.cursor() as cursor:
        cursor.execute(_statement(), [actor_pk, pk])
        row = cursor.fetchone()
    if row is None:
        raise Application.DoesNotExist
    row = list(row)
    n_app, n_call = len(Application._meta.concrete_fields), len(Call._meta.concrete_fields)
    n_org = len(Organisation._meta.concrete_fields)
    application = _instance(Application, row[:n_app])
    call = _instance(Call, row[n_app : n_app + n_call])
    organisation = _instance(Organisation, row[n_app + n_call : n_app + n_call + n_org])
    is_member, budget, attachments, kinds = row[n_app + n_call + n_org :]
    Application.call.field.set_cached_value(application, call)  # type: ignore[attr-defined]
    Application.organisation.field.set_cached_value(application, organisation)  # type: ignore[attr-defined]

    lines = [
        _loaded(
            BudgetLine,
            id=i,
            application_id=application.pk,
            category=category,
            description=description,
            amount=Decimal(amount).quantize(CENTS),
            position=position,
        )
        for i, category, description, amount, position in _rows(budget)
    ]
    lines.sort(key=lambda line: (line.position, line.pk))
    for line in lines:
        BudgetLine.application.field.set_cached_value(line, application)  # type: ignore[attr-defined]
    # The manager's own queryset (filtered on this application), answered from the cache as after a prefetch.
    cached_lines = application.budget_lines.all()  # type: ignore[attr-defined]
    cached_lines._result_cache = lines
    cached_lines._prefetch_done = True  # type: ignore[attr-defined]
    application._prefetched_objects_cache = {"budget_lines": cached_lines}  # type: ignore[attr-defined]

    current = []
    for row_ in _rows(attachments):
        (i, kind_id, file, name, size, sha256, uploaded_by_id, uploaded_at, *kind_values) = row_
        attachment = _loaded(
            Attachment,
            id=i,
            application_id=application.pk,
            kind_id=kind_id,
            file=file,
            original_name=name,
            size=size,
            sha256=sha256,
            uploaded_by_id=uploaded_by_id,
            uploaded_at=_instant(uploaded_at),
            removed_at=None,
        )
        kind = None
        if kind_id is not None:
            code, name_sv, name_en, required, position, call_id = kind_values
            kind = _loaded(
                RequiredAttachment,
                id=kind_id,
                call_id=call_id,
                code=code,
                name_sv=name_sv,
                name_en=name_en,
                required=bool(required),
                position=position,
            )
        Attachment.application.field.set_cached_value(attachment, application)  # type: ignore[attr-defined]
        Attachment.kind.field.set_cached_value(attachment, kind)  # type: ignore[attr-defined]
        current.append(attachment)
    # As Attachment.Meta.ordering (kind position, upload time), with the vendor's place for no kind at all.
    nulls_last = connection.features.nulls_order_largest

    def attachment_order(a: Attachment) -> tuple[Any, ...]:
        position = a.kind.position if a.kind is not None else None
        return (position is None) == nulls_last, position or 0, a.uploaded_at, a.pk

    current.sort(key=attachment_order)
    application.current_attachments = current  # type: ignore[attr-defined]

    required_kinds = [
        _loaded(
            RequiredAttachment,
            id=i,
            call_id=call.pk,
            code=code,
            name_sv=name_sv,
            name_en=name_en,
            required=bool(required),
            position=position,
        )
        for i, code, name_sv, name_en, required, position in _rows(kinds)
    ]
    required_kinds.sort(key=lambda k: (k.position, k.pk))
    call.__dict__[REQUIRED_KINDS_CACHE] = required_kinds
    return application, bool(is_member)


__all__ = ["application_get_locked"]

"""The one-statement locked read of applicant actions (grants.selectors.locked) gives what the ORM gives:
the same application, call and organisation, the same budget lines, current attachments and required kinds
in the same order, the membership answer, and nothing read later behind the caller's back.

Runs on SQLite and, with DATABASE_URL, on PostgreSQL: the statement is written for each."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from grants.models import Application, Attachment, BudgetLine, RequiredAttachment
from grants.selectors import application_content_prefetches, required_attachment_kinds
from grants.selectors.locked import MAX_PK, application_get_locked
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory, make_pdf


def _values(instance: Model) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _attach(application, kind, name, at):
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        size=123,
        sha256="a" * 64,
        uploaded_by=application.created_by,
        uploaded_at=at,
    )
    attachment.file.save("x.pdf", ContentFile(make_pdf()), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def full_draft(db):
    """A draft with lines out of key order and with öre, kinds out of key order, an attachment of no kind, a
    removed attachment, an optional kind, and another application's lines and attachments beside it."""
    member = MembershipFactory()
    call = CallFactory(with_kinds=False)
    budget_kind = RequiredAttachment.objects.create(
        call=call, code="budget", name_sv="Budget", name_en="Budget", position=2
    )
    plan_kind = RequiredAttachment.objects.create(call=call, code="plan", name_sv="Plan", name_en="Plan", position=1)
    RequiredAttachment.objects.create(call=call, code="extra", name_sv="Övrigt", name_en="Other", required=False)
    application = ApplicationFactory(
        call=call,
        organisation=member.organisation,
        created_by=member.user,
        lines=False,
        requested_amount=Decimal("1234.55"),
        completion_sections=["budget", "period"],
    )
    BudgetLine.objects.create(
        application=application, category="STAFF", description="Två", amount="1000.05", position=2
    )
    BudgetLine.objects.create(
        application=application, category="TRAVEL", description="Ett", amount="234.50", position=1
    )
    BudgetLine.objects.create(application=application, category="OTHER", description="Noll", amount="0.01", position=0)
    t = timezone.now() - timedelta(hours=1)
    _attach(application, budget_kind, "budget.pdf", t)
    _attach(application, None, "bilaga.pdf", t + timedelta(minutes=1))
    _attach(application, plan_kind, "plan-2.pdf", t + timedelta(minutes=3))
    _attach(application, plan_kind, "plan-1.pdf", t + timedelta(minutes=2))
    removed = _attach(application, plan_kind, "gammal.pdf", t - timedelta(minutes=5))
    Attachment.objects.filter(pk=removed.pk).update(removed_at=t)
    other = ApplicationFactory(call=call, organisation=member.organisation, created_by=member.user)
    _attach(other, plan_kind, "annan.pdf", t)
    return application, member.user


def _orm_read(application, actor):
    """What the services read before: select_related + prefetch_related, and the required kinds."""
    app = (
        Application.objects.select_related("call", "organisation")
        .prefetch_related(*application_content_prefetches())
        .get(pk=application.pk)
    )
    kinds = list(app.call.attachment_kinds.filter(required=True))
    return app, kinds


def test_the_locked_read_gives_what_the_orm_gives(full_draft):
    application, actor = full_draft
    expected, expected_kinds = _orm_read(application, actor)
    locked, member = application_get_locked(application.pk, actor.pk)

    assert member is True
    assert _values(locked) == _values(expected)
    assert locked.completion_sections == ["budget", "period"]
    assert _values(locked.call) == _values(expected.call)
    assert _values(locked.organisation) == _values(expected.organisation)
    assert [_values(line) for line in locked.budget_lines.all()] == [
        _values(line) for line in expected.budget_lines.all()
    ]
    assert [str(line.amount) for line in locked.budget_lines.all()] == ["0.01", "234.50", "1000.05"]
    assert [_values(a) for a in locked.current_attachments] == [_values(a) for a in expected.current_attachments]
    # Kind position, then upload time; an attachment of no kind where the database sorts NULL (as the ORM).
    kinded = ["plan-1.pdf", "plan-2.pdf", "budget.pdf"]
    no_kind = ["bilaga.pdf"]
    order = kinded + no_kind if connection.features.nulls_order_largest else no_kind + kinded
    assert [a.original_name for a in locked.current_attachments] == order
    assert [a.kind and _values(a.kind) for a in locked.current_attachments] == [
        a.kind and _values(a.kind) for a in expected.current_attachments
    ]
    assert "gammal.pdf" not in {a.original_name for a in locked.current_attachments}
    assert [_values(k) for k in required_attachment_kinds(locked.call)] == [_values(k) for k in expected_kinds]
    assert [k.code for k in required_attachment_kinds(locked.call)] == ["plan", "budget"]
    assert locked._state.adding is False and locked.budget_lines.all()[0]._state.adding is False


def test_what_the_locked_read_brings_is_not_read_again(full_draft, django_assert_num_queries):
    application, actor = full_draft
    locked, _member = application_get_locked(application.pk, actor.pk)
    with django_assert_num_queries(0):
        assert locked.call.title_sv and locked.organisation.orgnr
        assert len(locked.budget_lines.all()) == 3
        assert all(line.application is locked for line in locked.budget_lines.all())
        assert {a.kind.code if a.kind else "" for a in locked.current_attachments} == {"plan", "budget", ""}
        assert all(a.application is locked for a in locked.current_attachments)
        assert len(required_attachment_kinds(locked.call)) == 2


def test_an_application_without_lines_attachments_or_kinds(db):
    member = MembershipFactory()
    application = ApplicationFactory(
        call=CallFactory(with_kinds=False), organisation=member.organisation, created_by=member.user, lines=False
    )
    locked, member_ok = application_get_locked(application.pk, member.user.pk)
    assert member_ok is True
    assert list(locked.budget_lines.all()) == []
    assert locked.current_attachments == []
    assert required_attachment_kinds(locked.call) == []


def test_a_stranger_is_told_apart(full_draft):
    application, _actor = full_draft
    stranger = UserFactory(email="främling@example.se")
    _locked, member = application_get_locked(application.pk, stranger.pk)
    assert member is False


@pytest.mark.parametrize("pk", [0, 987654, MAX_PK, MAX_PK + 1, 2**64 + 5])
def test_no_such_application(db, pk):
    with pytest.raises(Application.DoesNotExist):
        application_get_locked(pk, 1)


def test_the_cached_lines_queryset_is_this_applications(full_draft):
    """budget_lines_replace deletes through it: it must reach this application's lines only."""
    application, actor = full_draft
    locked, _member = application_get_locked(application.pk, actor.pk)
    others = BudgetLine.objects.exclude(application=application).count()
    assert others > 0
    locked.budget_lines.all().delete()
    assert not BudgetLine.objects.filter(application=application).exists()
    assert BudgetLine.objects.exclude(application=application).count() == others


@pytest.mark.parametrize(
    ("model", "read"),
    [
        (BudgetLine, {"id", "application_id", "category", "description", "amount", "position"}),
        (
            Attachment,
            {
                "id",
                "application_id",
                "kind_id",
                "file",
                "original_name",
                "size",
                "sha256",
                "uploaded_by_id",
                "uploaded_at",
                "removed_at",  # always NULL: the read takes the current attachments only
            },
        ),
        (RequiredAttachment, {"id", "call_id", "code", "name_sv", "name_en", "required", "position"}),
    ],
)
def test_the_lists_read_every_column(model, read):
    """The JSON lists name their columns one by one: a field added to the model must be added to the read in
    grants/selectors/locked.py too, or its instances would carry the field's default instead of its value."""
    assert {f.attname for f in model._meta.concrete_fields} == read, "update grants/selectors/locked.py"

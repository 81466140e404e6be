"""Reads of issued documents, scoped to who may see them (DESIGN.md §5 rule 6, §6)."""

from django.db.models import QuerySet
from django.http import Http404

from grants import permissions
from grants.models import Application, User

from .models import BATCH_KINDS, Document, DocumentKind

# What an applicant may download from their case; payment files are the agency's own records.
APPLICANT_KINDS = frozenset(
    {DocumentKind.DECISION_LETTER, DocumentKind.APPLICATION_SUMMARY, DocumentKind.REPAYMENT_LETTER}
)
# Staff who work cases see every document of a case; finance only a batch's files; reviewers none.
CASE_ROLES = (permissions.CASE_OFFICER, permissions.DECISION_MAKER, permissions.PROGRAMME_ADMIN)


def document_list_for_applicant(user: User, application: Application) -> QuerySet[Document]:
    """The case's documents meant for the applicant, newest first; empty unless the person is a member of
    the case's organisation."""
    return Document.objects.filter(
        application=application,
        application__organisation__memberships__user=user,
        kind__in=APPLICANT_KINDS,
    ).order_by("-created_at", "-pk")


def document_get_for_applicant(user: User, application_pk: int, pk: int) -> Document:
    """One document of the person's organisations' case; 404 otherwise (never 403: no hint it exists)."""
    if not user.is_authenticated:
        raise Http404
    document = (
        Document.objects.filter(
            pk=pk,
            application_id=application_pk,
            application__organisation__memberships__user=user,
            kind__in=APPLICANT_KINDS,
        )
        .select_related("application")
        .first()
    )
    if document is None:
        raise Http404
    return document


def staff_document_kinds(user: User) -> frozenset[str] | None:
    """The kinds the person may open as staff: None for all of them, an empty set for none."""
    if any(permissions.has_role(user, role) for role in CASE_ROLES):
        return None
    if permissions.has_role(user, permissions.FINANCE):
        return BATCH_KINDS  # payment files, ledger exports and bank answers
    return frozenset()


def _for_staff(user: User) -> QuerySet[Document]:
    kinds = staff_document_kinds(user)
    documents = Document.objects.all()
    if kinds is not None:
        documents = documents.filter(kind__in=kinds)
    return documents


def document_list_for_staff(user: User, application: Application) -> QuerySet[Document]:
    """The case's documents the person may open, newest first."""
    return _for_staff(user).filter(application=application).order_by("-created_at", "-pk")


def document_get_for_staff(user: User, pk: int) -> Document:
    """One document the person's roles allow; 404 otherwise, also for a case they were asked to review and
    are not free of conflict for (DESIGN.md §5 rule 6)."""
    document = _for_staff(user).filter(pk=pk).select_related("application").first()
    if document is None:
        raise Http404
    if document.application is not None and not permissions.free_of_review_conflict(user, document.application):
        raise Http404
    return document

"""Case officer queues (DESIGN.md §8): which cases each queue holds, filtered, searched and sorted.

Every queue is one queryset; membership is decided in SQL (an EXISTS for "ready for proposal"), never per
row, so a page costs the same number of queries for 10 cases or 100 000. Drafts are never shown to staff, nor
a case the officer was asked to review and is not free of conflict for (jäv, DESIGN.md §5 rule 6), in any
queue or search: one more EXISTS.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grants.models import Application, ApplicationState, Review, User
from grants.models.states import APPLICATION_OPEN_STATES
from grants.permissions import review_conflict_bars
from grants.text import Text

S = ApplicationState


@dataclass(frozen=True)
class Queue:
    key: str
    label: Text


QUEUES = (
    Queue("new", _("Nya och ofördelade")),
    Queue("mine", _("Mina ärenden")),
    Queue("completion", _("Väntar på komplettering")),
    Queue("ready", _("Klara för föredragning")),
    Queue("all", _("Alla ärenden")),
)
QUEUE_KEYS = frozenset(q.key for q in QUEUES)

SORTS = {
    "oldest": (_("Äldst först"), (F("submitted_at").asc(), F("pk").asc())),
    "newest": (_("Nyast först"), (F("submitted_at").desc(), F("pk").desc())),
    "answer_by": (
        _("Svara senast, närmast först"),
        (F("completion_answer_by_date").asc(nulls_last=True), F("submitted_at").asc(), F("pk").asc()),
    ),
}
DEFAULT_SORT = "oldest"

# The columns a queue row shows; nothing else is read (the case text can be long).
ROW_FIELDS = (
    "pk",
    "reference_number",
    "title",
    "state",
    "submitted_at",
    "completion_answer_by_date",
    "call_id",
    "call__title_sv",
    "call__title_en",
    "organisation_id",
    "organisation__name",
    "organisation__org_type",
    "assigned_officer_id",
    "assigned_officer__full_name",
    "assigned_officer__email",
)


def reviews_pending() -> Exists:
    """True for a case with an assigned review neither submitted, nor recused for a conflict, nor withdrawn."""
    return Exists(Review.objects.pending().filter(application=OuterRef("pk")))


def _queue_filter(queue: str, user: User) -> Q:
    if queue == "new":
        return Q(state=S.SUBMITTED, assigned_officer__isnull=True)
    if queue == "mine":  # the open cases (grants.models.states.APPLICATION_OPEN_STATES), the ones still worked on
        return Q(assigned_officer=user, state__in=APPLICATION_OPEN_STATES)
    if queue == "completion":
        return Q(state=S.AWAITING_COMPLETION)
    if queue == "ready":
        return Q(state=S.IN_REVIEW) & Q(~reviews_pending())
    if queue == "all":
        return Q()
    raise ValueError(f"unknown queue {queue!r}")


def application_queue_list(
    *,
    user: User,
    queue: str,
    call_id: int | None = None,
    state: str = "",
    officer_id: int | None = None,
    unassigned: bool = False,
    org_type: str = "",
    q: str = "",
    sort: str = DEFAULT_SORT,
) -> QuerySet[Application]:
    """The cases of one queue as seen by `user`, filtered, searched and sorted; never drafts, never a case
    `user` is barred from by a review assignment (permissions.free_of_review_conflict)."""
    qs = Application.objects.exclude(state=S.DRAFT).filter(_queue_filter(queue, user), ~review_conflict_bars(user))
    if call_id is not None:
        qs = qs.filter(call_id=call_id)
    if state:
        qs = qs.filter(state=state)
    if unassigned:
        qs = qs.filter(assigned_officer__isnull=True)
    elif officer_id is not None:
        qs = qs.filter(assigned_officer_id=officer_id)
    if org_type:
        qs = qs.filter(organisation__org_type=org_type)
    q = q.strip()
    if q:
        qs = qs.filter(Q(reference_number__icontains=q) | Q(title__icontains=q) | Q(organisation__name__icontains=q))
    _label, order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return qs.select_related("call", "organisation", "assigned_officer").only(*ROW_FIELDS).order_by(*order)


def queue_officer_list() -> list[User]:
    """Active people with the case officer role, for the officer filter and the assign select."""
    from grants.permissions import CASE_OFFICER

    return list(
        User.objects.filter(groups__name=CASE_OFFICER, is_active=True)
        .only("pk", "full_name", "email")
        .order_by("full_name", "email")
        .distinct()
    )

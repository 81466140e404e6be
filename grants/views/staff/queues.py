"""Case officer queues (DESIGN.md §8): new and unassigned, my cases, awaiting completion, ready for proposal,
all; filter, search, sort, paginate; assign one case or many. Only for the case officer role (404 otherwise).

    GET  /staff/queue/?queue=new|mine|completion|ready|all&call=&state=&officer=&org_type=&q=&sort=&page=
    POST /staff/queue/assign/   applications=<pk>… officer=me|<pk>   (or one=<pk>: "Tilldela mig", then the case)
"""

from collections.abc import Iterable
from datetime import date
from html import escape
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.formatting import format_date
from grants.ids import coerce_id, parse_id
from grants.models import Application, ApplicationState, Call, OrganisationType, User
from grants.models.states import APPLICATION_OPEN_STATES
from grants.selectors.queues import (
    DEFAULT_SORT,
    QUEUE_KEYS,
    QUEUES,
    ROW_FIELDS,
    SORTS,
    application_queue_list,
    queue_officer_list,
)
from grants.services.queues import applications_assign_many
from grants.views.base import AuthedRequest

PER_PAGE = 50
UNASSIGNED = "none"
# The query parameters that make up a queue view; kept across a bulk assignment.
VIEW_PARAMS = ("queue", "call", "state", "officer", "org_type", "q", "sort", "page")


def _html(template: str, **values: Any) -> SafeString:
    """format_html for the page's hot paths (some 1 000 values a page): the same escaping, less overhead.

    A value with __html__ (SafeString, a form widget) is used as it is, anything else goes through
    html.escape(str(value)), exactly what django.utils.html.escape does; format_html adds a check for lazy
    strings and a SafeString per value, about 1 µs each.
    """
    escaped = {
        key: value.__html__() if hasattr(value, "__html__") else escape(str(value)) for key, value in values.items()
    }
    return mark_safe(template.format(**escaped))  # noqa: S308 - every value is escaped just above


def _html_attrs(attrs: dict[str, Any]) -> SafeString:
    """Attributes as Django's widgets/attrs.html writes them: True bare, False left out, the rest as text."""
    return mark_safe(  # noqa: S308 - names and values escaped here
        "".join(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


SELECTED = mark_safe(" selected")


class QuickSelect(forms.Select):
    """A <select> with the markup of Django's select.html, written in Python.

    The template renders two includes per option (about 0.1 ms each), and Select.get_context builds a dict of
    nine keys per option; the queue page has some 40 options and must stay cheap. The choices, the selection
    rule (the first option whose value matches) and the attributes are Django's (format_value, build_attrs);
    tests compare the output with Select's, optgroups included.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        values = self.format_value(value)
        attributes = _html_attrs(self.build_attrs(self.attrs, attrs))
        parts: list[str] = [_html('<select name="{name}"{attrs}>', name=name, attrs=attributes)]
        has_selected = False
        for choice_value, choice_label in self.choices:
            grouped = isinstance(choice_label, list | tuple)
            if grouped:
                parts.append(_html('\n  <optgroup label="{group}">', group=choice_value))
            for option_value, label in choice_label if grouped else ((choice_value, choice_label),):
                option_value = "" if option_value is None and not grouped else option_value
                selected = not has_selected and str(option_value) in values
                has_selected |= selected
                parts.append(
                    _html(
                        '\n  <option value="{value}"{selected}>{label}</option>',
                        value=option_value,
                        selected=SELECTED if selected else "",
                        label=label,
                    )
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - literals and _html's escaped parts


class QueueFilterForm(forms.Form):
    call = forms.TypedChoiceField(
        label=_("Utlysning"), required=False, coerce=coerce_id, empty_value=None, widget=QuickSelect
    )
    state = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    officer = forms.ChoiceField(label=_("Handläggare"), required=False, widget=QuickSelect)
    org_type = forms.ChoiceField(label=_("Organisationstyp"), required=False, widget=QuickSelect)
    q = forms.CharField(
        label=_("Sök"), required=False, max_length=200, help_text=_("Diarienummer, projekttitel eller organisation.")
    )
    sort = forms.ChoiceField(label=_("Sortera"), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, calls: list[Call], officers: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        every = ("", _("Alla"))
        self.fields["call"].choices = [every, *((c.pk, c.title) for c in calls)]  # type: ignore[attr-defined]
        self.fields["state"].choices = [every, *(c for c in ApplicationState.choices if c[0] != ApplicationState.DRAFT)]  # type: ignore[attr-defined]
        self.fields["officer"].choices = [  # type: ignore[attr-defined]
            every,
            (UNASSIGNED, _("Ingen handläggare")),
            *((str(o.pk), o.get_full_name()) for o in officers),
        ]
        self.fields["org_type"].choices = [every, *OrganisationType.choices]  # type: ignore[attr-defined]
        self.fields["sort"].choices = [(key, label) for key, (label, _order) in SORTS.items()]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    # Bounded ids (grants.ids): a value past the database's integer range would make SQLite raise.
    applications = forms.TypedMultipleChoiceField(coerce=coerce_id, required=False)
    one = forms.TypedChoiceField(coerce=coerce_id, required=False, empty_value=None)
    officer = forms.ChoiceField(label=_("Tilldela"), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, officers: list[User], me: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.officers = {str(o.pk): o for o in officers}
        self.me = me
        self.fields["officer"].choices = [  # type: ignore[attr-defined]
            ("me", _("Mig själv")),
            *((pk, o.get_full_name()) for pk, o in self.officers.items() if o.pk != me.pk),
        ]

    def _ids(self, name: str) -> list[str]:
        return self.data.getlist(name) if hasattr(self.data, "getlist") else list(self.data.get(name, []))

    def full_clean(self) -> None:
        # The chosen cases are checked by the service (which locks them), not against a list read here.
        self.fields["applications"].choices = [(v, v) for v in self._ids("applications")]  # type: ignore[attr-defined]
        self.fields["one"].choices = [(v, v) for v in self._ids("one")]  # type: ignore[attr-defined]
        super().full_clean()

    def target(self) -> tuple[list[int], User]:
        data = self.cleaned_data
        if data["one"] is not None:  # "Tilldela mig" on one row
            return [data["one"]], self.me
        officer = self.officers.get(data["officer"]) if data["officer"] not in ("", "me") else self.me
        return list(data["applications"]), officer or self.me


def _require_case_officer(user: User) -> None:
    if not permissions.has_role(user, permissions.CASE_OFFICER):
        raise Http404


def _case_link_pattern() -> str:
    """The case page's URL with a placeholder for the pk: one reverse() a page instead of one a row."""
    return reverse("staff_case", kwargs={"pk": 999999999}).replace("999999999", "{pk}")


class _Dates:
    """format_date for the dates of one page, asking the locale for each month's name once, not per row."""

    def __init__(self) -> None:
        self._months: dict[tuple[int, int], str] = {}

    def __call__(self, value: date) -> str:
        month = self._months.get((value.year, value.month))
        if month is None:  # format_date gives "<day> <month> <year>" in both languages
            month = self._months[value.year, value.month] = format_date(value.replace(day=1)).split(" ", 1)[1]
        return f"{value.day} {month}"


# One row of the queue table. It is written here and not in the template because it repeats 50 times a
# page: a dozen template variables a row cost about 4 ms a page, this about 0.5 ms. Every {placeholder} is
# escaped by _html (titles and organisation names are user input).
ROW_HTML = (
    "<tr>\n"
    '  <td data-label="{l_choose}"><input type="checkbox" name="applications" value="{pk}" id="select-{pk}">'
    '<label for="select-{pk}"><span class="visually-hidden">{choose}</span></label></td>\n'
    '  <th scope="row" data-label="{l_ref}"><a href="{url}">{ref}</a></th>\n'
    '  <td data-label="{l_title}">{title}</td>\n'
    '  <td data-label="{l_organisation}">{organisation} <span class="hint">({org_type})</span></td>\n'
    '  <td data-label="{l_call}">{call}</td>\n'
    '  <td data-label="{l_state}">{state}</td>\n'
    '  <td data-label="{l_officer}">{officer_cell}</td>\n'
    '  <td data-label="{l_submitted}">{submitted}</td>\n'
    '  <td data-label="{l_age}">{age_days}</td>\n'
    '  <td data-label="{l_answer_by}">{answer_by}</td>\n'
    '  <td class="queue-action">{action}</td>\n'
    "</tr>"
)
# The column names again on each cell (data-label): on a narrow screen the rows stack and each cell shows its
# column's name (static/css/samverket.css), so the table reflows at 320 px (WCAG 1.4.10). The same words as
# the table head in templates/staff/queues/queue.html.
COLUMN_LABELS = {
    "l_choose": _("Välj"),
    "l_ref": _("Diarienummer"),
    "l_title": _("Projekttitel"),
    "l_organisation": _("Organisation"),
    "l_call": _("Utlysning"),
    "l_state": _("Status"),
    "l_officer": _("Handläggare"),
    "l_submitted": _("Inkom"),
    "l_age": _("Ålder (dagar)"),
    "l_answer_by": _("Svara senast"),
}
NO_OFFICER_HTML = '<span class="hint">{label}</span>'
ASSIGN_TO_ME_HTML = (
    '<button type="submit" name="one" value="{pk}" class="compact">{label}'
    '<span class="visually-hidden"> {ref}</span></button>'
)


def _rows(applications: Iterable[dict[str, Any]], *, me: User) -> tuple[list[dict[str, Any]], SafeString]:
    """The rows of one page: what each shows, and their table rows (<tr>) ready for the template.

    Labels, texts and the link pattern are looked up once a page, names once per call or officer, month
    names once per month, instead of get_*_display, blocktranslate, reverse() and localisation per row.
    """
    here = timezone.get_current_timezone()
    today = timezone.localdate()
    link = _case_link_pattern()
    choose = gettext("Välj %(ref)s")
    untitled = gettext("(utan titel)")
    no_officer = _html(NO_OFFICER_HTML, label=gettext("Ingen"))
    assign_to_me = gettext("Tilldela mig")
    states = {value: str(label) for value, label in ApplicationState.choices}
    org_types = {value: str(label) for value, label in OrganisationType.choices}
    calls: dict[int, str] = {}
    officers: dict[int, str] = {}
    day = _Dates()
    # Once a page, not per row: escaped here, so _html uses them as they are.
    labels = {key: mark_safe(escape(str(label))) for key, label in COLUMN_LABELS.items()}  # noqa: S308
    rows = []
    html = []
    for a in applications:
        pk = str(a["pk"])
        ref = a["reference_number"] or ""
        call = calls.get(a["call_id"])
        if call is None:
            call = calls[a["call_id"]] = Call(title_sv=a["call__title_sv"], title_en=a["call__title_en"]).title
        officer = ""
        if a["assigned_officer_id"] is not None:
            officer = officers.get(a["assigned_officer_id"], "")
            if not officer:
                name, email = a["assigned_officer__full_name"], a["assigned_officer__email"]
                officer = officers[a["assigned_officer_id"]] = User(full_name=name, email=email).get_full_name()
        submitted = a["submitted_at"].astimezone(here).date() if a["submitted_at"] else None
        answer_by = a["completion_answer_by_date"]
        row = {
            "pk": pk,
            "url": link.format(pk=pk),
            "ref": ref,
            "title": a["title"] or untitled,
            "organisation": a["organisation__name"],
            "org_type": org_types.get(a["organisation__org_type"], a["organisation__org_type"]),
            "call": call,
            "state": states.get(a["state"], a["state"]),
            "officer": officer,
            "submitted": day(submitted) if submitted else "",  # the Swedish date, as the age counts it
            "age_days": (today - submitted).days if submitted else None,
            "answer_by": day(answer_by) if answer_by else "",
        }
        rows.append(row)
        html.append(
            _html(
                ROW_HTML,
                **row,
                **labels,
                choose=choose % {"ref": ref},
                officer_cell=officer or no_officer,
                # Not mine and open: the same rule the service applies (a closed case takes no officer).
                action=_html(ASSIGN_TO_ME_HTML, pk=pk, ref=ref, label=assign_to_me)
                if a["assigned_officer_id"] != me.pk and a["state"] in APPLICATION_OPEN_STATES
                else "",
            )
        )
    return rows, mark_safe("\n".join(html))  # noqa: S308 - each row made by _html


@login_required
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    """One page of a case officer queue."""
    _require_case_officer(request.user)
    queue_key = request.GET.get("queue", "new")
    if queue_key not in QUEUE_KEYS:
        queue_key = "new"
    calls = list(Call.objects.only("pk", "title_sv", "title_en").order_by("-opens_at", "pk"))
    officers = queue_officer_list()
    form = QueueFilterForm(request.GET, calls=calls, officers=officers)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        officer = data["officer"]
        filters = {
            "call_id": data["call"],
            "state": data["state"],
            "officer_id": parse_id(officer),  # None for "" and UNASSIGNED
            "unassigned": officer == UNASSIGNED,
            "org_type": data["org_type"],
            "q": data["q"],
            "sort": data["sort"] or DEFAULT_SORT,
        }
    qs = application_queue_list(user=request.user, queue=queue_key, **filters)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    # Values, not models, for the rows; counted on the queryset itself, whose count needs no joins.
    rows, rows_html = _rows(cast(QuerySet[Application], page.object_list).values(*ROW_FIELDS), me=request.user)
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tabs = []
    for q in QUEUES:
        tab_params["queue"] = q.key
        tabs.append({"key": q.key, "label": q.label, "query": tab_params.urlencode(), "current": q.key == queue_key})
    params["queue"] = queue_key
    assign_form = AssignForm(officers=officers, me=request.user, auto_id="assign_%s")
    return render(
        request,
        "staff/queues/queue.html",
        {
            "form": form,
            "assign_form": assign_form,
            "tabs": tabs,
            "queue_key": queue_key,
            "queue_label": next(q.label for q in QUEUES if q.key == queue_key),
            "page": page,
            "rows": rows,
            "rows_html": rows_html,
            "page_query": params.urlencode(),
            "return_query": request.GET.urlencode(),
        },
    )


def _return_url(raw: str) -> str:
    # Only our own parameters go back into the address, so the redirect cannot be steered elsewhere.
    given = QueryDict(raw)
    kept = QueryDict(mutable=True)
    for key in VIEW_PARAMS:
        if key in given:
            kept.setlist(key, given.getlist(key))
    query = kept.urlencode()
    return reverse("staff_queue") + (f"?{query}" if query else "")


@login_required
@require_POST
def queue_assign(request: AuthedRequest) -> HttpResponse:
    """Assign the chosen cases to me or a colleague."""
    _require_case_officer(request.user)
    back = _return_url(request.POST.get("return_query", ""))
    form = AssignForm(request.POST, officers=queue_officer_list(), me=request.user)
    if not form.is_valid():
        messages.error(request, _("Välj ett ärende och en handläggare."))
        return HttpResponseRedirect(back)
    pks, officer = form.target()
    try:
        changed = applications_assign_many(actor=request.user, applications=pks, officer=officer, now=timezone.now())
    except NotAllowed as exc:
        raise Http404 from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back)
    if changed:
        messages.success(
            request,
            ngettext("%(count)d ärende tilldelat %(name)s.", "%(count)d ärenden tilldelade %(name)s.", len(changed))
            % {"count": len(changed), "name": officer.get_full_name()},
        )
    else:
        messages.info(request, _("Ärendena hade redan den handläggaren."))
    if form.cleaned_data["one"] is not None:  # "Tilldela mig" on one row: on to the case, to work on it
        return HttpResponseRedirect(reverse("staff_case", kwargs={"pk": pks[0]}))
    return HttpResponseRedirect(back)


urlpatterns: list[URLPattern] = [
    path("queue/", queue, name="staff_queue"),
    path("queue/assign/", queue_assign, name="staff_queue_assign"),
]

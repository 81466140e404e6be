"""Permission predicates: each returns a Verdict (an answer and the reason), so a template can disable a
button and say why, from the same function the server checks. Staff roles are Django groups."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grants.text import Text

from .models import (
    Application,
    ApplicationState,
    EligibilityCheck,
    Grant,
    GrantState,
    JoinRequest,
    Membership,
    MembershipRole,
    Organisation,
    PaymentAccount,
    Payout,
    RequestState,
    Review,
    SignatoryRequest,
    User,
)
from .models.states import APPLICATION_OPEN_STATES, APPLICATION_PRE_PROPOSAL_STATES
from .selectors.payment_accounts import organisation_current_account

CASE_OFFICER = "case_officer"
REVIEWER = "reviewer"
DECISION_MAKER = "decision_maker"
FINANCE = "finance"
PROGRAMME_ADMIN = "programme_admin"
STAFF_ROLES = (CASE_OFFICER, REVIEWER, DECISION_MAKER, FINANCE, PROGRAMME_ADMIN)
BUDGET_ROLES = (FINANCE, PROGRAMME_ADMIN)  # the budget per call (issue 10 item 7)

# Cases somebody still works on (grants/models/states.py); the old name stays for older imports.
OPEN_STATES = APPLICATION_OPEN_STATES


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: Text = ""

    def __bool__(self) -> bool:
        return self.allowed


YES = Verdict(True)


def has_role(user: User, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    # Cached per request object: the group list is read once.
    roles = getattr(user, "_role_cache", None)
    if roles is None:
        roles = set(user.groups.values_list("name", flat=True))
        user._role_cache = roles  # type: ignore[attr-defined]
    return role in roles


def has_any_role(user: User, roles: Iterable[str]) -> bool:
    return any(has_role(user, role) for role in roles)


def has_staff_workspace(user: User) -> bool:
    """Any staff role opens the staff workspace (a superuser too); `is_staff` only concerns Django's admin."""
    return user.is_authenticated and (user.is_superuser or any(has_role(user, role) for role in STAFF_ROLES))


def is_member(user: User, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    known = _membership_known(application)
    if user.pk not in known:
        known[user.pk] = Membership.objects.filter(user=user, organisation_id=application.organisation_id).exists()
    return known[user.pk]


def remember_membership(user: User, application: Application, member: bool) -> None:
    """Record an answer read along with the application (the services' locked read), so is_member needn't ask."""
    _membership_known(application)[user.pk] = member


def _membership_known(application: Application) -> dict[int, bool]:
    # Kept on the application object: a service and the flow it drives ask the same question within one
    # action, and these objects live for one request (the services re-read the row they lock).
    known: dict[int, bool] = application.__dict__.setdefault("_membership_known", {})
    return known


def is_signatory(user: User, organisation_id: int) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id, role=MembershipRole.SIGNATORY).exists()


def can_edit_draft(user: User, application: Application) -> Verdict:
    if not is_member(user, application):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    if application.state != ApplicationState.DRAFT:
        return Verdict(False, _("Ansökan är inskickad och kan inte längre ändras."))
    return YES


def can_submit(user: User, application: Application) -> Verdict:
    return can_edit_draft(user, application)


def can_delete_draft(user: User, application: Application) -> Verdict:
    if not is_member(user, application):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    if application.state != ApplicationState.DRAFT:
        return Verdict(False, _("Bara utkast kan tas bort; en inskickad ansökan är en allmän handling."))
    return YES


def can_withdraw(user: User, application: Application) -> Verdict:
    if not is_member(user, application):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    if application.state not in APPLICATION_PRE_PROPOSAL_STATES:
        return Verdict(False, _("Ansökan kan inte återkallas i det här skedet."))
    return YES


def can_complete(user: User, application: Application) -> Verdict:
    if not is_member(user, application):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    if application.state != ApplicationState.AWAITING_COMPLETION:
        return Verdict(False, _("Ingen komplettering är begärd."))
    return YES


def can_handle_case(user: User, application: Application) -> Verdict:
    if not has_role(user, CASE_OFFICER):
        return Verdict(False, _("Du har inte rollen handläggare."))
    return YES


def can_propose(user: User, application: Application) -> Verdict:
    if not has_role(user, CASE_OFFICER):
        return Verdict(False, _("Du har inte rollen handläggare."))
    if application.assigned_officer_id != user.pk:
        return Verdict(False, _("Bara ärendets handläggare kan föredra det."))
    return YES


def can_propose_approval(latest_check: EligibilityCheck | None) -> Verdict:
    """Whether the case may be proposed for approval: only after its latest eligibility check passed. An
    ineligible case (or one never checked) can still be proposed for rejection (DESIGN.md §4.1)."""
    if latest_check is None:
        return Verdict(
            False, _("Gör den formella kontrollen först. Utan godkänd kontroll kan ärendet bara föreslås för avslag.")
        )
    if not latest_check.passed:
        return Verdict(False, _("Den formella kontrollen är inte godkänd, så ärendet kan bara föreslås för avslag."))
    return YES


def free_of_review_conflict(user: User, application: Application) -> Verdict:
    """Whether a person asked to review the case may see it through the staff pages. Until they declare no
    conflict of interest they must see nothing of it, whatever their other roles (they would see the other
    reviewers' scores); a declared conflict keeps them out for good, also once the assignment is withdrawn
    (DESIGN.md §5 rule 6, förvaltningslagen 16–18 §§). An assignment the officer withdrew before any conflict was
    declared bars nothing. People with no review on the case are not concerned."""
    if not user.is_authenticated:
        return YES
    barred = Review.objects.barring().filter(application_id=application.pk, reviewer_id=user.pk).exists()
    if barred:
        return Verdict(False, _("Du är bedömare i ärendet och har inte förklarat dig fri från jäv."))
    return YES


def review_conflict_bars(user: User, application_ref: str = "pk") -> Exists:
    """free_of_review_conflict in SQL, for lists: true for the rows whose case (`application_ref`, a path from
    the row to the application's pk) `user` is barred from. Filter with `~review_conflict_bars(user, ...)`: one
    EXISTS, so a list costs the same queries however many cases it leaves out."""
    return Exists(Review.objects.barring().filter(application_id=OuterRef(application_ref), reviewer_id=user.pk))


def can_decide(user: User, application: Application, proposed_by_id: int | None) -> Verdict:
    if not has_role(user, DECISION_MAKER):
        return Verdict(False, _("Du har inte rollen beslutsfattare."))
    if proposed_by_id is not None and proposed_by_id == user.pk:
        return Verdict(False, _("Du har föredragit ärendet och kan därför inte besluta i det (fyraögonsprincipen)."))
    # Jäv: someone asked to review the case decides it only after declaring no conflict (förvaltningslagen 16 §).
    return free_of_review_conflict(user, application)


def can_assign_officer(applications: Iterable[Application], officer: User | None = None) -> Verdict:
    """Whether these cases may be given a case officer (`officer`, if known): all of them open (OPEN_STATES),
    and none reviewed by that person (the officer presents the case; the reviews must stay independent of
    that), or none is assigned. The refusal names the cases. The queue row offers "Tilldela mig" by the same
    OPEN_STATES; the reviewer part is checked when the button is used."""
    applications = list(applications)
    if any(a.state == ApplicationState.DRAFT for a in applications):
        return Verdict(False, _("Ansökan är inte inskickad."))
    closed = [a.reference_number or "" for a in applications if a.state not in APPLICATION_OPEN_STATES]
    if closed:
        return Verdict(
            False,
            ngettext(
                "Ärende %(refs)s är avslutat och kan inte tilldelas någon handläggare. Inget ärende har tilldelats.",
                "Ärendena %(refs)s är avslutade och kan inte tilldelas någon handläggare. Inget ärende har tilldelats.",
                len(closed),
            )
            % {"refs": ", ".join(closed)},
        )
    if officer is not None:
        reviewed = set(
            Review.objects.current()
            .filter(application_id__in=[a.pk for a in applications], reviewer_id=officer.pk)
            .values_list("application_id", flat=True)
        )
        refs = [a.reference_number or "" for a in applications if a.pk in reviewed]
        if refs:
            return Verdict(
                False,
                ngettext(
                    "%(name)s är bedömare i ärende %(refs)s och kan inte också vara dess handläggare. "
                    "Inget ärende har tilldelats.",
                    "%(name)s är bedömare i ärendena %(refs)s och kan inte också vara deras handläggare. "
                    "Inget ärende har tilldelats.",
                    len(refs),
                )
                % {"name": officer.get_full_name(), "refs": ", ".join(refs)},
            )
    return YES


# --- organisations: memberships, join requests and the signatory role ---------------------------------------


def can_manage_memberships(user: User) -> Verdict:
    """Adding, changing and removing memberships by hand, and granting the signatory role: programme admins
    (and superusers) only. A case officer who could add memberships could make themself an applicant of any
    organisation and read its cases in the portal (issue 9)."""
    if user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, PROGRAMME_ADMIN)):
        return YES
    return Verdict(False, _("Bara programansvariga kan ändra medlemskap och firmatecknare."))


def is_organisation_member(user: User, organisation_id: int) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def can_request_to_join(user: User, organisation: Organisation) -> Verdict:
    if not user.is_authenticated:
        return Verdict(False, _("Logga in först."))
    if is_organisation_member(user, organisation.pk):
        return Verdict(False, _("Du är redan medlem i organisationen."))
    if JoinRequest.objects.filter(user=user, organisation=organisation, state=RequestState.PENDING).exists():
        return Verdict(False, _("Du har redan skickat en förfrågan till organisationen. Vänta på svar."))
    return YES


def can_decide_join_request(user: User, join_request: JoinRequest) -> Verdict:
    """The organisation's members decide who joins them; programme admins may too (support)."""
    if not (is_organisation_member(user, join_request.organisation_id) or can_manage_memberships(user)):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    if join_request.state != RequestState.PENDING:
        return Verdict(False, _("Förfrågan är redan besvarad."))
    return YES


def can_request_signatory(user: User, organisation_id: int, member: User) -> Verdict:
    """A member asks for the signatory role for a member (themself or another) who does not hold it yet."""
    if not is_organisation_member(user, organisation_id):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    membership = Membership.objects.filter(user=member, organisation_id=organisation_id).first()
    if membership is None:
        return Verdict(False, _("Personen är inte medlem i organisationen."))
    if membership.role == MembershipRole.SIGNATORY:
        return Verdict(False, _("Personen är redan firmatecknare."))
    pending = SignatoryRequest.objects.filter(organisation_id=organisation_id, member=member)
    if pending.filter(state=RequestState.PENDING).exists():
        return Verdict(False, _("Det finns redan en begäran om firmatecknare för personen."))
    return YES


def can_decide_signatory_request(user: User, signatory_request: SignatoryRequest) -> Verdict:
    verdict = can_manage_memberships(user)
    if not verdict:
        return verdict
    if signatory_request.state != RequestState.PENDING:
        return Verdict(False, _("Begäran är redan avgjord."))
    return YES


# --- payment accounts (DESIGN.md §4.3: money goes only to an account a second person has verified) ----------


def can_register_payment_account(user: User, organisation: Organisation) -> Verdict:
    """Any member may register or change the organisation's account (a signatory is not needed): nothing is
    paid to it until finance has verified it, so a member cannot redirect money alone."""
    if not is_organisation_member(user, organisation.pk):
        return Verdict(False, _("Du är inte medlem i organisationen."))
    return YES


def _member_organisation_ids(user: User) -> set[int]:
    # Cached on the user object like the roles: finance's list asks this for every row.
    ids = getattr(user, "_member_org_cache", None)
    if ids is None:
        ids = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        user._member_org_cache = ids  # type: ignore[attr-defined]
    return ids


def _can_decide_payment_account(user: User, account: PaymentAccount) -> Verdict:
    if not has_role(user, FINANCE):
        return Verdict(False, _("Bara ekonomihandläggare kan verifiera och avvisa utbetalningskonton."))
    if not account.is_current:
        return Verdict(False, _("Kontot har ersatts av ett nyare konto."))
    if account.is_verified:
        return Verdict(False, _("Kontot är redan verifierat."))
    if account.is_rejected:
        return Verdict(False, _("Kontot är redan avvisat."))
    return YES


def can_verify_payment_account(user: User, account: PaymentAccount) -> Verdict:
    """Finance verifies the current account, never the person who registered it nor a member of the
    organisation (four eyes: the classic grant fraud is a changed account)."""
    verdict = _can_decide_payment_account(user, account)
    if not verdict:
        return verdict
    if account.created_by_id is not None and account.created_by_id == user.pk:
        return Verdict(False, _("Du har registrerat kontot och kan därför inte verifiera det (fyraögonsprincipen)."))
    if account.organisation_id in _member_organisation_ids(user):
        return Verdict(False, _("Du är medlem i organisationen och kan därför inte verifiera dess konto."))
    return YES


def can_reject_payment_account(user: User, account: PaymentAccount) -> Verdict:
    return _can_decide_payment_account(user, account)


def payment_account_ready(organisation: Organisation | int) -> Verdict:
    """Whether payouts may go to the organisation: it has a current account that finance has verified."""
    account = organisation_current_account(organisation)
    if account is None:
        return Verdict(False, _("Inget konto"))
    if account.is_verified:
        return YES
    if account.is_rejected:
        return Verdict(False, _("Kontot är avvisat"))
    return Verdict(False, _("Kontot väntar på verifiering"))


# --- Grants and payouts (DESIGN.md §4.2–4.3) -------------------------------------------------------------------



def payout_account_ready(payout: Payout) -> Verdict:
    """Money may go to the payout's organisation: its current account is verified by a second person (the
    classic grant fraud is a changed account, DESIGN.md §4.4). A failed payout is due again only then."""
    return payout_account_verdict(organisation_current_account(payout.grant.application.organisation_id))


def payout_account_verdict(account: PaymentAccount | None) -> Verdict:
    """Whether money may go to this (current) account: it exists and a second person has verified it."""
    if account is None:
        return Verdict(False, _("Organisationen har inget utbetalningskonto."))
    if not account.usable_for_payouts():
        return Verdict(False, _("Organisationens utbetalningskonto är inte verifierat."))
    return YES


def grant_signatory_verdict(user: User, grant: Grant) -> Verdict:
    """Only a signatory (firmatecknare) of the grant's organisation answers for it."""
    if not user.is_authenticated or not is_signatory(user, grant.application.organisation_id):
        return Verdict(False, _("Bara organisationens firmatecknare kan godta eller avstå från bidraget."))
    return YES


def can_decline_grant(user: User, grant: Grant) -> Verdict:
    if grant.state != GrantState.AWAITING_ACCEPTANCE:
        return Verdict(False, _("Bidraget väntar inte längre på ett svar."))
    return grant_signatory_verdict(user, grant)


def can_accept_grant(user: User, grant: Grant, now: datetime) -> Verdict:
    """A signatory, while the grant awaits acceptance and before its deadline (the server's clock)."""
    verdict = can_decline_grant(user, grant)
    if not verdict:
        return verdict
    return grant_deadline_verdict(grant, now)


def grant_deadline_verdict(grant: Grant, now: datetime) -> Verdict:
    """Terms are accepted before, not at, the deadline."""
    if now >= grant.acceptance_deadline_at:
        return Verdict(False, _("Tiden för att godta villkoren har gått ut."))
    return YES

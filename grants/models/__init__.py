"""The nouns of DESIGN.md §3. One module per group; everything is importable from grants.models."""

from .accounts import User, UserManager
from .applications import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetCategory,
    BudgetLine,
    RegistrationCounter,
)
from .calls import Call, Criterion, OrganisationType, RequiredAttachment
from .decisions import Decision, EligibilityCheck, Outcome, Proposal
from .grants import Grant, GrantState
from .messages import Message, MessageChannel, MessageStatus
from .organisations import (
    Invitation,
    JoinRequest,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationEvent,
    RequestState,
    SignatoryRequest,
)
from .payment_accounts import PaymentAccount, PaymentAccountState, PaymentAccountType
from .payouts import Payout, PayoutBatch, PayoutBatchLine, PayoutBatchState, PayoutState
from .plans import PayoutPlanStep, PayoutTrigger
from .reconciliation import BankAnswer, BankAnswerFormat, ReconciliationEntry, ReconciliationOutcome
from .reports import RepaymentClaim, RepaymentClaimState, Report, ReportKind, ReportState
from .reviews import Recommendation, Review, ReviewScore
from .security import AuthAttempt, AuthAttemptKind
from .states import Lifecycle, lifecycle_state_label
from .workers import WorkerHeartbeat

__all__ = [
    "Application",
    "BankAnswer",
    "BankAnswerFormat",
    "ApplicationState",
    "ApplicationVersion",
    "Attachment",
    "AuthAttempt",
    "AuthAttemptKind",
    "BudgetCategory",
    "BudgetLine",
    "Call",
    "Criterion",
    "Decision",
    "EligibilityCheck",
    "Grant",
    "GrantState",
    "Invitation",
    "JoinRequest",
    "Lifecycle",
    "Membership",
    "MembershipRole",
    "Message",
    "MessageChannel",
    "MessageStatus",
    "Organisation",
    "OrganisationEvent",
    "OrganisationType",
    "Outcome",
    "PaymentAccount",
    "PaymentAccountState",
    "PaymentAccountType",
    "Payout",
    "PayoutBatch",
    "PayoutBatchLine",
    "PayoutBatchState",
    "PayoutPlanStep",
    "PayoutState",
    "PayoutTrigger",
    "Proposal",
    "ReconciliationEntry",
    "ReconciliationOutcome",
    "Recommendation",
    "RegistrationCounter",
    "RepaymentClaim",
    "RepaymentClaimState",
    "Report",
    "RequestState",
    "ReportKind",
    "ReportState",
    "RequiredAttachment",
    "Review",
    "ReviewScore",
    "SignatoryRequest",
    "User",
    "lifecycle_state_label",
    "UserManager",
    "WorkerHeartbeat",
]

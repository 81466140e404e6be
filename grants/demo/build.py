"""The Seeder: writes the demo data, every application and review through the real services, in time order."""

import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.utils import timezone
from stdnum import luhn

from grants.demo.data import (
    ATTACHMENT_KINDS,
    BANKGIRO_BASES,
    CALL_TEXT,
    CALL_TITLE_SV,
    CRITERIA,
    DEMO_PASSWORD,
    MEMBERSHIPS,
    OLD_CALL_TITLE_SV,
    ORGANISATIONS,
    PEOPLE,
    REGION_VNL,
    STOCKHOLM,
    D,
    Person,
)
from grants.demo.finance import FIRST_ROUND, finance
from grants.demo.pdf import demo_pdf
from grants.demo.plans import PLANS, Plan
from grants.errors import ServiceError
from grants.models import (
    Application,
    Call,
    Criterion,
    Grant,
    Membership,
    Organisation,
    OrganisationType,
    PaymentAccount,
    PaymentAccountType,
    RequiredAttachment,
    Review,
    User,
)
from grants.models.plans import DEFAULT_PLAN, PayoutPlanStep
from grants.services import applications as apps
from grants.services import attachments, cases, reviews
from grants.services import grants as grant_services
from grants.services.memberships import membership_create_logged
from grants.services.payment_accounts import payment_account_register
from workflows.base import TransitionRefused


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Seeder:
    def __init__(self, now: datetime):
        self.now = now
        self.today = timezone.localdate(now, STOCKHOLM)
        self.created = {"utlysningar": 0, "organisationer": 0, "personer": 0, "ansökningar": 0, "bedömningar": 0}
        self.users: dict[str, User] = {}

    def run(self) -> dict[str, int]:
        for person in PEOPLE:
            self.users[person.key] = self.person(person)
        orgs = {orgnr: self.organisation(orgnr, name, kind, city) for orgnr, name, kind, city in ORGANISATIONS}
        for key, orgnr, role in MEMBERSHIPS:
            if not Membership.objects.filter(user=self.users[key], organisation=orgs[orgnr]).exists():
                membership_create_logged(
                    actor=None, organisation=orgs[orgnr], user=self.users[key], role=role, now=self.now
                )
        self.waiting_account(orgs[REGION_VNL], self.users["applicant2"])
        old_opens = self.at(days_ago=455, clock="08:00")
        old_call = self.call(
            OLD_CALL_TITLE_SV,
            "Try coworking and hybrid work – first round",
            old_opens,
            self.at(days_ago=395, clock="14:00"),
            D("3000000"),
        )
        call = self.call(
            CALL_TITLE_SV,
            "Try coworking and hybrid work",
            self.at(days_ago=30, clock="00:00"),
            self.at(days_ago=-60, clock="14:00"),
            D("6000000"),
        )
        todo = [plan for plan in PLANS if not Application.objects.filter(call=call, title=plan.title).exists()]
        if todo and not call.is_open(self.now):
            raise CommandError(f"Utlysningen ”{call.title_sv}” är stängd; demoansökningar kan inte skapas i den.")
        self.applications(call, todo)
        # Last year's round: decided, accepted and partly paid (grants/demo/finance.py).
        first_round = [p for p in FIRST_ROUND if not Application.objects.filter(call=old_call, title=p.title).exists()]
        self.applications(old_call, first_round)
        finance(self)
        return self.created

    def at(self, *, days_ago: int, clock: str) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute), STOCKHOLM)

    def person(self, person: Person) -> User:
        user = User.objects.filter(email=person.email).first()
        if user is not None:
            return user
        make = User.objects.create_superuser if person.superuser else User.objects.create_user
        user = make(
            person.email,
            DEMO_PASSWORD,
            full_name=person.full_name,
            language="sv",
            is_staff=bool(person.roles),
            date_joined=self.now,
        )
        user.groups.set(Group.objects.filter(name__in=person.roles))
        self.created["personer"] += 1
        return user

    def organisation(self, orgnr: str, name: str, kind: str, city: str) -> Organisation:
        org, made = Organisation.objects.get_or_create(
            orgnr=orgnr, defaults={"name": name, "org_type": kind, "city": city, "created_at": self.now}
        )
        if made and orgnr in BANKGIRO_BASES and orgnr != REGION_VNL:
            # Entered by the programme admin and verified by finance: a second person, as payouts require.
            base = BANKGIRO_BASES[orgnr]
            PaymentAccount.objects.create(
                organisation=org,
                kind=PaymentAccountType.BANKGIRO,
                number=base + luhn.calc_check_digit(base),
                created_by=self.users.get("admin"),
                created_at=self.now,
                verified_by=self.users.get("finance"),
                verified_at=self.now,
            )
        self.created["organisationer"] += made
        return org

    def waiting_account(self, org: Organisation, member: User) -> None:
        """An account a member has registered and finance has yet to verify (for the finance pages)."""
        if not PaymentAccount.objects.filter(organisation=org).exists():
            base = BANKGIRO_BASES[org.orgnr]
            payment_account_register(
                actor=member,
                organisation=org,
                kind=PaymentAccountType.BANKGIRO,
                number=base + luhn.calc_check_digit(base),
                now=self.now,
            )

    def call(self, title_sv: str, title_en: str, opens_at: datetime, closes_at: datetime, budget: Decimal) -> Call:
        call = Call.objects.filter(title_sv=title_sv).first()
        if call is not None:
            return call
        call = Call.objects.create(
            title_sv=title_sv,
            title_en=title_en,
            opens_at=opens_at,
            closes_at=closes_at,
            total_budget=budget,
            max_grant_amount=D("600000"),
            eligible_org_types=[OrganisationType.STATE_AGENCY, OrganisationType.MUNICIPALITY, OrganisationType.REGION],
            created_at=min(opens_at, self.now),
            **CALL_TEXT,
        )
        for position, (percent, trigger) in enumerate(DEFAULT_PLAN, start=1):
            PayoutPlanStep.objects.create(call=call, position=position, percent=percent, trigger=trigger)
        for position, (name_sv, name_en, weight, guidance_sv, guidance_en) in enumerate(CRITERIA, start=1):
            Criterion.objects.create(
                call=call,
                name_sv=name_sv,
                name_en=name_en,
                weight=weight,
                guidance_sv=guidance_sv,
                guidance_en=guidance_en,
                position=position,
            )
        for position, (code, name_sv, name_en, required) in enumerate(ATTACHMENT_KINDS, start=1):
            RequiredAttachment.objects.create(
                call=call, code=code, name_sv=name_sv, name_en=name_en, required=required, position=position
            )
        self.created["utlysningar"] += 1
        return call

    def applications(self, call: Call, plans: list[Plan]) -> None:
        # All steps of all new applications in time order, so diarienummer follow the submission times.
        steps = [
            (self.at(days_ago=days, clock=clock), index, action, options, plan)
            for index, plan in enumerate(plans)
            for days, clock, action, options in plan.steps
        ]
        made: dict[int, Application] = {}
        for when, index, action, options, plan in sorted(steps, key=lambda step: (step[0], step[1])):
            try:
                if action == "create":
                    made[index] = self.create(call, plan, when)
                    self.created["ansökningar"] += 1
                else:
                    made[index] = self.step(made[index], plan, action, options, when) or made[index]
            except (ServiceError, TransitionRefused) as exc:
                raise CommandError(f"”{plan.title}”, steget {action}: {exc.message}") from exc

    def create(self, call: Call, plan: Plan, now: datetime) -> Application:
        actor, org = self.users[plan.applicant], Organisation.objects.get(orgnr=plan.orgnr)
        app = apps.application_create(actor=actor, call=call, organisation=org, now=now)
        start = self.today + timedelta(days=plan.start_in_days)
        end = add_months(start, plan.months)
        sections: dict[str, dict[str, Any]] = {
            "project": {
                "title": plan.title,
                "summary": plan.summary,
                "description": f"{plan.summary}\n\nProjektet följs upp med enkäter och intervjuer före, under och "
                "efter projektet, och resultaten delas med andra offentliga organisationer.",
            },
            "site": {"coworking_sites": plan.site},
            "participants": {
                "participants_count": plan.participants,
                "participants_description": "Medarbetare från flera enheter som redan arbetar hybrid.",
            },
            "period": {"start_date": start, "end_date": end},
            "contacts": {
                "contact_phone": "070-123 45 67",
                "finance_contact_name": "Ekonomienheten",
                "finance_contact_email": "ekonomienheten@organisation.example",
            },
        }
        for section, values in sections.items():
            app = apps.application_update(actor=actor, application=app, section=section, values=values, now=now)
        self.budget(app, actor, plan.lines, now)
        self.attach(app, actor, "projektplan", f"Projektplan – {plan.title}", now)
        if plan.host_letter:
            self.attach(app, actor, "intyg-coworkingvard", f"Intyg från coworkingvärden – {plan.site}", now)
        return app

    def budget(self, app: Application, actor: User, lines: list[tuple[str, str, Decimal]], now: datetime) -> None:
        rows = [{"category": c, "description": d, "amount": a} for c, d, a in lines]
        apps.budget_lines_replace(actor=actor, application=app, lines=rows, co_financing=D("50000"), now=now)

    def attach(self, app: Application, actor: User, code: str, heading: str, now: datetime) -> None:
        kind = RequiredAttachment.objects.get(call=app.call, code=code)
        data = demo_pdf(heading, app.organisation.name, "Demodokument skapat av manage.py seed_demo.")
        upload = SimpleUploadedFile(f"{kind.name_sv}.pdf", data, content_type="application/pdf")
        attachments.attachment_add(actor=actor, application=app, kind=kind, file=upload, now=now)

    def step(self, app: Application, plan: Plan, action: str, o: dict[str, Any], now: datetime) -> Any:
        by = self.users[o.get("by", plan.applicant)]
        if action == "submit":
            return apps.application_submit(actor=by, application=app, now=now)
        if action == "withdraw":
            return apps.application_withdraw(actor=by, application=app, reason=o["reason"], now=now)
        if action == "check":
            within = o.get("within_purpose", True)
            cases.eligibility_check_record(
                actor=by,
                application=app,
                eligible_org_type=True,
                arrived_in_time=True,
                amount_within_ceiling=True,
                attachments_complete=True,
                within_purpose=within,
                note=o.get("note", ""),
                now=now,
            )
            return None
        if action == "assign":
            return cases.application_assign(actor=by, application=app, officer=self.users[o["officer"]], now=now)
        if action == "start_review":
            return cases.application_start_review(actor=by, application=app, now=now)
        if action == "request_completion":
            answer_by = timezone.localdate(now, STOCKHOLM) + timedelta(days=o["answer_in_days"])
            return cases.application_request_completion(
                actor=by, application=app, message=o["message"], answer_by=answer_by, sections=o["sections"], now=now
            )
        if action == "complete":
            apps.application_update(
                actor=by, application=app, section="site", values={"coworking_sites": o["site"]}, now=now
            )
            self.budget(app, by, o["lines"], now)
            apps.application_complete(actor=by, application=app, note=o["note"], now=now)
            return None
        if action == "assign_reviewer":
            reviews.review_assign(actor=by, application=app, reviewer=self.users[o["reviewer"]], now=now)
            self.created["bedömningar"] += 1
            return None
        if action == "declare":
            conflict = o.get("conflict", "")
            review = Review.objects.get(application=app, reviewer=by)
            reviews.review_declare(actor=by, review=review, conflict=bool(conflict), reason=conflict, now=now)
            return None
        if action == "score":
            review = Review.objects.get(application=app, reviewer=by)
            criteria = list(app.call.criteria.order_by("position", "pk"))
            reviews.review_submit(
                actor=by,
                review=review,
                scores={c.pk: score for c, score in zip(criteria, o["scores"], strict=True)},
                recommendation=o["recommendation"],
                comment=o["comment"],
                now=now,
            )
            return None
        if action == "propose":
            cases.application_propose(
                actor=by,
                application=app,
                outcome=o["outcome"],
                amount=o["amount"],
                reasons=o["reasons"],
                conditions=o.get("conditions", ""),
                now=now,
            )
            return None
        if action == "return":
            return cases.proposal_return(actor=by, application=app, note=o["note"], now=now)
        if action == "approve":
            cases.decision_approve(actor=by, application=app, now=now)
            return None
        if action == "reject":
            cases.decision_reject(actor=by, application=app, now=now)
            return None
        if action == "accept":
            grant_services.grant_accept(actor=by, grant=Grant.objects.get(application=app), now=now, language="sv")
            return None
        raise CommandError(f"Okänt steg: {action}")

"""`manage.py seed_demo`: demo data to try the system with — the coworking call open now and an older closed
one, a dozen public organisations, one login per role (two reviewers), and applications in every state the
services reach, with reviews at every stage: assigned and undeclared, recused for a conflict, declared and
waiting for scores, and submitted with scores for every criterion.

Calls, organisations and people are written directly (they have no lifecycle). Every application and review is made by
the real services in grants/services/, step by step in time order, so each case has its diarienummer,
versions, messages and case log as if people had done it. Idempotent: calls are matched by Swedish title,
organisations by orgnr, people by e-mail and applications by call and title; what exists is left alone.
`--if-empty` does nothing when any call exists (for `make run`), except print the logins again."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from grants import permissions
from grants.errors import ServiceError
from grants.models import (
    Application,
    Call,
    Criterion,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    Outcome,
    PaymentAccountType,
    Recommendation,
    RequiredAttachment,
    Review,
    User,
)
from grants.services import applications as apps
from grants.services import cases, reviews
from workflows.base import TransitionRefused

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DEMO_PASSWORD = "demo-lösenord-2026"
D = Decimal


@dataclass(frozen=True)
class Person:
    key: str
    email: str
    full_name: str
    label: str
    roles: tuple[str, ...] = ()
    superuser: bool = False


PEOPLE = [
    Person(
        "applicant",
        "sokande@demo.se",
        "Sara Lindqvist",
        "Sökande – firmatecknare för Stockholms stad, medlem i Region Stockholm",
    ),
    Person(
        "applicant2",
        "sokande2@demo.se",
        "Johan Berg",
        "Sökande – firmatecknare för Sundsvalls kommun, medlem i Region Västernorrland",
    ),
    Person("officer", "handlaggare@demo.se", "Hanna Holm", "Handläggare", (permissions.CASE_OFFICER,)),
    Person("officer2", "handlaggare2@demo.se", "Olof Ek", "Handläggare", (permissions.CASE_OFFICER,)),
    Person("reviewer", "bedomare@demo.se", "Britta Nyström", "Bedömare", (permissions.REVIEWER,)),
    Person("reviewer2", "bedomare2@demo.se", "Anders Lund", "Bedömare", (permissions.REVIEWER,)),
    Person("decider", "beslutsfattare@demo.se", "Karin Dahl", "Beslutsfattare", (permissions.DECISION_MAKER,)),
    Person("finance", "ekonomi@demo.se", "Erik Sjöberg", "Ekonomihandläggare", (permissions.FINANCE,)),
    Person(
        "admin",
        "admin@demo.se",
        "Maria Ahlgren",
        "Programansvarig (superanvändare, /admin/)",
        (permissions.PROGRAMME_ADMIN,),
        True,
    ),
]

# The orgnrs of tests/factories.VALID_ORGNRS with the organisations that hold them. Two could not be matched
# to a real organisation, so they carry invented names rather than a wrong real one.
ORGANISATIONS = [
    ("2120000142", "Stockholms stad", OrganisationType.MUNICIPALITY, "Stockholm"),
    ("2120002411", "Sundsvalls kommun", OrganisationType.MUNICIPALITY, "Sundsvall"),
    ("2021005489", "Bolagsverket", OrganisationType.STATE_AGENCY, "Sundsvall"),
    ("2321000016", "Region Stockholm", OrganisationType.REGION, "Stockholm"),
    ("2120001355", "Göteborgs stad", OrganisationType.MUNICIPALITY, "Göteborg"),
    ("2120001207", "Demokommun Syd (påhittat namn)", OrganisationType.MUNICIPALITY, ""),
    ("2321000065", "Region Kronoberg", OrganisationType.REGION, "Växjö"),
    ("2120002627", "Umeå kommun", OrganisationType.MUNICIPALITY, "Umeå"),
    ("2021005463", "Överklagandenämnden för etikprövning", OrganisationType.STATE_AGENCY, "Stockholm"),
    ("2120001124", "Malmö stad", OrganisationType.MUNICIPALITY, "Malmö"),
    ("2120000217", "Demokommun Öst (påhittat namn)", OrganisationType.MUNICIPALITY, ""),
    ("2321000206", "Region Västernorrland", OrganisationType.REGION, "Härnösand"),
]
STHLM, SUNDSVALL, REGION_STHLM, REGION_VNL = "2120000142", "2120002411", "2321000016", "2321000206"
MEMBERSHIPS = [
    ("applicant", STHLM, MembershipRole.SIGNATORY),
    ("applicant", REGION_STHLM, MembershipRole.MEMBER),
    ("applicant2", SUNDSVALL, MembershipRole.SIGNATORY),
    ("applicant2", REGION_VNL, MembershipRole.MEMBER),
]
# Invented bankgiro numbers (valid check digit) for the organisations that apply, so payouts can be tried.
BANKGIRO_BASES = {STHLM: "5050101", SUNDSVALL: "5050102", REGION_STHLM: "5050103", REGION_VNL: "5050104"}

CALL_TITLE_SV = "Testa coworking och hybridarbete"
OLD_CALL_TITLE_SV = "Testa coworking och hybridarbete – första omgången"
CALL_TEXT = {
    "description_sv": (
        "Vinnova ger statliga myndigheter, kommuner och regioner möjlighet att testa coworking och "
        "hybridarbete, till exempel i Samverkets innovationshubbar för offentlig sektor i Stockholm och "
        "Östersund. Ni kan söka högst 600 000 kronor för ett projekt på 12–16 månader där medarbetare arbetar "
        "från en gemensam coworkingplats och där ni följer upp vad det betyder för samarbete, ledarskap och "
        "arbetsmiljö.\n\nBidraget kan täcka avgifter för coworkingplatser, tid för projektledning och "
        "uppföljning, resor samt aktiviteter för lärande och spridning. Beviljat bidrag accepteras av en "
        "firmatecknare för organisationen."
    ),
    "description_en": (
        "Vinnova offers state agencies, municipalities and regions the chance to try coworking and hybrid work, "
        "for example at Samverket's innovation hubs for the public sector in Stockholm and Östersund. You may "
        "apply for at most SEK 600,000 for a project of 12–16 months in which staff work from a shared "
        "coworking space and you follow up what it means for collaboration, leadership and the work "
        "environment.\n\nThe grant can cover coworking fees, time for project management and follow-up, travel, "
        "and activities for learning and dissemination. A granted award is accepted by an authorised signatory."
    ),
    "legal_basis_sv": (
        "Bidraget beviljas med stöd av förordningen (2009:1101) med instruktion för Verket för innovationssystem. "
        "Bidrag till offentliga organisationers icke-ekonomiska verksamhet utgör inte statligt stöd."
    ),
    "legal_basis_en": (
        "The grant is awarded under the Ordinance (2009:1101) containing instructions for the Swedish Agency for "
        "Innovation Systems. Grants to public organisations' non-economic activities are not state aid."
    ),
    "appeal_text_sv": (
        "Beslutet kan inte överklagas. Om ni anser att beslutet bygger på felaktiga uppgifter kan ni be Vinnova "
        "att ompröva det enligt förvaltningslagen (2017:900)."
    ),
    "appeal_text_en": (
        "The decision cannot be appealed. If you believe it rests on incorrect information, you may ask Vinnova "
        "to reconsider it under the Administrative Procedure Act (2017:900)."
    ),
    "general_terms_sv": (
        "Bidraget får bara användas till projektet enligt ansökan och beslutet. 80 procent betalas ut när "
        "villkoren har accepterats och resten när slutrapporten har godkänts. Lägesrapport lämnas sex månader "
        "efter projektstart och slutrapport senast två månader efter projektslut. Bidrag som inte används "
        "eller används i strid med villkoren kan krävas tillbaka."
    ),
    "general_terms_en": (
        "The grant may only be used for the project as applied for and decided. 80 per cent is paid when the "
        "terms have been accepted and the rest when the final report has been approved. An interim report is due "
        "six months after the project starts and a final report within two months after it ends. Funds not used, "
        "or used against these terms, may be reclaimed."
    ),
}
CRITERIA = [
    (
        "Relevans för hybridarbete",
        "Relevance for hybrid work",
        D("1.50"),
        "Hur väl projektet prövar coworking och hybridarbete i verksamheten, och hur tydliga behov och mål är.",
        "How well the project tries coworking and hybrid work, and how clear its needs and aims are.",
    ),
    (
        "Genomförbarhet",
        "Feasibility",
        D("1.00"),
        "Om plan, tidplan, budget och organisation är realistiska, och om ledningen står bakom projektet.",
        "Whether the plan, schedule, budget and organisation are realistic, and whether management backs the project.",
    ),
    (
        "Lärande och spridning",
        "Learning and dissemination",
        D("1.00"),
        "Hur erfarenheterna följs upp, utvärderas och delas med andra offentliga organisationer.",
        "How the experience is followed up, evaluated and shared with other public organisations.",
    ),
]
ATTACHMENT_KINDS = [
    ("projektplan", "Projektplan", "Project plan", True),
    ("intyg-coworkingvard", "Intyg från coworkingvärd", "Letter from the coworking host", False),
]


@dataclass
class Plan:
    """One demo application and the steps that bring it to its state, each a number of days ago."""

    title: str
    orgnr: str
    applicant: str
    summary: str
    site: str
    participants: int
    start_in_days: int
    months: int
    lines: list[tuple[str, str, Decimal]]
    steps: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    host_letter: bool = False


def step(days_ago: int, clock: str, action: str, **options: Any) -> tuple[int, str, str, dict[str, Any]]:
    return (days_ago, clock, action, options)


def assign_reviewers(days_ago: int, clock: str, by: str) -> list[tuple[int, str, str, dict[str, Any]]]:
    """The officer asks both demo reviewers, two minutes apart."""
    hour, minute = divmod(sum(int(part) * unit for part, unit in zip(clock.split(":"), (60, 1), strict=True)) + 2, 60)
    later = f"{hour:02d}:{minute:02d}"
    return [
        step(days_ago, clock, "assign_reviewer", by=by, reviewer="reviewer"),
        step(days_ago, later, "assign_reviewer", by=by, reviewer="reviewer2"),
    ]


def scored(
    days_ago: int, clock: str, by: str, recommendation: str, comment: str, *scores: tuple[int, str]
) -> tuple[int, str, str, dict[str, Any]]:
    """A submitted review: one (score 1–7, justification) per criterion, in the order of CRITERIA."""
    return step(days_ago, clock, "score", by=by, recommendation=recommendation, comment=comment, scores=scores)


# fmt: off
PLANS = [
    Plan(
        title="Hybrida mötesplatser för regionens planerare",
        orgnr=REGION_STHLM,
        applicant="applicant",
        summary="Regionens trafik- och samhällsplanerare arbetar två dagar i veckan från en gemensam hubb.",
        site="Samverket Stockholm",
        participants=18,
        start_in_days=75,
        months=12,
        lines=[
            ("PREMISES", "Platser på Samverket Stockholm, 18 personer", D("180000")),
            ("STAFF", "Projektledning 20 %", D("120000")),
            ("OTHER", "Workshoppar och utvärdering", D("30000")),
        ],
        steps=[step(4, "10:15", "create")],
    ),
    Plan(
        title="Stadens handläggare på Samverket Stockholm",
        orgnr=STHLM,
        applicant="applicant",
        summary="Handläggare från tre förvaltningar provar att arbeta tillsammans från en coworkingplats.",
        site="Samverket Stockholm",
        participants=25,
        start_in_days=60,
        months=14,
        lines=[
            ("PREMISES", "Coworkingavgifter 14 månader", D("260000")),
            ("STAFF", "Projektledning och uppföljning", D("140000")),
            ("TRAVEL", "Resor mellan platserna", D("20000")),
        ],
        host_letter=True,
        steps=[step(6, "09:00", "create"), step(3, "15:40", "submit")],
    ),
    Plan(
        title="Hybridarbete i länets vårdadministration",
        orgnr=REGION_VNL,
        applicant="applicant2",
        summary="Administratörer i vården testar att arbeta från coworkingplatser nära hemorten.",
        site="Coworkingplatser i Härnösand, Sundsvall och Örnsköldsvik",
        participants=30,
        start_in_days=80,
        months=16,
        lines=[
            ("PREMISES", "Coworkingavgifter på tre orter", D("300000")),
            ("STAFF", "Personal för projektet", D("150000")),
            ("TRAVEL", "Resor", D("40000")),
        ],
        steps=[
            step(21, "10:00", "create"),
            step(17, "14:20", "submit"),
            step(15, "10:00", "check", by="officer2"),
            step(15, "10:05", "start_review", by="officer2"),
            *assign_reviewers(14, "09:00", by="officer2"),
            step(13, "14:10", "declare", by="reviewer2",
                 conflict="Jag arbetade i Region Västernorrlands vårdadministration till våren 2025 och har nära "
                 "samarbetat med projektledaren. Jag avstår enligt 16 § förvaltningslagen."),
            step(3, "13:00", "request_completion", by="officer2", answer_in_days=11, sections=["budget", "attachments"],
                 message="Budgeten anger 150 000 kr för personal men inte vilka roller eller hur många timmar. "
                 "Beskriv beräkningen och bifoga gärna intyget från coworkingvärden."),
        ],
    ),
    Plan(
        title="Gemensam arbetsplats för regionens IT-stöd",
        orgnr=REGION_STHLM,
        applicant="applicant",
        summary="IT-stödet i regionen arbetar från en gemensam coworkingplats med kommunernas IT-stöd.",
        site="Samverket Stockholm",
        participants=12,
        start_in_days=70,
        months=12,
        lines=[("PREMISES", "Platser på Samverket", D("150000")), ("STAFF", "Projektledning", D("100000"))],
        steps=[
            step(26, "09:20", "create"),
            step(23, "10:30", "submit"),
            step(21, "13:00", "check", by="officer"),
            step(21, "13:05", "start_review", by="officer"),
            step(14, "09:00", "request_completion", by="officer", answer_in_days=14, sections=["site", "budget"],
                 message="Ange vilka coworkingplatser som används och hur många dagar i veckan."),
            step(9, "16:10", "complete", note="Vi har lagt till platserna och delat upp budgeten per plats.",
                 site="Samverket Stockholm (tisdagar och torsdagar) och Kista (fredagar)",
                 lines=[("PREMISES", "Samverket Stockholm, två dagar i veckan", D("110000")),
                        ("PREMISES", "Kista, en dag i veckan", D("50000")),
                        ("STAFF", "Projektledning", D("100000"))]),
            *assign_reviewers(8, "09:00", by="officer"),
            step(6, "10:15", "declare", by="reviewer2"),
        ],
    ),
    Plan(
        title="Coworking som rekryteringsverktyg i Sundsvall",
        orgnr=SUNDSVALL,
        applicant="applicant2",
        summary="Kommunen prövar om möjligheten att arbeta från coworkingplatser gör det lättare att rekrytera.",
        site="Coworkinghubb i Sundsvalls centrum",
        participants=20,
        start_in_days=60,
        months=12,
        lines=[
            ("PREMISES", "Coworkingavgifter", D("250000")),
            ("STAFF", "Projektledning och HR-uppföljning", D("170000")),
            ("TRAVEL", "Studieresor till andra hubbar", D("60000")),
        ],
        steps=[
            step(25, "08:50", "create"),
            step(22, "09:45", "submit"),
            step(20, "10:00", "check", by="officer"),
            step(20, "10:05", "start_review", by="officer"),
            *assign_reviewers(19, "11:00", by="officer"),
            step(18, "09:10", "declare", by="reviewer"),
            step(18, "15:45", "declare", by="reviewer2"),
            scored(12, "14:00", "reviewer", Recommendation.APPROVE_REDUCED,
                   "Ett bra projekt, men resebudgeten bör minskas.",
                   (5, "Kopplingen mellan coworking och rekrytering är ny och värd att pröva; frågan delas av många "
                       "kommuner i glesare delar av landet."),
                   (5, "Projektledningen och HR-uppföljningen är väl beskrivna och ledningen står bakom projektet."),
                   (3, "Studieresorna till andra hubbar för 60 000 kr är inte motiverade: vad ska man lära sig där "
                       "som inte går att få digitalt? Uppföljningen av rekryteringarna är däremot bra.")),
            scored(10, "10:20", "reviewer2", Recommendation.APPROVE_REDUCED,
                   "Tillstyrks med lägre belopp. Stryk eller minska studieresorna.",
                   (6, "Projektet svarar direkt mot utlysningens fråga om vad hybridarbete betyder för "
                       "arbetsgivarens attraktivitet."),
                   (4, "Tidplanen är rimlig, men det är oklart hur många tjänster som faktiskt ska rekryteras under "
                       "projekttiden och alltså hur mycket det går att mäta."),
                   (4, "Uppföljningen via HR-statistik är bra. Resorna bidrar lite till spridningen.")),
            step(8, "11:00", "propose", by="officer", outcome=Outcome.APPROVE, amount=D("480000"),
                 reasons="Projektet är relevant och genomförbart och båda bedömarna tillstyrker."),
            step(5, "09:30", "return", by="decider",
                 note="Båda bedömarna föreslår ett lägre belopp eftersom studieresorna inte är motiverade. "
                 "Pröva beloppet igen."),
            step(2, "15:00", "propose", by="officer", outcome=Outcome.APPROVE, amount=D("450000"),
                 reasons="Projektet är relevant och genomförbart. Resebudgeten minskas med 30 000 kr eftersom "
                 "studieresorna inte är tillräckligt motiverade."),
        ],
    ),
    Plan(
        title="Tre förvaltningar, en arbetsplats: hybridarbete i Stockholms stad",
        orgnr=STHLM,
        applicant="applicant",
        summary="Tre förvaltningar delar en coworkingplats och följer upp samarbete, ledarskap och arbetsmiljö.",
        site="Samverket Stockholm",
        participants=40,
        start_in_days=30,
        months=14,
        lines=[
            ("PREMISES", "Coworkingavgifter för 40 medarbetare", D("360000")),
            ("STAFF", "Projektledning och uppföljning", D("180000")),
            ("SERVICES", "Följeforskning", D("60000")),
        ],
        host_letter=True,
        steps=[
            step(28, "11:00", "create"),
            step(26, "10:00", "submit"),
            step(24, "09:00", "check", by="officer"),
            step(24, "09:05", "start_review", by="officer"),
            # One reviewer only: tests/grants/test_admin.py's `seeded` fixture adds bedomare@'s review to this
            # case by hand, and a person reviews a case once. Ask both once that fixture stops doing so.
            step(23, "10:30", "assign_reviewer", by="officer", reviewer="reviewer2"),
            step(21, "13:00", "declare", by="reviewer2"),
            scored(12, "09:45", "reviewer2", Recommendation.APPROVE,
                   "Tillstyrks fullt ut. Ett tydligt och väl förankrat projekt, det starkaste i utlysningen.",
                   (7, "Tre förvaltningar som delar arbetsplats är precis det utlysningen vill pröva, och i en skala "
                       "där resultaten blir trovärdiga."),
                   (6, "Realistisk plan; projektorganisationen har erfarenhet från tidigare "
                       "förändringsprojekt i staden."),
                   (5, "Följeforskningen är bra, men resultaten borde också publiceras som en kort vägledning, inte "
                       "bara som en rapport.")),
            step(9, "14:00", "propose", by="officer", outcome=Outcome.APPROVE, amount=D("600000"),
                 reasons="Projektet prövar hybridarbete i stor skala med tydlig uppföljning och har högt värde "
                 "för lärande i andra kommuner.",
                 conditions="Resultaten ska presenteras vid ett seminarium som Vinnova anordnar."),
            step(6, "10:30", "approve", by="decider"),
        ],
    ),
    Plan(
        title="Distansarbete hemifrån för regionens administratörer",
        orgnr=REGION_VNL,
        applicant="applicant2",
        summary="Administratörer arbetar hemifrån tre dagar i veckan med nya digitala verktyg.",
        site="Hemmet",
        participants=50,
        start_in_days=60,
        months=12,
        lines=[("EQUIPMENT", "Skärmar och headset", D("200000")), ("STAFF", "Projektledning", D("100000"))],
        steps=[
            step(27, "14:00", "create"),
            step(25, "13:15", "submit"),
            # Outside the purpose: the check fails, so the case goes straight to a proposal to reject, without
            # reviewers (an application outside the call is not scored).
            step(23, "11:00", "check", by="officer2", within_purpose=False,
                 note="Projektet avser arbete hemifrån, inte coworking på en gemensam plats."),
            step(23, "11:02", "assign", by="officer2", officer="officer2"),
            step(12, "10:00", "propose", by="officer2", outcome=Outcome.REJECT, amount=None,
                 reasons="Ansökan ligger utanför utlysningens syfte: projektet avser arbete hemifrån och inte "
                 "coworking på en gemensam plats."),
            step(7, "09:15", "reject", by="decider"),
        ],
    ),
    Plan(
        title="Coworkingdagar för regionens kommunikatörer",
        orgnr=REGION_STHLM,
        applicant="applicant",
        summary="Kommunikatörer från regionen och kommunerna i länet arbetar tillsammans en dag i veckan.",
        site="Samverket Stockholm",
        participants=10,
        start_in_days=60,
        months=12,
        lines=[("PREMISES", "Platser en dag i veckan", D("90000")), ("STAFF", "Samordning", D("60000"))],
        steps=[
            step(20, "10:40", "create"),
            step(19, "10:00", "submit"),
            step(12, "08:45", "withdraw", reason="Vi har fått annan finansiering och drar tillbaka ansökan."),
        ],
    ),
    Plan(
        title="Flexibla arbetsplatser i kommunens bibliotek",
        orgnr=SUNDSVALL,
        applicant="applicant2",
        summary="Kommunens medarbetare kan boka en arbetsplats i stadsdelsbiblioteken när de inte vill resa in till "
        "kontoret.",
        site="Stadsdelsbiblioteken i Sundsvall",
        participants=60,
        start_in_days=45,
        months=12,
        lines=[
            ("PREMISES", "Iordningställande av arbetsplatser i fyra bibliotek", D("220000")),
            ("EQUIPMENT", "Skärmar och dockningsstationer", D("120000")),
            ("STAFF", "Projektledning", D("90000")),
        ],
        steps=[
            step(29, "09:10", "create"),
            step(27, "14:30", "submit"),
            step(25, "10:00", "check", by="officer2"),
            step(25, "10:05", "start_review", by="officer2"),
            *assign_reviewers(24, "13:00", by="officer2"),
            step(23, "09:00", "declare", by="reviewer"),
            step(23, "11:40", "declare", by="reviewer2"),
            scored(18, "15:00", "reviewer", Recommendation.REJECT,
                   "Projektet prövar flexibla kontorsplatser snarare än coworking. Avstyrks.",
                   (3, "Medarbetarna sitter var för sig i biblioteken; ingen delar arbetsplats med andra "
                       "organisationer, och det är det utlysningen vill pröva."),
                   (3, "Bibliotekens öppettider, ljudnivå och informationssäkerhet är inte utredda, och hälften av "
                       "budgeten går till ombyggnad."),
                   (2, "Uppföljningen är en enkät i slutet av projektet; det går inte att se vad som förändrats.")),
            scored(16, "10:30", "reviewer2", Recommendation.REJECT,
                   "Avstyrks. En omarbetad ansökan med en gemensam hubb kan vara intressant i en senare omgång.",
                   (2, "Svag koppling till coworking och samarbete mellan organisationer: biblioteken blir "
                       "utlokaliserade kontorsplatser för kommunens egna medarbetare."),
                   (3, "Planen saknar avtal med biblioteksverksamheten om hur platserna ska bokas och delas med "
                       "allmänheten."),
                   (3, "Det finns ingen plan för hur erfarenheterna ska delas utanför kommunen.")),
            step(11, "09:30", "propose", by="officer2", outcome=Outcome.REJECT, amount=None,
                 reasons="Ansökan avstyrks efter bedömning: projektet prövar enskilda arbetsplatser i bibliotek och "
                 "inte coworking på en gemensam plats, och uppföljningen är för svag för att ge lärdomar till "
                 "andra."),
            step(4, "14:00", "reject", by="decider"),
        ],
    ),
    Plan(
        title="Miljöinspektörer från tre kommuner på en coworkingplats",
        orgnr=SUNDSVALL,
        applicant="applicant2",
        summary="Sundsvalls miljöinspektörer delar arbetsplats med kollegor från Timrå och Härnösand två dagar i "
        "veckan.",
        site="Coworkinghubb i Sundsvalls centrum",
        participants=22,
        start_in_days=75,
        months=12,
        lines=[
            ("PREMISES", "Coworkingplatser två dagar i veckan", D("180000")),
            ("STAFF", "Projektledning och samordning", D("120000")),
            ("TRAVEL", "Resor för inspektörerna från Timrå och Härnösand", D("35000")),
        ],
        host_letter=True,
        steps=[step(5, "13:30", "create"), step(2, "10:10", "submit")],
    ),
]
# fmt: on


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def demo_pdf(*lines: str) -> bytes:
    """A small valid one-page PDF (A4, Helvetica) showing the given lines, so attachments open in a reader."""

    def literal(text: str) -> bytes:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", "replace") + b")"

    content = b"BT /F1 12 Tf 56 780 Td 18 TL " + b" ".join(literal(line) + b" Tj T*" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


class Command(BaseCommand):
    help = "Create demo data: calls, organisations, one login per role and applications in every state."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any call exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Call.objects.exists():
            self.stdout.write("Det finns redan utlysningar; inga demodata skapades.")
        else:
            with transaction.atomic():
                created = Seeder(timezone.now()).run()
            if any(created.values()):
                summary = ", ".join(f"{n} {what}" for what, n in created.items())
                self.stdout.write(self.style.SUCCESS(f"Demodata skapade: {summary}."))
            else:
                self.stdout.write("Demodata fanns redan; inget ändrades.")
        self.print_logins()

    def print_logins(self) -> None:
        existing = set(User.objects.filter(email__in=[p.email for p in PEOPLE]).values_list("email", flat=True))
        rows = [(p.label, p.email, DEMO_PASSWORD) for p in PEOPLE if p.email in existing]
        if not rows:
            self.stdout.write("Inga demoinloggningar finns i databasen.")
            return
        header = ("Roll", "E-post", "Lösenord")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        self.stdout.write("\nDemoinloggningar\n")
        for row in [header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"\nÖppna {site}/ (administrationen: {site}/admin/)")


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
            Membership.objects.get_or_create(
                user=self.users[key], organisation=orgs[orgnr], defaults={"role": role, "created_at": self.now}
            )
        old_opens = self.at(days_ago=455, clock="08:00")
        self.call(
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
        account = {}
        if orgnr in BANKGIRO_BASES:
            base = BANKGIRO_BASES[orgnr]
            account = {
                "payment_account_type": PaymentAccountType.BANKGIRO,
                "payment_account": base + luhn.calc_check_digit(base),
            }
        org, made = Organisation.objects.get_or_create(
            orgnr=orgnr, defaults={"name": name, "org_type": kind, "city": city, "created_at": self.now, **account}
        )
        self.created["organisationer"] += made
        return org

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
        apps.attachment_add(actor=actor, application=app, kind=kind, file=upload, now=now)

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
        raise CommandError(f"Okänt steg: {action}")


__all__ = ["DEMO_PASSWORD", "PEOPLE", "PLANS", "Command", "demo_pdf"]

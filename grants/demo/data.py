"""Calls, organisations, people and memberships of the demo, written directly (they have no lifecycle)."""

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from grants import permissions
from grants.models import MembershipRole, OrganisationType

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
        "finance2", "ekonomi2@demo.se", "Fatima Karlsson", "Ekonomihandläggare (attesterar)", (permissions.FINANCE,)
    ),
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

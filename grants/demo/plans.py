"""The demo applications: one Plan each, with the steps that bring it to its state, each a number of days ago."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from grants.demo.data import REGION_STHLM, REGION_VNL, STHLM, SUNDSVALL, D
from grants.models import Outcome, Recommendation


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

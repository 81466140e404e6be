"""factory_boy factories. `make_pdf()` gives bytes of a small, real PDF for uploads."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from grants.models import (
    Application,
    BudgetLine,
    Call,
    Criterion,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    RequiredAttachment,
    Review,
    User,
)
from grants.models.plans import DEFAULT_PLAN, PayoutPlanStep

# Valid Swedish organisation numbers (Luhn-checked), e.g. real municipalities and agencies.
VALID_ORGNRS = [
    "2120000142",  # Stockholms stad
    "2120002411",  # Östersunds kommun
    "2021005489",  # Vinnova
    "2321000016",  # Region Stockholm
    "2120001355",  # Göteborgs stad
    "2120001207",  # Uppsala kommun
    "2321000065",  # Region Uppsala
    "2120002627",  # Umeå kommun
    "2021005463",  # a state agency
    "2120001124",  # Nacka kommun
    "2120000217",  # Haninge kommun
    "2321000206",  # Region Jämtland Härjedalen
]


def make_pdf(text: str = "Bilaga", pad_to: int = 0) -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n" + b"% " + text.encode() + b"\n"
    )
    if pad_to > len(body):
        body += b"%" + b"x" * (pad_to - len(body) - 20) + b"\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.se")
    full_name = factory.Faker("name", locale="sv_SE")
    password = factory.django.Password("rätt-lösenord-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.is_staff = True
            self.save(update_fields=["is_staff"])
            for role in extracted:
                self.groups.add(Group.objects.get(name=role))


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title_sv = "Testa coworking och hybridarbete"
    title_en = "Try coworking and hybrid work"
    description_sv = "Offentliga organisationer kan söka upp till 600 000 kr."
    description_en = "Public organisations may apply for up to SEK 600,000."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    total_budget = Decimal("5000000.00")
    max_grant_amount = Decimal("600000.00")
    appeal_text_sv = "Beslutet kan inte överklagas."
    appeal_text_en = "The decision cannot be appealed."

    @factory.post_generation
    def plan(self, create, extracted, **kwargs):
        """The call's payout plan: DEFAULT_PLAN (80/20) unless given as [(percent, trigger), …], or none for
        `plan=[]` (the call then pays by DEFAULT_PLAN without rows of its own)."""
        steps = DEFAULT_PLAN if extracted is None else extracted
        for position, (percent, trigger) in enumerate(steps, start=1):
            PayoutPlanStep.objects.create(call=self, position=position, percent=Decimal(percent), trigger=trigger)

    @factory.post_generation
    def with_kinds(self, create, extracted, **kwargs):
        if extracted is False:
            return
        RequiredAttachment.objects.create(call=self, code="plan", name_sv="Projektplan", name_en="Project plan")
        Criterion.objects.create(call=self, name_sv="Genomförbarhet", name_en="Feasibility", position=1)
        Criterion.objects.create(call=self, name_sv="Lärande", name_en="Learning", position=2)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("orgnr",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    orgnr = factory.Sequence(lambda n: VALID_ORGNRS[n % len(VALID_ORGNRS)])
    org_type = OrganisationType.MUNICIPALITY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft: every required field, one budget line; attach files with `attach_required()`."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    title = "Hybridarbete på Samverket"
    summary = "Vi testar att arbeta från en coworkinghubb två dagar i veckan."
    description = "Projektet låter 20 medarbetare arbeta från Samverket Östersund."
    coworking_sites = "Samverket Östersund"
    participants_count = 20
    start_date = factory.LazyFunction(lambda: date.today() + timedelta(days=60))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=60 + 365))
    contact_name = "Anna Andersson"
    contact_email = "anna@example.se"
    requested_amount = Decimal("400000.00")

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if extracted is False:
            return
        BudgetLine.objects.create(
            application=self, category="PREMISES", description="Platser på Samverket", amount=self.requested_amount
        )


class ReviewFactory(factory.django.DjangoModelFactory):
    """A reviewer's assignment on an application, not yet declared (neither submitted nor recused)."""

    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, roles=["reviewer"])
    assigned_by = factory.SubFactory(UserFactory, roles=["case_officer"])

"""A call's payout plan (DESIGN.md §3, §4.3): the steps its grants are paid in, e.g. 80 % when the terms are
accepted and 20 % after the approved final report. The percentages of a call's steps sum to 100; the grant's
payouts are made from them when it is approved (grants/services/cases.py, payout_amounts), the last step
taking what rounding left, so the payouts always sum to exactly the granted amount."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .calls import Call

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class PayoutTrigger(models.TextChoices):
    ON_ACCEPTANCE = "ON_ACCEPTANCE", _("Vid accept av villkoren")
    ON_FINAL_REPORT = "ON_FINAL_REPORT", _("När slutrapporten godkänts")


class PayoutPlanStep(models.Model):
    """One step of a call's payout plan: this share of the grant, paid when that happens."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="payout_plan_steps", verbose_name=_("utlysning")
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)
    percent = models.DecimalField(
        _("andel (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(CENT), MaxValueValidator(HUNDRED)],
    )
    trigger = models.CharField(_("utlöses"), max_length=20, choices=PayoutTrigger.choices)

    class Meta:
        verbose_name = _("steg i utbetalningsplanen")
        verbose_name_plural = _("utbetalningsplan")
        ordering = ["call", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gt=0) & models.Q(percent__lte=100), name="plan_step_percent_range"
            ),
            models.CheckConstraint(
                condition=models.Q(trigger__in=PayoutTrigger.values), name="plan_step_trigger_valid"
            ),
            # One payout per trigger, as the payout lifecycle expects (its trigger makes it DUE).
            models.UniqueConstraint(fields=["call", "trigger"], name="plan_step_one_per_trigger"),
        ]

    def __str__(self) -> str:
        return f"{self.percent} % {self.get_trigger_display()}"


# What a call without a plan of its own pays: the programme's usual 80 % advance on acceptance and 20 % after
# the approved final report (DESIGN.md §3).
DEFAULT_PLAN: tuple[tuple[Decimal, str], ...] = (
    (Decimal("80"), PayoutTrigger.ON_ACCEPTANCE),
    (Decimal("20"), PayoutTrigger.ON_FINAL_REPORT),
)


def plan_total_error(percents: Iterable[Decimal]) -> str:
    """Empty if the shares make a whole plan (sum exactly 100 %), else why not (for forms and services)."""
    percents = list(percents)
    if not percents:
        return str(_("Utbetalningsplanen måste ha minst ett steg."))
    total = sum(percents, Decimal("0"))
    if total != HUNDRED:
        return str(_("Stegen i utbetalningsplanen ska tillsammans vara 100 %%, inte %(total)s %%.") % {"total": total})
    return ""


def call_payout_plan(call: Call) -> list[tuple[Decimal, str]]:
    """The call's plan as (percent, trigger) in order: its own steps, or DEFAULT_PLAN if it has none."""
    steps = [(s.percent, s.trigger) for s in call.payout_plan_steps.order_by("position", "pk")]
    return steps or list(DEFAULT_PLAN)


def payout_amounts(granted: Decimal, plan: Iterable[tuple[Decimal, str]]) -> list[tuple[Decimal, str]]:
    """The payouts of a grant of `granted` kronor under `plan`: each step's share rounded to öre, the last step
    what is left, so the amounts sum to `granted` exactly; steps that come to nothing are left out. Raises
    ValueError if the plan does not sum to 100 %."""
    plan = list(plan)
    error = plan_total_error(p for p, _t in plan)
    if error:
        raise ValueError(error)
    out: list[tuple[Decimal, str]] = []
    left = granted
    for index, (percent, trigger) in enumerate(plan):
        last = index == len(plan) - 1
        amount = left if last else (granted * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        amount = min(amount, left)
        left -= amount
        if amount > 0:
            out.append((amount, trigger))
    return out

"""Plain-language labels for the ISO 20022 reason codes banks most often give for a failed payment.

Codes from ISO's external code lists `ExternalStatusReason1Code` (pain.002) and `ExternalReturnReason1Code`
(camt.054), which share these codes; the list is the common part, not all of them. For a code not
here, show the code and the bank's own text.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .errors import Text

REASONS: dict[str, Text] = {
    "AC01": _("Felaktigt kontonummer."),
    "AC03": _("Felaktigt kontonummer hos mottagaren."),
    "AC04": _("Kontot är avslutat."),
    "AC06": _("Kontot är spärrat."),
    "AC13": _("Ogiltig kontotyp för betalningen."),
    "AG01": _("Transaktionen är inte tillåten på kontot."),
    "AG02": _("Ogiltig bankkod för betalningen."),
    "AM04": _("Det finns inte tillräckligt med pengar på kontot."),
    "AM05": _("Betalningen är en dubblett."),
    "BE04": _("Mottagarens adress saknas eller är fel."),
    "BE05": _("Okänd betalare."),
    "CNOR": _("Mottagarens bank är inte ansluten till clearingen."),
    "DT01": _("Ogiltigt datum."),
    "FF01": _("Filen eller betalningen har fel format."),
    "MD07": _("Kontohavaren har avlidit eller organisationen har upphört."),
    "MS02": _("Mottagaren har inte angett något skäl."),
    "MS03": _("Banken har inte angett något skäl."),
    "NARR": _("Se bankens förklaring."),
    "RC01": _("Felaktig BIC."),
    "RR04": _("Stoppad av regelverket (till exempel sanktioner)."),
}


def reason_label(code: str) -> Text | None:
    """The label for an ISO reason code such as AC04, or None for a code not in the list."""
    return REASONS.get(code.strip().upper())

"""Small helpers shared by the ISO 20022 answer parsers (pain.002, camt.054)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import BankFileError
from .schemas import SchemaName, namespace, parse_xml, validate_tree

SHOWN_ERRORS = 5
NOT_PROVIDED = "NOTPROVIDED"


def load(data: bytes, schema_name: SchemaName) -> etree._Element:
    """The root of `data` once it is known to be a valid `schema_name` document; else BankFileError."""
    tree = parse_xml(data)
    errors = validate_tree(tree, schema_name)
    if errors:
        raise BankFileError(
            format_lazy(
                _("Filen är inte ett giltigt {schema}-meddelande ({count} fel mot schemat)."),
                schema=schema_name,
                count=len(errors),
            ),
            errors=tuple(errors[:SHOWN_ERRORS]),
        )
    return tree.getroot()


class Paths:
    """`find`/`findall`/`text` with slash paths of local names in one namespace: `p.text(el, "Rsn/Cd")`."""

    def __init__(self, schema_name: SchemaName) -> None:
        self._ns = "{" + namespace(schema_name) + "}"
        self._cache: dict[str, str] = {}

    def _q(self, path: str) -> str:
        found = self._cache.get(path)
        if found is None:
            found = self._cache[path] = "/".join(self._ns + part for part in path.split("/"))
        return found

    def find(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self._q(path))

    def findall(self, element: etree._Element, path: str) -> list[etree._Element]:
        return element.findall(self._q(path))

    def text(self, element: etree._Element, path: str) -> str:
        found = element.find(self._q(path))
        return (found.text or "").strip() if found is not None else ""

    def reason(self, element: etree._Element, info: str, reason: str = "Rsn") -> tuple[str, str]:
        """(code, text) of the first `info` child of `element` (StsRsnInf, RtrInf): its `Rsn/Cd` or
        `Rsn/Prtry`, and all its `AddtlInf` joined by spaces."""
        block = self.find(element, info)
        if block is None:
            return "", ""
        code = self.text(block, f"{reason}/Cd") or self.text(block, f"{reason}/Prtry")
        text = " ".join((e.text or "").strip() for e in self.findall(block, "AddtlInf") if e.text)
        return code, text


def amount(element: etree._Element | None) -> tuple[Decimal, str] | None:
    """(amount, currency) of an ISO amount element (`<InstdAmt Ccy="SEK">12.50</InstdAmt>`), or None."""
    if element is None or element.text is None:
        return None
    try:
        return Decimal(element.text.strip()), element.get("Ccy", "")
    except InvalidOperation:  # the XSD has checked it; kept for a schema that allows more
        return None


def line(element: etree._Element) -> int:
    return element.sourceline or 0

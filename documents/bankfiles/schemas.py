"""Reading bank XML safely and checking it against the official ISO 20022 schemas in `xsd/`.

The schemas are the ISO 20022 message definitions as published by the ISO 20022 Registration Authority
(iso20022.org); `xsd/README.md` says where each copy comes from and gives its SHA-256.

Bank files come from outside, so they are parsed with a hardened lxml parser: no network, no DTD loaded,
no entity resolved (internal or external), no huge-tree mode (libxml2's limits on depth and text size
stay on), and a size limit before parsing. A document with a DTD (`<!DOCTYPE …>`) is refused outright:
ISO 20022 messages never have one, and a DTD is how entity bombs ("billion laughs") and external entities
(reading local files) get in. Line numbers in messages are lxml's `sourceline`.

Each schema is compiled once per thread and kept (an `XMLSchema` collects its errors in itself, so one
instance must not validate two documents at the same time).
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Literal, get_args

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .errors import BankFileError

SchemaName = Literal["pain.001.001.03", "pain.002.001.03", "camt.054.001.02"]
SCHEMA_NAMES: tuple[SchemaName, ...] = get_args(SchemaName)
XSD_DIR = Path(__file__).resolve().parent / "xsd"
MAX_FILE_BYTES = 50 * 1024 * 1024
_NS_IN_MESSAGE = re.compile(r"\{urn:iso:std:iso:20022:tech:xsd:[^}]*\}")
_compiled = threading.local()


def namespace(schema_name: SchemaName) -> str:
    return f"urn:iso:std:iso:20022:tech:xsd:{schema_name}"


def safe_parser() -> etree.XMLParser:
    """A parser that reads nothing but the bytes it is given and expands no entity."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )


def parse_xml(data: bytes) -> etree._ElementTree:
    """Parse untrusted XML; raise BankFileError if it is too big, malformed or carries a DTD."""
    if not isinstance(data, bytes):
        raise TypeError("parse_xml takes bytes")
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(
            format_lazy(_("Filen är för stor: högst {limit} MB tas emot."), limit=MAX_FILE_BYTES // (1024 * 1024))
        )
    try:
        tree = etree.parse(io.BytesIO(data), safe_parser())
    except etree.XMLSyntaxError as error:
        raise BankFileError(
            _("Filen är inte läsbar XML."), errors=(_line(error.lineno or 0, error.msg or str(error)),)
        ) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise BankFileError(
            _("Filen innehåller en DTD (<!DOCTYPE …>). Bankfiler har aldrig någon, och filen läses inte.")
        )
    return tree


def validate(xml_bytes: bytes, schema_name: SchemaName) -> list[str]:
    """Every reason `xml_bytes` is not a valid `schema_name` document, each with its line; [] when valid.

    Raises ValueError for a schema name not in SCHEMA_NAMES."""
    _schema(schema_name)
    try:
        tree = parse_xml(xml_bytes)
    except BankFileError as error:
        return [str(error.message), *(str(e) for e in error.errors)]
    return validate_tree(tree, schema_name)


def validate_tree(tree: etree._ElementTree, schema_name: SchemaName) -> list[str]:
    """Like `validate`, for a tree already parsed with `parse_xml`."""
    schema = _schema(schema_name)
    root = tree.getroot()
    expected = f"{{{namespace(schema_name)}}}Document"
    if root.tag != expected:
        return [
            _line(
                root.sourceline or 0,
                str(
                    format_lazy(
                        _("Filen är inte ett {schema}-meddelande: rotelementet är {found}, inte Document i {ns}."),
                        schema=schema_name,
                        found=root.tag,
                        ns=namespace(schema_name),
                    )
                ),
            )
        ]
    if schema.validate(tree):
        return []
    return [_line(e.line, _NS_IN_MESSAGE.sub("", e.message)) for e in schema.error_log]


def _schema(schema_name: SchemaName) -> etree.XMLSchema:
    cache: dict[str, etree.XMLSchema] = _compiled.__dict__.setdefault("schemas", {})
    schema = cache.get(schema_name)
    if schema is None:
        if schema_name not in SCHEMA_NAMES:
            raise ValueError(f"unknown schema {schema_name!r}")
        path = XSD_DIR / f"{schema_name}.xsd"
        schema = cache[schema_name] = etree.XMLSchema(etree.parse(str(path), safe_parser()))
    return schema


def _line(line: int, message: str) -> str:
    return str(format_lazy(_("Rad {line}: {message}"), line=line, message=message))

"""Attachment checks: a PDF by its content, not its name; at most MAX_ATTACHMENT_BYTES; never empty; nothing
that runs or hides when the file is opened (JavaScript, launch and automatic actions, embedded files), and no
HTML riding along (a PDF/HTML polyglot becomes a web page if anything ever serves it as one).

The check reads the whole file (at most 20 MB) and inflates its compressed streams, image data excepted, up to
INFLATE_CAP bytes in all: a dictionary can hide in an object stream, and a file that inflates past the cap (a
zip bomb, or more text than any attachment has) is refused as one that cannot be checked."""

import hashlib
import re
import zlib
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from grants.text import Text

CHUNK = 64 * 1024
INFLATE_CAP = 64 * 1024 * 1024

# A PDF name ends at white space or a delimiter; inside it, #xx stands for a byte (/J#61vaScript is /JavaScript).
_END = rb"(?=[\s()<>\[\]{}/%]|$)"
JAVASCRIPT = re.compile(rb"/(?:JS|JavaScript)" + _END)
ACTIONS = re.compile(rb"/(?:Launch|AA)" + _END)
EMBEDDED = re.compile(rb"/(?:EmbeddedFiles?|RichMedia)" + _END)
HTML = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|object|embed|svg|meta)\b", re.IGNORECASE)
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
IMAGE = re.compile(rb"/Subtype\s*/Image" + _END)


class _TooMuch(Exception):
    pass


def _unescape(data: bytes) -> bytes:
    return NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _inflated(data: bytes) -> list[bytes]:
    """The inflated streams that are not images, refusing (raising _TooMuch) past INFLATE_CAP in all."""
    found, total, last_end = [], 0, 0
    for match in STREAM.finditer(data):
        dictionary = data[max(last_end, match.start() - 2048) : match.start()]
        last_end = match.end()
        if IMAGE.search(_unescape(dictionary)):
            continue
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1).lstrip(b"\r\n"), INFLATE_CAP - total + 1)
        except zlib.error:
            continue  # not Flate (or damaged): its raw bytes were searched with the rest
        total += len(chunk)
        if total > INFLATE_CAP or inflater.unconsumed_tail:
            raise _TooMuch
        found.append(chunk)
    return found


def _content_problem(data: bytes) -> Text | None:
    # Outside the streams: the dictionaries, and anything before the header or after the last %%EOF.
    outside = STREAM.sub(b"stream endstream", data)
    if HTML.search(outside):
        return _(
            "Filen innehåller HTML-kod utöver PDF-innehållet och tas inte emot. Spara dokumentet som en ny "
            "PDF och ladda upp den igen."
        )
    try:
        parts = [_unescape(outside), *(_unescape(chunk) for chunk in _inflated(data))]
    except _TooMuch:
        return _(
            "PDF-filen innehåller för mycket komprimerat innehåll för att kunna granskas. Spara den som en "
            "ny, mindre PDF och ladda upp den igen."
        )
    for part in parts:
        if JAVASCRIPT.search(part):
            return _(
                "PDF-filen innehåller JavaScript, som inte är tillåtet i bilagor. Spara eller skriv ut "
                "dokumentet som en ny PDF utan skript och ladda upp den igen."
            )
        if ACTIONS.search(part):
            return _(
                "PDF-filen innehåller automatiska åtgärder (som körs när filen öppnas eller startar andra "
                "program), som inte är tillåtna i bilagor. Skriv ut dokumentet som en ny PDF och ladda upp den "
                "igen."
            )
        if EMBEDDED.search(part):
            return _(
                "PDF-filen innehåller inbäddade filer eller media, som inte är tillåtna i bilagor. Ladda upp "
                "varje dokument som en egen PDF."
            )
    return None


def pdf_problem(file: IO[bytes], size: int | None) -> Text | None:
    """Return why the file is refused, or None if it is an acceptable PDF."""
    if size is None or size == 0:
        return _("Filen är tom.")
    if size > settings.MAX_ATTACHMENT_BYTES:
        return _("Filen är för stor. Största tillåtna storlek är 20 MB.")
    file.seek(0)
    data = file.read(settings.MAX_ATTACHMENT_BYTES + 1)
    file.seek(0)
    # %PDF- first: readers tolerate junk before it, and that junk is where an HTML polyglot puts its page.
    if not data.startswith(b"%PDF-"):
        if b"%PDF-" in data[:1024]:
            return _(
                "Filen börjar inte som en PDF: det finns annat innehåll före PDF-rubriken. Spara dokumentet som "
                "en ny PDF och ladda upp den igen."
            )
        return _("Filen är inte en PDF. Spara dokumentet som PDF och ladda upp det igen.")
    if b"%%EOF" not in data[-2048:]:
        return _("PDF-filen är ofullständig eller skadad.")
    return _content_problem(data)


def sha256_of(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()

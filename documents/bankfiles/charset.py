"""The characters we write into payment files, and how other characters are made safe.

ISO 20022 messages are UTF-8 and the XSD's text types accept any character, but banks do not pass every
character on. The EPC's SEPA rulebooks allow only the basic Latin set
`a–z A–Z 0–9 / - ? : ( ) . , ' + space`; the Swedish banks' common interpretation of ISO 20022 (Svenska
Bankföreningen, "Swedish Common Interpretation of ISO 20022 Payment Messages") and their own guides accept
UTF-8 with å ä ö Å Ä Ö in names and remittance text for domestic payments. We therefore write:

- **Free text** (names, remittance information): the SEPA basic Latin set plus å ä ö Å Ä Ö. Other
  letters lose their accents (é → e, ü → u, ø → o, æ → ae, ß → ss); `&` becomes `+` (the SEPA
  conversion; "och" would change the length and the language of a name); quotes become `'`; brackets
  become `(` `)`; `_` becomes `-` and `;` becomes `,`; line breaks, tabs and anything else become a space;
  runs of spaces become one; the text is trimmed at a character boundary (Python strings are code
  points, and the text is NFC-normalised first, so å is one character and never cut in half).
  lxml escapes what is left; after this step nothing needs escaping except `'`, which is harmless.
- **Identifiers** (MsgId, PmtInfId, InstrId, EndToEndId): the basic Latin set without spaces, at most 35
  characters, not beginning or ending with `/` and without `//` (EPC rule). These come from our own
  records, so anything else is a programming error and raises `ValueError` instead of being rewritten.
"""

from __future__ import annotations

import re
import string
import unicodedata

SWEDISH_LETTERS = "åäöÅÄÖ"
LATIN = frozenset(string.ascii_letters + string.digits + "/-?:().,'+ ")
TEXT_CHARACTERS = LATIN | frozenset(SWEDISH_LETTERS)

_REPLACEMENTS = {
    "&": "+",
    '"': "'",
    "`": "'",
    "´": "'",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "“": "'",
    "”": "'",
    "„": "'",
    "«": "'",
    "»": "'",
    "<": "(",
    ">": ")",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "_": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "−": "-",
    ";": ",",
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Ð": "D",
    "ð": "d",
    "Þ": "Th",
    "þ": "th",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
}
_SPACES = re.compile(" {2,}")
_IDENTIFIER = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")


def bank_text(value: str, max_length: int) -> str:
    """`value` in the characters banks pass on (see the module docstring), at most `max_length` long."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", value):
        if char in TEXT_CHARACTERS:
            out.append(char)
        elif char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in LATIN)
            out.append(base if base.strip() else " ")
    text = _SPACES.sub(" ", "".join(out)).strip()
    return text[:max_length].rstrip()


def check_identifier(value: str, what: str) -> str:
    """`value` unchanged if it is a valid ISO 20022 identifier for banks; otherwise raise ValueError."""
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"{what} must be 1–35 characters of A–Z a–z 0–9 / - ? : ( ) . , ' + (got {value!r})")
    if value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValueError(f"{what} must not begin or end with '/' or contain '//' (got {value!r})")
    return value

"""Attachment checks: a PDF by its content, not its name; at most MAX_ATTACHMENT_BYTES; never empty."""

import hashlib
from typing import IO

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from grants.text import Text

CHUNK = 64 * 1024


def pdf_problem(file: IO[bytes], size: int | None) -> Text | None:
    """Return why the file is refused, or None if it is an acceptable PDF."""
    if size is None or size == 0:
        return _("Filen är tom.")
    if size > settings.MAX_ATTACHMENT_BYTES:
        return _("Filen är för stor. Största tillåtna storlek är 20 MB.")
    file.seek(0)
    head = file.read(1024)
    # A PDF starts with %PDF- (readers tolerate a little junk before it) and ends with %%EOF near the end.
    if b"%PDF-" not in head:
        return _("Filen är inte en PDF. Spara dokumentet som PDF och ladda upp det igen.")
    file.seek(max(0, size - 2048))
    tail = file.read()
    if b"%%EOF" not in tail:
        return _("PDF-filen är ofullständig eller skadad.")
    file.seek(0)
    return None


def sha256_of(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()

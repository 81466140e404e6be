"""HTML template + context in, PDF/A bytes out (WeasyPrint).

Every PDF the system issues goes through `render_pdf`: A4, PDF/A-3b for the archive, fonts shipped with the
app and embedded (so output never depends on the fonts of the machine that renders it), Swedish
hyphenation, and no resource fetched from anywhere but the app's own font folder.
"""

import threading
from pathlib import Path
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.text.fonts import FontConfiguration

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
STYLESHEET = Path(__file__).resolve().parent / "pdf.css"
PDF_VARIANT = "pdf/a-3b"

# family → (file, weight). Own family names, so a system font of the same name can never stand in.
FONT_FILES = [
    ("Samverket Sans", "DejaVuSans.ttf", "normal"),
    ("Samverket Sans", "DejaVuSans-Bold.ttf", "bold"),
    ("Samverket Serif", "DejaVuSerif.ttf", "normal"),
    ("Samverket Serif", "DejaVuSerif-Bold.ttf", "bold"),
]


def _font_face_css() -> str:
    rules = []
    for family, filename, weight in FONT_FILES:
        url = (FONTS_DIR / filename).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}") format("truetype"); '
            f"font-weight: {weight}; font-style: normal; }}"
        )
        # No italic files are shipped: map italic to the upright face instead of letting fontconfig look for one.
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}") format("truetype"); '
            f"font-weight: {weight}; font-style: italic; }}"
        )
    return "\n".join(rules)


class _AppFilesOnly(weasyprint.URLFetcher):
    """Fetch only the app's own font files (and inline data: URLs); a letter never loads anything else."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(FONTS_DIR):
                return super().fetch(url, headers)
        raise weasyprint.urls.FatalURLFetchingError(f"PDF templates may not load {url!r}.")


# Parsing the fonts and the stylesheet is most of a small letter's rendering time, so it is done once per
# thread (a FontConfiguration wraps a Pango font map, which is not safe to share between threads).
_cache = threading.local()


def _styles() -> tuple[FontConfiguration, list[weasyprint.CSS], _AppFilesOnly]:
    if not hasattr(_cache, "styles"):
        fetcher = _AppFilesOnly(allowed_protocols={"file", "data"}, fail_on_errors=True)
        font_config = FontConfiguration()
        css = weasyprint.CSS(
            string=_font_face_css() + "\n" + STYLESHEET.read_text(encoding="utf-8"),
            font_config=font_config,
            url_fetcher=fetcher,
        )
        _cache.styles = (font_config, [css], fetcher)
    return _cache.styles


def render_pdf(template_name: str, context: dict[str, Any], *, language: str) -> bytes:
    """Render a template that extends base_pdf.html to PDF/A-3b bytes, in `language` ("sv" or "en")."""
    font_config, stylesheets, fetcher = _styles()
    with translation.override(language):
        html = render_to_string(
            template_name, {"authority_name": settings.AUTHORITY_NAME, "language": language, **context}
        )
    document = weasyprint.HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=font_config, pdf_variant=PDF_VARIANT)
    assert pdf is not None  # noqa: S101 — write_pdf without a target returns the bytes
    return pdf

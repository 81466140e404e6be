"""Switching language on a page with a draft form keeps what was typed (issue 9 item 13).

On such a page the header's language button belongs to the draft form (the HTML `form` attribute: no script
needed), so switching sends what was typed. The page's view saves it as its own Save button would, then shows
the page again in the other language; if something typed cannot be saved, the same form comes back in the other
language with everything typed and the errors, and nothing is saved."""

from typing import Any, Literal, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

SWITCH = "switch_language"


def switch_requested(request: HttpRequest) -> str | None:
    """The language the draft form's language button asks for, or None when the form was sent otherwise."""
    if request.method != "POST":
        return None
    language = request.POST.get(SWITCH, "")
    return language if language in dict(settings.LANGUAGES) else None


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    # The cookie as django.views.i18n.set_language sets it, with the same settings.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        # django-stubs types the setting as str; Django accepts the same values here as in set_language.
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )
    return response


def saved_and_switched(request: HttpRequest, url: str, language: str) -> HttpResponse:
    """After the draft was saved: back to the same page, in the other language."""
    with translation.override(language):
        messages.success(request, _("Det du skrev är sparat. Sidan visas nu på svenska."))
    return _with_language(redirect(url), language)


def unsaved_and_switched(
    request: HttpRequest, template: str, context: dict[str, Any], language: str, status: int = 200
) -> HttpResponse:
    """The draft could not be saved: the form again, with what was typed and its errors, in the other language."""
    with translation.override(language):
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = render(request, template, {**context, "switch_unsaved": True}, status=status)
    response.headers["Content-Language"] = language
    return _with_language(response, language)

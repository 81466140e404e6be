from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.template import Context, Engine
from django.utils import translation

from grants.models import Application, Message, MessageChannel, User
from grants.tasks import enqueue_in_transaction, message_deliver
from workflows.base import log_event


def render_plain_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template (an e-mail's subject or body) without HTML escaping.

    E-mail here is text, not HTML: escaped, `Karin O'Neill` would arrive as `Karin O&#x27;Neill`. Every e-mail
    goes through here, so a new template cannot forget `{% autoescape off %}`.
    """
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(context, autoescape=False))


def message_send(
    *,
    recipient: User | None,
    recipient_email: str,
    application: Application | None,
    event: str,
    template: str,
    context: dict[str, Any],
    language: str,
    now: datetime,
) -> Message:
    """Write the message in the recipient's language and queue its e-mail; the worker sends it once this commits.

    `template` names a pair: `<template>_subject.txt` and `<template>.txt`.
    """
    with translation.override(language):
        subject = render_plain_text(f"{template}_subject.txt", context).strip().replace("\n", " ")
        body = render_plain_text(f"{template}.txt", context)
    message = Message.objects.create(
        recipient=recipient,
        recipient_email=recipient_email,
        application=application,
        event=event,
        subject=subject[:200],
        body=body,
        channel=MessageChannel.EMAIL,
        created_at=now,
    )
    if application is not None:
        log_event(
            application=application, actor=None, event="message.queued", now=now, note=f"{event} → {recipient_email}"
        )

    enqueue_in_transaction(message_deliver, message.pk)
    return message


def notify(
    *,
    recipients: Iterable[User],
    application: Application | None,
    event: str,
    template: str,
    context: dict[str, Any],
    now: datetime,
) -> list[Message]:
    """Tell each recipient, in their own language: one Message and one case-log line each, the e-mail
    sent by the worker after commit. `context` gets `user` (the recipient) and `application` added."""
    sent = []
    for user in recipients:
        sent.append(
            message_send(
                recipient=user,
                recipient_email=user.email,
                application=application,
                event=event,
                template=template,
                context={**context, "user": user, "application": application},
                language=user.language,
                now=now,
            )
        )
    return sent


def organisation_members(application: Application) -> Iterable[User]:
    return [m.user for m in application.organisation.memberships.select_related("user").order_by("pk")]


def notify_members(
    application: Application, *, event: str, template: str, now: datetime, context: dict[str, Any] | None = None
) -> list[Message]:
    """notify() every member of the case's organisation: what the applicant side is told."""
    return notify(
        recipients=organisation_members(application),
        application=application,
        event=event,
        template=template,
        context=context or {},
        now=now,
    )

from datetime import datetime
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from grants.models import Application, Message, MessageChannel, User
from workflows.base import log_event


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
    """Write the message in the recipient's language and queue its e-mail to go after commit.

    `template` names a pair: `<template>_subject.txt` and `<template>.txt`.
    """
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string(f"{template}.txt", context)
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

    from grants.tasks import message_deliver

    transaction.on_commit(lambda: message_deliver.enqueue(message.pk))
    return message

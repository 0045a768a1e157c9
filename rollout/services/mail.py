"""Sending templated e-mail: ``templates/emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html``.

Call it from a Celery task (never inside a database transaction): e-mail is slow I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_send(name: str, *, to: Sequence[str], context: dict) -> None:
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{name}_body.txt", context), to=list(to)
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    message.send()

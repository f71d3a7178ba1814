"""Sending the plugin's emails through Django's email framework, from templates."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


def send_templated(*, user, template: str, context: dict) -> bool:
    """Render ``emails/<template>_subject.txt`` and ``_body.txt`` and send them to ``user``.

    Returns whether the mail went out; a failure is logged, never raised, because a money
    movement that already committed must not look failed because a mail server is down.
    """
    if not getattr(user, "email", ""):
        return False
    context = {
        "user": user,
        "platform_name": getattr(settings, "PLATFORM_NAME", ""),
        **context,
    }
    with translation.override(_language(user)):
        subject = render_to_string(f"credits_plugin/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"credits_plugin/emails/{template}_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        log.exception("Could not send the %s email to user %s", template, user.pk)
        return False
    return True


def _language(user) -> str:
    """The learner's own language (their platform preference), else the site's LANGUAGE_CODE.

    Never the active language: a mail sent while an operator's request runs must not take the
    operator's language.
    """
    from credits_plugin.conf import platform

    chosen = getattr(platform(), "user_language", None)
    try:
        language = chosen(user) if chosen else None
    except Exception:
        log.exception("Could not read the language preference of user %s", user.pk)
        language = None
    return language or settings.LANGUAGE_CODE

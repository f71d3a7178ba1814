"""Sending the plugin's emails through Django's email framework, from templates."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import formats, numberformat, translation

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


def credits(amount: int, *, localize: bool = True) -> str:
    """Hundredths of a credit as people read them, in the number format of the active language:
    1250 -> '12.50' in English, '12,50' in French; thousands grouped ('1,234.50', '1 234,50').

    ``localize=False`` gives the one form the plugin's parsers read back ('1,234.50') whatever
    the language: for CSV files and for messages that say how to type an amount.
    """
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(int(amount)), 100)
    if not localize:
        return f"{sign}{whole:,}.{cents:02d}"
    return numberformat.format(
        f"{sign}{whole}.{cents:02d}",
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=2,
        # No active language (a management command, a task) leaves Django's NUMBER_GROUPING at 0:
        # group by three as the English format does.
        grouping=formats.get_format("NUMBER_GROUPING") or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def plural_count(amount: int) -> int:
    """The number that picks the plural form of "{amount} credits" (ngettext needs an integer).

    A whole amount counts as itself (1.00 credit, 2.00 credits; 0 and 1 take the singular in
    French). An amount with a fraction counts as many (0.50 credits, 1.50 credits), as English
    writes it and as French accepts it.
    """
    whole, cents = divmod(abs(int(amount)), 100)
    return whole if not cents else max(whole, 2)

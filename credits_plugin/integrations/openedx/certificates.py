"""Receivers of certificate events: award a course's credits, and revoke them.

The platform sends CERTIFICATE_CHANGED after every save, CERTIFICATE_CREATED after every save
with a passing status (so it repeats) and CERTIFICATE_REVOKED after a revocation (OPENEDX_HOOKS.md
2.5). They normally run in a Celery worker, without a request. Every receiver is idempotent and
keyed by (user, course); the events carry no certificate id, so it is read from the platform.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils import timezone

from credits_plugin import api
from credits_plugin.integrations.openedx import compat

log = logging.getLogger(__name__)

# CertificateStatuses.PASSED_STATUSES of the platform.
PASSING_STATUSES = ("downloadable", "generating")


def _user(certificate):
    return get_user_model().objects.filter(pk=certificate.user.id).first()


def _award(certificate, metadata) -> None:
    user = _user(certificate)
    if user is None:
        return
    course_key = certificate.course.course_key
    generated = compat.certificate_for(user, course_key)
    certificate_id = ""
    issued_at = getattr(metadata, "time", None)
    if generated is not None:
        certificate_id = generated.verify_uuid or str(generated.pk)
        issued_at = getattr(generated, "created_date", None) or issued_at
    awarded = api.award_for_certificate(
        user=user, course_id=course_key, certificate_id=certificate_id, issued_at=issued_at or timezone.now()
    )
    log.info("Certificate of user %s in %s: %d credit(s) awarded", user.pk, course_key, len(awarded))


def _revoke(certificate) -> None:
    user = _user(certificate)
    if user is None:
        return
    count = api.revoke_for_certificate(user=user, course_id=certificate.course.course_key)
    if count:
        log.info(
            "Certificate of user %s in %s: %d credit(s) revoked",
            user.pk,
            certificate.course.course_key,
            count,
        )


def on_certificate_created_award(sender, certificate=None, metadata=None, **kwargs) -> None:
    """CERTIFICATE_CREATED: award the course's credits when the status is passing."""
    if certificate is not None and certificate.current_status in PASSING_STATUSES:
        _award(certificate, metadata)


def on_certificate_revoked_award(sender, certificate=None, **kwargs) -> None:
    """CERTIFICATE_REVOKED: revoke the credits awarded for the certificate."""
    if certificate is not None:
        _revoke(certificate)


def on_certificate_changed_award(sender, certificate=None, metadata=None, **kwargs) -> None:
    """CERTIFICATE_CHANGED: award on a passing status, revoke on any other (a safety net for
    revocations whose REVOKED event was lost)."""
    if certificate is None:
        return
    if certificate.current_status in PASSING_STATUSES:
        _award(certificate, metadata)
    else:
        _revoke(certificate)

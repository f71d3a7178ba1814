"""Stand-in for ``lms/djangoapps/certificates/generation.py`` (and the filter call of
``generation_handler.py``): create or update a learner's certificate.

The platform runs CertificateCreationRequested in the generation handler, then a Celery task calls
``generate_course_certificate``; the demo does both here, in that order, without the queue.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

from openedx_filters.learning.filters import CertificateCreationRequested

from lms.djangoapps.certificates.data import CertificateStatuses
from lms.djangoapps.certificates.models import GeneratedCertificate

log = logging.getLogger(__name__)


class CertificateGenerationNotAllowed(Exception):
    """A CertificateCreationRequested pipeline step refused the certificate."""


def generate_course_certificate(
    user,
    course_key,
    status: str = CertificateStatuses.downloadable,
    enrollment_mode: str = "verified",
    course_grade: str = "",
    generation_mode: str = "batch",
) -> GeneratedCertificate:
    """Create or update the certificate of ``user`` in ``course_key`` (keyed on user and course).

    Raises CertificateGenerationNotAllowed when the CertificateCreationRequested filter stops it.
    A regenerated certificate keeps its verify UUID, so its public URL does not change.
    """
    try:
        filtered: tuple[Any, ...] = CertificateCreationRequested.run_filter(
            user=user,
            course_key=course_key,
            mode=enrollment_mode,
            status=status,
            grade=course_grade,  # type: ignore[arg-type]  # the platform passes the grade it has, often a string
            generation_mode=generation_mode,
        )
    except CertificateCreationRequested.PreventCertificateCreation as exc:
        raise CertificateGenerationNotAllowed(str(exc)) from exc
    user, course_key, enrollment_mode, status, course_grade, generation_mode = filtered

    existing = GeneratedCertificate.certificate_for_student(user, course_key)
    verify_uuid = existing.verify_uuid if existing and existing.verify_uuid else uuid4().hex
    certificate, created = GeneratedCertificate.objects.update_or_create(
        user=user,
        course_id=course_key,
        defaults={
            "user": user,
            "course_id": course_key,
            "mode": enrollment_mode,
            "name": user.get_full_name() or user.username,
            "status": status,
            "grade": course_grade,
            "download_url": "",
            "key": "",
            "verify_uuid": verify_uuid,
            "error_reason": "",
        },
    )
    log.info(
        "%s certificate for user %s in %s with status %s (%s)",
        "Created" if created else "Updated",
        user.id,
        course_key,
        status,
        generation_mode,
    )
    return certificate

"""Stand-in for ``lms/djangoapps/certificates/models.py``: the GeneratedCertificate model.

As in the platform, ``save()`` sends CERTIFICATE_CHANGED after every save and CERTIFICATE_CREATED
whenever the status is passing; ``invalidate()``, ``mark_notpassing()`` and ``mark_unverified()``
save and then send CERTIFICATE_REVOKED. ``previous_status`` is never filled.
"""

from __future__ import annotations

import logging
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField
from openedx_events.learning.data import CertificateData, CourseData, UserData, UserPersonalData
from openedx_events.learning.signals import CERTIFICATE_CHANGED, CERTIFICATE_CREATED, CERTIFICATE_REVOKED

from lms.djangoapps.certificates.data import CertificateStatuses

log = logging.getLogger(__name__)

__all__ = ["CertificateStatuses", "GeneratedCertificate"]


class EligibleCertificateManager(models.Manager):
    """Certificates that count: not the audit ones (the platform's eligible_certificates)."""

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .exclude(status__in=(CertificateStatuses.audit_passing, CertificateStatuses.audit_notpassing))
        )


class EligibleAvailableCertificateManager(EligibleCertificateManager):
    """Eligible certificates that have not been revoked or otherwise made unavailable."""

    def get_queryset(self):
        return super().get_queryset().exclude(status=CertificateStatuses.unavailable)


class GeneratedCertificate(models.Model):
    """A learner's certificate for a course run."""

    class MODES(models.TextChoices):
        verified = "verified", "verified"
        honor = "honor", "honor"
        audit = "audit", "audit"
        professional = "professional", "professional"
        no_id_professional = "no-id-professional", "no-id-professional"
        masters = "masters", "masters"
        executive_education = "executive-education", "executive-education"
        paid_executive_education = "paid-executive-education", "paid-executive-education"
        paid_bootcamp = "paid-bootcamp", "paid-bootcamp"

    VERIFIED_CERTS_MODES = [
        MODES.verified,
        MODES.professional,
        MODES.no_id_professional,
        MODES.masters,
        MODES.executive_education,
        MODES.paid_executive_education,
        MODES.paid_bootcamp,
    ]

    objects = models.Manager()
    eligible_certificates = EligibleCertificateManager()
    eligible_available_certificates = EligibleAvailableCertificateManager()

    # .. pii: the learner's name as printed on the certificate
    # .. pii_types: name
    # .. pii_retirement: local_api
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    course_id = CourseKeyField(max_length=255, blank=True, default=None)
    verify_uuid = models.CharField(max_length=32, blank=True, default="", db_index=True)
    grade = models.CharField(max_length=5, blank=True, default="")
    key = models.CharField(max_length=32, blank=True, default="")
    distinction = models.BooleanField(default=False)
    status = models.CharField(max_length=32, default=CertificateStatuses.unavailable)
    mode = models.CharField(max_length=32, choices=MODES.choices, default=MODES.honor)
    name = models.CharField(blank=True, max_length=255)
    created_date = models.DateTimeField(auto_now_add=True)
    modified_date = models.DateTimeField(auto_now=True)
    error_reason = models.CharField(max_length=512, blank=True, default="")
    download_url = models.CharField(max_length=128, blank=True, default="")
    download_uuid = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        app_label = "certificates"
        unique_together = (("user", "course_id"),)
        verbose_name = _("generated certificate")

    def __str__(self) -> str:
        return f"Certificate for {self.user} in {self.course_id}: {self.status}"

    def save(self, *args, **kwargs) -> None:
        """Save, then send CERTIFICATE_CHANGED, and CERTIFICATE_CREATED when passing."""
        super().save(*args, **kwargs)
        event_time = self.modified_date.astimezone(UTC)
        CERTIFICATE_CHANGED.send_event(time=event_time, certificate=self._certificate_data())
        if CertificateStatuses.is_passing_status(self.status):
            CERTIFICATE_CREATED.send_event(time=event_time, certificate=self._certificate_data())

    @classmethod
    def certificate_for_student(cls, student, course_id) -> GeneratedCertificate | None:
        return cls.objects.filter(user=student, course_id=course_id).first()

    @classmethod
    def course_ids_with_certs_for_user(cls, user) -> set:
        return set(cls.objects.filter(user=user).values_list("course_id", flat=True))

    def is_valid(self) -> bool:
        return CertificateStatuses.is_passing_status(self.status)

    def _certificate_data(self) -> CertificateData:
        # The platform reads the name from user.profile.name; the demo has no profiles.
        return CertificateData(
            user=UserData(
                pii=UserPersonalData(
                    username=self.user.username, email=self.user.email, name=self.user.get_full_name()
                ),
                id=self.user.id,
                is_active=self.user.is_active,
            ),
            course=CourseData(course_key=self.course_id),
            mode=self.mode,
            grade=self.grade,
            current_status=self.status,
            download_url=self.download_url,
            name=self.name,
        )

    def _revoke_certificate(
        self, status: str, mode: str | None = None, grade: str | None = None, source=None
    ):
        log.info(
            "Revoking certificate of user %s in %s: status %s (%s)",
            self.user_id,
            self.course_id,
            status,
            source,
        )
        self.error_reason = ""
        self.download_uuid = ""
        self.download_url = ""
        self.grade = grade or ""
        self.status = status
        self.mode = mode or self.mode
        self.save()
        CERTIFICATE_REVOKED.send_event(
            time=self.modified_date.astimezone(UTC), certificate=self._certificate_data()
        )

    def invalidate(self, mode: str | None = None, source=None) -> None:
        """Make the certificate unavailable (revoked)."""
        self._revoke_certificate(status=CertificateStatuses.unavailable, mode=mode, source=source)

    def mark_notpassing(self, mode: str, grade: str, source=None) -> None:
        self._revoke_certificate(status=CertificateStatuses.notpassing, mode=mode, grade=grade, source=source)

    def mark_unverified(self, mode: str, source=None) -> None:
        self._revoke_certificate(status=CertificateStatuses.unverified, mode=mode, source=source)

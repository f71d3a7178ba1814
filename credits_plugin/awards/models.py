"""Awarded credits: continuing-education credits a course carries and learners are awarded.

Amounts are integers in hundredths of the credit's unit (1.5 hours is ``150``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CreditType(models.Model):
    """A category of credits (e.g. CPE, CME). Never attached to a course directly.

    .. no_pii:
    """

    name = models.CharField(max_length=128, unique=True, help_text=_("Name shown to learners."))
    description = models.TextField(blank=True)
    reference_required = models.BooleanField(
        default=False, help_text=_("Every credit of this type must have a reference number.")
    )
    allow_multiple_per_course = models.BooleanField(
        default=False, help_text=_("A course may carry more than one credit of this type.")
    )
    history = HistoricalRecords(table_name="credits_plugin_historicalcredittype")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_credittype"
        verbose_name = _("credit type")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Credit(models.Model):
    """One credit under a type, as an accrediting body grants it (e.g. "Ethics", in hours).

    .. no_pii:
    """

    type = models.ForeignKey(CreditType, on_delete=models.PROTECT, related_name="credits")
    name = models.CharField(max_length=255)
    unit_label = models.CharField(
        max_length=64, default="hours", help_text=_("What the amount counts, e.g. 'hours'.")
    )
    reference_number = models.CharField(
        max_length=128, blank=True, help_text=_("The accrediting body's number for this credit.")
    )
    accrediting_body = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords(table_name="credits_plugin_historicalcredit")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_credit"
        verbose_name = _("credit")
        ordering = ["type__name", "name"]

    def __str__(self) -> str:
        return str(_("{type}: {name}")).format(type=self.type.name, name=self.name)


class CourseCredit(models.Model):
    """A credit a course run carries, with the amount a learner is awarded on a certificate.

    .. no_pii:
    """

    course_id = models.CharField(max_length=255, db_index=True, help_text=_("The course run's key."))
    credit = models.ForeignKey(Credit, on_delete=models.PROTECT, related_name="course_credits")
    amount = models.BigIntegerField(help_text=_("Amount in hundredths of the credit's unit (1.5 = 150)."))
    created = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(table_name="credits_plugin_historicalcoursecredit")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_coursecredit"
        verbose_name = _("course credit")
        ordering = ["course_id", "credit__type__name", "credit__name"]
        constraints = [
            models.UniqueConstraint(fields=["course_id", "credit"], name="credits_course_credit_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="credits_course_credit_amount_positive"),
        ]

    def __str__(self) -> str:
        return str(_("{course}: {credit}")).format(course=self.course_id, credit=self.credit)


class AwardedCredit(models.Model):
    """A credit awarded to a learner for a certificate, as the course carried it at the time.

    The credit's name, type, unit, reference number and accrediting body and the amount are
    copied: later edits of the course or the credit never change what was awarded.

    .. pii: ``user`` links a learner to the credits they were awarded, with the platform's
        certificate id. Retained on retirement: an award is a record an accrediting body may
        audit, as the platform keeps its certificates; it holds no name, email or licence number.
    .. pii_types: id
    .. pii_retirement: retained
    """

    class Status(models.TextChoices):
        AWARDED = "awarded", _("Awarded")
        REVOKED = "revoked", _("Revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="awarded_credits"
    )
    course_id = models.CharField(max_length=255, db_index=True)
    credit = models.ForeignKey(Credit, on_delete=models.PROTECT, related_name="awards")
    amount = models.BigIntegerField(help_text=_("Amount in hundredths of the unit."))
    unit_label = models.CharField(max_length=64)
    credit_name = models.CharField(max_length=255)
    type_name = models.CharField(max_length=128)
    reference_number = models.CharField(max_length=128, blank=True)
    accrediting_body = models.CharField(max_length=255, blank=True)
    certificate_id = models.CharField(
        max_length=64, blank=True, help_text=_("The certificate's identity (verify UUID or id).")
    )
    issued_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.AWARDED)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(table_name="credits_plugin_historicalawardedcredit")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_awardedcredit"
        verbose_name = _("awarded credit")
        ordering = ["-issued_at", "type_name", "credit_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_id", "credit"], name="credits_awarded_credit_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.course_id}: {self.type_name} {self.credit_name}"


class LearnerLicence(models.Model):
    """A learner's licence number with an accrediting body, printed on transcripts.

    .. pii: the learner's professional licence number, typed by the learner, and their user id.
        Deleted on retirement, its history rows included (``api.retire_user``).
    .. pii_types: id, other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_licences"
    )
    accrediting_body = models.CharField(max_length=255)
    licence_number = models.CharField(max_length=128)
    history = HistoricalRecords(table_name="credits_plugin_historicallearnerlicence")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_learnerlicence"
        verbose_name = _("learner licence")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "accrediting_body"], name="credits_learner_licence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.accrediting_body} {self.licence_number}"

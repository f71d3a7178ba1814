"""Purchases of course modes with credits."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField

from credits_plugin.ledger.models import Account, Hold, Transfer


class Purchase(models.Model):
    """A learner's purchase of a course mode with credits: hold, enrolment, then charge.

    .. pii: ``user`` links a learner to what they bought. Retained on retirement with the
        amounts: a purchase is a money record (its hold, charge and refund are ledger history).
    .. pii_types: id
    .. pii_retirement: retained
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    idempotency_key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_purchases"
    )
    course_key = CourseKeyField(max_length=255, db_index=True)
    mode_slug = models.CharField(max_length=100)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", help_text=_("Paying wallet.")
    )
    amount = models.BigIntegerField(help_text=_("Price paid, in hundredths of a credit."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    hold = models.OneToOneField(
        Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="purchase"
    )
    charge = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure_reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_purchase"
        verbose_name = _("purchase")
        indexes = [models.Index(fields=["user", "course_key", "status"], name="credits_purchase_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credits_purchase_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.course_key} {self.mode_slug} ({self.status})"

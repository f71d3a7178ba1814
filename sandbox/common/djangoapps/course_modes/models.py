"""Stand-in for ``common/djangoapps/course_modes/models.py``: the modes (tracks) of a course.

Field names, constants, the uniqueness rule and ``modes_for_course`` follow the platform.
``min_price`` is in whole units of ``currency`` (the platform's "dollars, not cents").
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

Mode = namedtuple(
    "Mode",
    [
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "android_sku",
        "ios_sku",
        "bulk_sku",
    ],
)


class CourseMode(models.Model):
    """One mode of one course, with its price."""

    course = models.ForeignKey(
        CourseOverview,
        db_constraint=False,
        db_index=True,
        related_name="modes",
        on_delete=models.DO_NOTHING,
        help_text=_("The course this mode belongs to."),
    )
    mode_slug = models.CharField(max_length=100, verbose_name=_("Mode"))
    mode_display_name = models.CharField(max_length=255, verbose_name=_("Display Name"))
    min_price = models.IntegerField(default=0, verbose_name=_("Price"), help_text=_("Whole currency units."))
    currency = models.CharField(default="usd", max_length=8, help_text=_("Lower-case ISO 4217 code."))
    _expiration_datetime = models.DateTimeField(
        default=None,
        null=True,
        blank=True,
        db_column="expiration_datetime",
        verbose_name=_("Upgrade Deadline"),
        help_text=_("After this time learners can no longer choose this mode."),
    )
    expiration_datetime_is_explicit = models.BooleanField(default=False)
    suggested_prices = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(null=True, blank=True)
    sku = models.CharField(max_length=255, null=True, blank=True, verbose_name="SKU")
    android_sku = models.CharField(max_length=255, null=True, blank=True)
    ios_sku = models.CharField(max_length=255, null=True, blank=True)
    bulk_sku = models.CharField(max_length=255, null=True, blank=True)

    HONOR = "honor"
    PROFESSIONAL = "professional"
    VERIFIED = "verified"
    AUDIT = "audit"
    NO_ID_PROFESSIONAL_MODE = "no-id-professional"
    CREDIT_MODE = "credit"
    MASTERS = "masters"
    EXECUTIVE_EDUCATION = "executive-education"
    PAID_EXECUTIVE_EDUCATION = "paid-executive-education"
    UNPAID_EXECUTIVE_EDUCATION = "unpaid-executive-education"
    PAID_BOOTCAMP = "paid-bootcamp"
    UNPAID_BOOTCAMP = "unpaid-bootcamp"

    DEFAULT_MODE = Mode(AUDIT, _("Audit"), 0, "", "usd", None, None, None, None, None, None)
    DEFAULT_MODE_SLUG = AUDIT

    AUDIT_MODES = [AUDIT, HONOR, UNPAID_EXECUTIVE_EDUCATION, UNPAID_BOOTCAMP]
    VERIFIED_MODES = [
        VERIFIED,
        PROFESSIONAL,
        MASTERS,
        EXECUTIVE_EDUCATION,
        PAID_EXECUTIVE_EDUCATION,
        PAID_BOOTCAMP,
    ]
    PROFESSIONAL_MODES = [PROFESSIONAL, NO_ID_PROFESSIONAL_MODE]
    CREDIT_MODES = [CREDIT_MODE]
    UPSELL_TO_VERIFIED_MODES = [HONOR, AUDIT]

    class Meta:
        app_label = "course_modes"
        unique_together = ("course", "mode_slug", "currency")
        verbose_name = _("course mode")

    def __str__(self) -> str:
        return f"{self.course_id} : {self.mode_slug}, min={self.min_price}"

    # Django sets ``course_id`` from the database; like the platform, turn it into a CourseKey.
    @property  # type: ignore[no-redef]
    def course_id(self) -> CourseKey:
        return self._course_id

    @course_id.setter
    def course_id(self, value) -> None:
        self._course_id = CourseKey.from_string(value) if isinstance(value, str) else value

    @property
    def expiration_datetime(self) -> datetime | None:
        return self._expiration_datetime

    @expiration_datetime.setter
    def expiration_datetime(self, value: datetime | None) -> None:
        self.expiration_datetime_is_explicit = True
        self._expiration_datetime = value

    @property
    def slug(self) -> str:
        return self.mode_slug

    @property
    def is_expired(self) -> bool:
        return self._expiration_datetime is not None and self._expiration_datetime < timezone.now()

    def to_tuple(self) -> Mode:
        return Mode(
            self.mode_slug,
            self.mode_display_name,
            self.min_price,
            self.suggested_prices,
            self.currency,
            self.expiration_datetime,
            self.description,
            self.sku,
            self.android_sku,
            self.ios_sku,
            self.bulk_sku,
        )

    @classmethod
    def modes_for_course(
        cls,
        course_id: CourseKey | None = None,
        include_expired: bool = False,
        only_selectable: bool = True,
        course: CourseOverview | None = None,
        exclude_credit: bool = True,
    ) -> list[Mode]:
        """The modes learners can choose in a course, as ``Mode`` tuples.

        Like the platform: expired modes are left out unless ``include_expired``; the credit mode
        is left out when ``only_selectable``; a course with no mode gets ``DEFAULT_MODE``.
        """
        if course is not None:
            course_id = course.id
        found = cls.objects.filter(course_id=course_id)
        if not include_expired:
            found = found.exclude(_expiration_datetime__lt=timezone.now())
        if only_selectable and exclude_credit:
            found = found.exclude(mode_slug__in=cls.CREDIT_MODES)
        modes = [mode.to_tuple() for mode in found.order_by("min_price", "id")]
        return modes or [cls.DEFAULT_MODE]

    @classmethod
    def modes_for_course_dict(cls, course_id: CourseKey | None = None, **kwargs) -> dict[str, Mode]:
        return {mode.slug: mode for mode in cls.modes_for_course(course_id, **kwargs)}

    @classmethod
    def mode_for_course(
        cls, course_id: CourseKey, mode_slug: str, modes: list[Mode] | None = None
    ) -> Mode | None:
        modes = modes if modes is not None else cls.modes_for_course(course_id)
        return next((mode for mode in modes if mode.slug == mode_slug), None)

    @classmethod
    def has_payment_options(cls, course_id: CourseKey) -> bool:
        return any(mode.min_price > 0 for mode in cls.modes_for_course(course_id))

    @classmethod
    def is_verified_slug(cls, mode_slug: str) -> bool:
        return mode_slug in cls.VERIFIED_MODES

    @classmethod
    def is_eligible_for_certificate(cls, mode_slug: str) -> bool:
        return mode_slug != cls.AUDIT

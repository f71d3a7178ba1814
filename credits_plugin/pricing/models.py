"""Prices of course modes in credits.

A mode's price in credits is, in order: an explicit price for the (course, mode); else the
price of the tier the course is in; else the mode's own price in its currency converted with
the credit value of that currency. Amounts are integers in hundredths of a credit.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from opaque_keys.edx.django.models import CourseKeyField
from simple_history.models import HistoricalRecords

from credits_plugin.money import format_credits, plural_count


class CurrencyValue(models.Model):
    """How many credits one whole unit of a currency is worth (1 USD = 1 credit: 100).

    .. no_pii:
    """

    currency = models.CharField(
        max_length=8,
        unique=True,
        help_text=_("Lower-case ISO 4217 code as course modes store it, e.g. 'usd'."),
    )
    credits_per_unit = models.PositiveBigIntegerField(
        help_text=_("Credits, in hundredths, that one whole unit of the currency is worth (100 = 1 credit).")
    )
    history = HistoricalRecords(table_name="credits_plugin_historicalcurrencyvalue")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_currencyvalue"
        verbose_name = _("credit value of a currency")
        verbose_name_plural = _("credit values of currencies")
        constraints = [
            models.CheckConstraint(
                condition=Q(credits_per_unit__gt=0), name="credits_currency_value_positive"
            )
        ]

    def __str__(self) -> str:
        return ngettext(
            "1 {currency} = {amount} credit",
            "1 {currency} = {amount} credits",
            plural_count(self.credits_per_unit),
        ).format(currency=self.currency.upper(), amount=format_credits(self.credits_per_unit))


class PriceTier(models.Model):
    """A named price (bronze, silver, gold) that operators assign to courses.

    .. no_pii:
    """

    name = models.CharField(max_length=64, unique=True, help_text=_("Name shown to operators, e.g. 'Gold'."))
    price = models.PositiveBigIntegerField(help_text=_("Price in hundredths of a credit."))
    history = HistoricalRecords(table_name="credits_plugin_historicalpricetier")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_pricetier"
        verbose_name = _("price tier")
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="credits_tier_price_positive")]

    def __str__(self) -> str:
        return ngettext(
            "{name} ({amount} credit)", "{name} ({amount} credits)", plural_count(self.price)
        ).format(name=self.name, amount=format_credits(self.price))


class CourseTier(models.Model):
    """The tier a course's paid modes are priced at.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, unique=True, help_text=_("The course run."))
    tier = models.ForeignKey(PriceTier, on_delete=models.PROTECT, related_name="courses")
    history = HistoricalRecords(table_name="credits_plugin_historicalcoursetier")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_coursetier"
        verbose_name = _("course tier")

    def __str__(self) -> str:
        return f"{self.course_key}: {self.tier.name}"


class ModePrice(models.Model):
    """An explicit price in credits for one paid mode of one course.

    .. no_pii:
    """

    course_key = CourseKeyField(max_length=255, help_text=_("The course run."))
    mode_slug = models.CharField(max_length=100, help_text=_("The course mode, e.g. 'verified'."))
    price = models.PositiveBigIntegerField(help_text=_("Price in hundredths of a credit."))
    credits_only = models.BooleanField(
        default=False,
        help_text=_(
            "Learners can enter this mode only by paying with credits; other enrolment paths are blocked."
        ),
    )
    history = HistoricalRecords(table_name="credits_plugin_historicalmodeprice")

    class Meta:
        app_label = "credits_plugin"
        db_table = "credits_plugin_modeprice"
        verbose_name = _("mode price in credits")
        verbose_name_plural = _("mode prices in credits")
        constraints = [
            models.UniqueConstraint(fields=["course_key", "mode_slug"], name="credits_mode_price_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="credits_mode_price_positive"),
        ]

    def __str__(self) -> str:
        return ngettext(
            "{course} {mode}: {amount} credit", "{course} {mode}: {amount} credits", plural_count(self.price)
        ).format(course=self.course_key, mode=self.mode_slug, amount=format_credits(self.price))

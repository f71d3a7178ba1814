"""Operator admin for prices in credits, tiers and currency values."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from credits_plugin.emails import credits
from credits_plugin.history_admin import HistoryAdmin
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier


@admin.register(CurrencyValue)
class CurrencyValueAdmin(HistoryAdmin):
    list_display = ("currency", "credits_per_unit", "__str__")
    search_fields = ("currency",)


@admin.register(PriceTier)
class PriceTierAdmin(HistoryAdmin):
    list_display = ("name", "price_credits")
    search_fields = ("name",)

    @admin.display(description=_("price (credits)"))
    def price_credits(self, obj):
        return credits(obj.price)


@admin.register(CourseTier)
class CourseTierAdmin(HistoryAdmin):
    list_display = ("course_key", "tier")
    list_filter = ("tier",)
    search_fields = ("course_key",)
    list_select_related = ("tier",)


@admin.register(ModePrice)
class ModePriceAdmin(HistoryAdmin):
    list_display = ("course_key", "mode_slug", "price_credits", "credits_only")
    list_filter = ("mode_slug", "credits_only")
    search_fields = ("course_key",)

    @admin.display(description=_("price (credits)"))
    def price_credits(self, obj):
        return credits(obj.price)

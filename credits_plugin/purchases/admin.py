"""Operator admin for purchases (read-only: the ledger is the record of money)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from credits_plugin.money import format_credits
from credits_plugin.purchases.models import Purchase


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "user",
        "course_key",
        "mode_slug",
        "price",
        "status",
        "completed_at",
        "refunded_at",
    )
    list_filter = ("status", "mode_slug", "created")
    search_fields = ("user__username", "user__email", "course_key", "idempotency_key")
    date_hierarchy = "created"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in Purchase._meta.fields]

    @admin.display(description=_("price (credits)"))
    def price(self, obj):
        return format_credits(obj.amount)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

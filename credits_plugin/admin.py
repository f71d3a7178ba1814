"""Operator admin for the ledger. History is append-only, so transfers, entries and holds are
read-only here: a mistake is corrected by a reversing transfer, never by an edit."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer, Unit
from credits_plugin.money import format_credits


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows rows; nobody adds, changes or deletes them through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "exponent")
    search_fields = ("code", "name")

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Shows the rows of a ledger record; nobody adds, changes or deletes them here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class LotInline(ReadOnlyInline):
    model = Lot
    fields = ("source", "amount", "remaining", "expires_at", "created")
    show_change_link = True


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "holder",
        "kind",
        "unit",
        "shard",
        "balance",
        "held",
        "available",
        "overdraft_limit",
        "is_active",
    )
    list_filter = ("kind", "unit", "is_active")
    search_fields = ("holder", "user__username", "user__email")
    readonly_fields = (
        "kind",
        "holder",
        "unit",
        "shard",
        "user",
        "balance",
        "held",
        "overdraft_limit",
        "is_active",
        "created",
    )
    list_select_related = ("user",)
    inlines = [LotInline]

    @admin.display(description=_("available"))
    def available(self, obj):
        return format_credits(obj.available)

    def get_urls(self):
        from credits_plugin.wallets.admin import set_balance_view

        return [
            path(
                "<int:account_id>/set-balance/",
                self.admin_site.admin_view(
                    lambda request, account_id: set_balance_view(self, request, account_id)
                ),
                name="credits_plugin_account_set_balance",
            ),
            *super().get_urls(),
        ]


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "lot", "amount")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created",
        "kind",
        "amount",
        "unit",
        "debit_account",
        "credit_account",
        "actor",
        "reference",
    )
    list_filter = ("kind", "unit", "created")
    search_fields = ("idempotency_key", "reference", "reason", "batch", "actor__username")
    date_hierarchy = "created"
    list_select_related = ("debit_account", "credit_account", "actor")
    readonly_fields = (
        "idempotency_key",
        "kind",
        "unit",
        "amount",
        "debit_account",
        "credit_account",
        "hold",
        "reverses",
        "actor",
        "reason",
        "reference",
        "batch",
        "created",
    )
    inlines = [EntryInline]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created",
        "status",
        "amount",
        "unit",
        "debit_account",
        "reference",
        "expires_at",
        "resolved_at",
    )
    list_filter = ("status", "unit")
    search_fields = ("idempotency_key", "reference")
    list_select_related = ("debit_account",)
    readonly_fields = (
        "idempotency_key",
        "kind",
        "unit",
        "amount",
        "debit_account",
        "credit_account",
        "status",
        "allocations",
        "expires_at",
        "resolved_at",
        "actor",
        "reason",
        "reference",
        "created",
    )


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "source", "amount", "remaining", "expires_at", "created")
    list_filter = ("source",)
    search_fields = ("account__holder",)
    list_select_related = ("account",)
    readonly_fields = (
        "account",
        "source",
        "amount",
        "remaining",
        "expired_amount",
        "expires_at",
        "transfer",
        "created",
    )


# Each domain registers its own admin pages.
from credits_plugin.awards import admin as _awards_admin  # noqa: E402, F401
from credits_plugin.pricing import admin as _pricing_admin  # noqa: E402, F401
from credits_plugin.purchases import admin as _purchases_admin  # noqa: E402, F401
from credits_plugin.wallets import admin as _wallets_admin  # noqa: E402, F401

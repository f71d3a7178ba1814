"""Operator admin for wallets: groups, organisations, bulk give/reset and balance edits."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from credits_plugin import exceptions
from credits_plugin.emails import credits
from credits_plugin.ledger.models import Account
from credits_plugin.wallets import services
from credits_plugin.wallets.models import (
    CreditGroup,
    EarningRule,
    GrantBatch,
    Organisation,
    OrganisationMember,
)


def parse_credits(value) -> int:
    """'12.5' credits -> 1250 hundredths, exactly; more than two decimals is refused."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise forms.ValidationError(_("Enter an amount of credits such as 10 or 12.50.")) from exc
    hundredths = amount * 100
    if hundredths != hundredths.to_integral_value() or not amount.is_finite():
        raise forms.ValidationError(_("Credits have at most two decimals."))
    return int(hundredths)


class CreditsField(forms.CharField):
    """A form field for an amount of credits, cleaned to hundredths."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def clean(self, value):
        amount = parse_credits(super().clean(value))
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return amount


# --- Groups -------------------------------------------------------------------------------


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("One username or email per line (first column)."),
    )


def parse_member_csv(data: bytes) -> tuple[list, list[str]]:
    """Users found in a CSV of usernames or emails, and a message per row that matched nobody."""
    User = get_user_model()  # noqa: N806
    found, errors = [], []
    text = data.decode("utf-8-sig", errors="replace")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        value = (row[0] if row else "").strip()
        if not value or (number == 1 and value.lower() in {"username", "email", "user"}):
            continue
        user = User.objects.filter(Q(username=value) | Q(email__iexact=value)).first()
        if user is None:
            errors.append(_("Row {row}: no user '{value}'.").format(row=number, value=value))
        else:
            found.append(user)
    return found, errors


@admin.register(CreditGroup)
class CreditGroupAdmin(SimpleHistoryAdmin):
    list_display = ("name", "member_count", "created")
    search_fields = ("name", "members__username", "members__email")
    filter_horizontal = ("members",)

    @admin.display(description=gettext_lazy("members"))
    def member_count(self, obj):
        return obj.members.count()

    def get_urls(self):
        return [
            path(
                "<int:group_id>/import/",
                self.admin_site.admin_view(self.import_members),
                name="credits_plugin_creditgroup_import",
            ),
            *super().get_urls(),
        ]

    def import_members(self, request, group_id):
        """Add members from a CSV: a preview of what changes, then a confirmation."""
        group = get_object_or_404(CreditGroup, pk=group_id)
        if not self.has_change_permission(request, group):
            return HttpResponseRedirect(reverse("admin:index"))
        context = {**self.admin_site.each_context(request), "group": group, "opts": self.model._meta}
        if request.method == "POST" and "confirm" in request.POST:
            ids = [int(i) for i in request.POST.getlist("user_ids") if i.isdigit()]
            group.members.add(*get_user_model().objects.filter(pk__in=ids))
            self.message_user(request, _("{count} member(s) added.").format(count=len(ids)), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:credits_plugin_creditgroup_change", args=[group.pk]))
        form = MemberImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            users, errors = parse_member_csv(form.cleaned_data["file"].read())
            existing = set(group.members.values_list("pk", flat=True))
            context.update(
                new=[u for u in users if u.pk not in existing],
                already=[u for u in users if u.pk in existing],
                errors=errors,
            )
            return TemplateResponse(request, "admin/credits_plugin/group_import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/credits_plugin/group_import.html", context)


# --- Organisations ------------------------------------------------------------------------


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("key", "name", "credits_enabled", "members_can_spend", "cap", "wallet_balance")
    list_filter = ("credits_enabled", "members_can_spend")
    search_fields = ("key", "name")
    inlines = [OrganisationMemberInline]

    @admin.display(description=gettext_lazy("member spending cap"))
    def cap(self, obj):
        return "" if obj.member_spending_cap is None else credits(obj.member_spending_cap)

    @admin.display(description=gettext_lazy("wallet balance"))
    def wallet_balance(self, obj):
        account = Account.objects.filter(holder=f"org:{obj.key}").first()
        return credits(account.balance - account.held) if account else credits(0)


# --- Bulk give / reset ----------------------------------------------------------------------


class BatchForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=GrantBatch.Action.choices)
    target = forms.ChoiceField(label=gettext_lazy("Who"), choices=GrantBatch.Target.choices)
    target_value = forms.CharField(
        label=gettext_lazy("Group, organisation or user"),
        required=False,
        help_text=gettext_lazy(
            "Group name, organisation key, or username/email; empty for all active users."
        ),
    )
    amount = CreditsField(
        label=gettext_lazy("Credits"),
        allow_zero=True,
        help_text=gettext_lazy("Given to each user, or the balance a reset sets (0 empties wallets)."),
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"), required=False, help_text=gettext_lazy("Optional, for credits given.")
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("action") == GrantBatch.Action.GRANT and data.get("amount") == 0:
            self.add_error("amount", _("Enter an amount greater than zero."))
        if data.get("target") != GrantBatch.Target.ALL and not data.get("target_value"):
            self.add_error("target_value", _("Say which group, organisation or user."))
        return data


@admin.register(GrantBatch)
class GrantBatchAdmin(admin.ModelAdmin):
    list_display = (
        "created",
        "action",
        "target",
        "target_value",
        "amount_credits",
        "status",
        "progress",
        "actor",
    )
    list_filter = ("action", "target", "status")
    search_fields = ("comment", "target_value", "actor__username")
    readonly_fields = [f.name for f in GrantBatch._meta.fields]
    actions = ["undo_batches"]

    @admin.display(description=gettext_lazy("credits"))
    def amount_credits(self, obj):
        return credits(obj.amount)

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj):
        return f"{obj.done_users}/{obj.total_users}"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Give or reset credits: the form, then a preview to confirm, then the queued batch."""
        form = BatchForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                preview = services.preview(
                    action=data["action"],
                    target=data["target"],
                    target_value=data["target_value"],
                    amount=data["amount"],
                )
                if "confirm" in request.POST:
                    batch = services.start_batch(
                        action=data["action"],
                        target=data["target"],
                        target_value=data["target_value"],
                        amount=data["amount"],
                        comment=data["comment"],
                        actor=request.user,
                        expires_at=data["expires_at"],
                    )
                    self.message_user(
                        request,
                        _("The operation was queued for {count} user(s).").format(count=batch.total_users),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:credits_plugin_grantbatch_change", args=[batch.pk])
                    )
            except exceptions.CreditsError as exc:
                form.add_error(None, exc.message)
            else:
                context.update(preview=preview, total=credits(preview.total), amount=credits(data["amount"]))
        return TemplateResponse(request, "admin/credits_plugin/batch_form.html", context)

    @admin.action(description=gettext_lazy("Undo: reverse every transfer of the selected operations"))
    def undo_batches(self, request, queryset):
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/credits_plugin/batch_undo_confirm.html",
                {**self.admin_site.each_context(request), "opts": self.model._meta, "batches": queryset},
            )
        for batch in queryset:
            reversed_count, problems = services.undo_batch(batch_id=batch.pk, actor=request.user)
            level = messages.WARNING if problems else messages.SUCCESS
            text = _("{batch}: {count} transfer(s) reversed.").format(batch=batch, count=reversed_count)
            if problems:
                text += " " + _("Not reversed: {problems}").format(problems="; ".join(problems[:10]))
            self.message_user(request, text, level)
        return None


# --- Editing one balance ----------------------------------------------------------------------


class SetBalanceForm(forms.Form):
    balance = CreditsField(label=gettext_lazy("New balance"), allow_zero=True)
    comment = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


def set_balance_view(model_admin: admin.ModelAdmin, request, account_id: int):
    """Set a user wallet's balance to N: confirmed, then recorded as an adjustment with the comment."""
    account = get_object_or_404(Account, pk=account_id, kind="user_wallet")
    form = SetBalanceForm(request.POST or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Account._meta,
        "account": account,
        "form": form,
        "current": credits(account.balance - account.held),
    }
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["balance"]
        if "confirm" in request.POST:
            try:
                services.set_balance(
                    user=account.user,
                    amount=new,
                    comment=form.cleaned_data["comment"],
                    actor=request.user,
                    # The form's key is namespaced by the operator, so that a key posted by
                    # hand can never replay or block a transfer the plugin or anyone else made.
                    idempotency_key=f"admin-adjust:{request.user.pk}:"
                    + (request.POST.get("key") or f"{account.pk}:{new}"),
                )
            except exceptions.CreditsError as exc:
                form.add_error(None, exc.message)
            else:
                model_admin.message_user(request, _("Balance set to {amount}.").format(amount=credits(new)))
                return HttpResponseRedirect(reverse("admin:credits_plugin_account_change", args=[account.pk]))
        import uuid

        context.update(confirming=True, new=credits(new), key=str(uuid.uuid4()))
    return TemplateResponse(request, "admin/credits_plugin/set_balance.html", context)


@admin.register(EarningRule)
class EarningRuleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "trigger", "course_key", "amount_credits", "expires_after_days", "active")
    list_filter = ("trigger", "active")
    search_fields = ("name", "course_key")

    @admin.display(description=gettext_lazy("credits"))
    def amount_credits(self, obj):
        return credits(obj.amount)

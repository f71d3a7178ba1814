"""Operator admin for wallets: groups, organisations, bulk give/reset and balance edits."""

from __future__ import annotations

import csv
import io
import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credits_plugin import api, exceptions, permissions
from credits_plugin.history_admin import HistoryAdmin
from credits_plugin.ledger.models import Account
from credits_plugin.money import (
    CreditsFormField,
    HundredthsFormField,
    format_credits,
    parse_ascii_int,
    range_message,
)
from credits_plugin.wallets.models import (
    CreditGroup,
    EarningRule,
    GrantBatch,
    Organisation,
    OrganisationMember,
)


class CreditsField(CreditsFormField):
    """Credits typed as people write them (``12.50``), cleaned to hundredths (the plugin's one
    amount parser, with the ledger's range)."""


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
class CreditGroupAdmin(HistoryAdmin):
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
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "group": group, "opts": self.model._meta}
        if request.method == "POST" and "confirm" in request.POST:
            ids = [i for i in map(parse_ascii_int, request.POST.getlist("user_ids")) if i is not None]
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
class OrganisationAdmin(HistoryAdmin):
    list_display = ("key", "name", "credits_enabled", "members_can_spend", "cap", "wallet_balance")
    list_filter = ("credits_enabled", "members_can_spend")
    search_fields = ("key", "name")
    inlines = [OrganisationMemberInline]

    @admin.display(description=gettext_lazy("member spending cap"))
    def cap(self, obj):
        return "" if obj.member_spending_cap is None else format_credits(obj.member_spending_cap)

    @admin.display(description=gettext_lazy("wallet balance"))
    def wallet_balance(self, obj):
        return format_credits(api.organisation_available(obj.key))


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
            self.add_error("amount", range_message())
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
    readonly_fields = [
        f.name for f in GrantBatch._meta.fields if f.name not in {"worker", "request_hash", "undo_cursor"}
    ]
    actions = ["undo_batches", "resume_batches"]

    @admin.display(description=gettext_lazy("credits"))
    def amount_credits(self, obj):
        return format_credits(obj.amount)

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj):
        if obj.undo_started is not None:
            return _("{done}/{total} users; undo {undone}/{to_undo}").format(
                done=obj.done_users, total=obj.total_users, undone=obj.undo_done, to_undo=obj.undo_total
            )
        return f"{obj.done_users}/{obj.total_users}"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        """Giving or resetting credits needs credits_plugin.give_credits (not add_grantbatch)."""
        return permissions.allowed(request.user, permissions.GIVE_CREDITS)

    def has_view_permission(self, request, obj=None):
        """Who may start or undo an operation may also follow it."""
        return super().has_view_permission(request, obj) or any(
            permissions.allowed(request.user, name)
            for name in (permissions.GIVE_CREDITS, permissions.UNDO_BATCH)
        )

    def has_undo_batch_permission(self, request):
        return permissions.allowed(request.user, permissions.UNDO_BATCH)

    def add_view(self, request, form_url="", extra_context=None):
        """Give or reset credits: the form, then a preview to confirm, then the queued batch."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BatchForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                preview = api.preview_batch(
                    action=data["action"],
                    target=data["target"],
                    target_value=data["target_value"],
                    amount=data["amount"],
                )
                if "confirm" in request.POST:
                    # The key was made when the preview was shown: a second submission of the
                    # same confirmation (double click, reload, back and submit) is a replay.
                    key = request.POST.get("idempotency_key", "").strip()
                    if not key:
                        raise exceptions.InvalidIdempotencyKey(
                            _("This confirmation has expired. Check the preview and confirm again.")
                        )
                    batch = api.start_batch(
                        action=data["action"],
                        target=data["target"],
                        target_value=data["target_value"],
                        amount=data["amount"],
                        comment=data["comment"],
                        actor=request.user,
                        expires_at=data["expires_at"],
                        idempotency_key=key,
                    )
                    if batch.replayed:
                        self.message_user(
                            request,
                            _("This operation was already submitted; nothing was started again."),
                            messages.WARNING,
                        )
                    else:
                        self.message_user(
                            request,
                            _("The operation was queued for {count} user(s).").format(
                                count=batch.total_users
                            ),
                            messages.SUCCESS,
                        )
                    return HttpResponseRedirect(
                        reverse("admin:credits_plugin_grantbatch_change", args=[batch.pk])
                    )
            except exceptions.CreditsError as exc:
                form.add_error(None, exc.message)
            else:
                context.update(
                    preview=preview,
                    total=format_credits(preview.total),
                    amount=format_credits(data["amount"]),
                    idempotency_key=f"admin:{uuid.uuid4()}",
                )
        return TemplateResponse(request, "admin/credits_plugin/batch_form.html", context)

    @admin.action(
        description=gettext_lazy("Undo: reverse every transfer of the selected operations"),
        permissions=["undo_batch"],
    )
    def undo_batches(self, request, queryset):
        if not self.has_undo_batch_permission(request):
            raise PermissionDenied
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/credits_plugin/batch_undo_confirm.html",
                {**self.admin_site.each_context(request), "opts": self.model._meta, "batches": queryset},
            )
        for batch in queryset:
            already = batch.status in (GrantBatch.Status.UNDOING, GrantBatch.Status.UNDONE)
            try:
                batch = api.undo_batch(batch_id=batch.pk, actor=request.user)
            except exceptions.CreditsError as exc:
                self.message_user(request, f"{batch}: {exc.message}", messages.ERROR)
                continue
            if already:
                text = _("{batch}: already undone or being undone; nothing changed.").format(batch=batch)
                self.message_user(request, text, messages.INFO)
            else:
                text = _("{batch}: undo queued; its progress shows on the operation's page.").format(
                    batch=batch
                )
                self.message_user(request, text, messages.SUCCESS)
        return None

    def has_give_credits_permission(self, request):
        return permissions.allowed(request.user, permissions.GIVE_CREDITS)

    @admin.action(
        description=gettext_lazy("Resume the selected operations that failed or got stuck"),
        permissions=["give_credits"],
    )
    def resume_batches(self, request, queryset):
        from credits_plugin.wallets.tasks import resume_batch_task

        if not self.has_give_credits_permission(request):
            raise PermissionDenied

        for batch in queryset:
            if api.batch_is_stuck(batch):
                resume_batch_task.delay(str(batch.pk))
                text = _("{batch}: resumption queued.").format(batch=batch)
                self.message_user(request, text, messages.SUCCESS)
            else:
                text = _(
                    "{batch}: not stuck ({status}); only failed operations, and those without "
                    "progress for {seconds} seconds, are resumed."
                ).format(batch=batch, status=batch.get_status_display(), seconds=api.default_stale_after())
                self.message_user(request, text, messages.WARNING)
        return None


# --- Editing one balance ----------------------------------------------------------------------


class SetBalanceForm(forms.Form):
    balance = CreditsField(label=gettext_lazy("New balance"), allow_zero=True)
    comment = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


def set_balance_view(model_admin: admin.ModelAdmin, request, account_id: int):
    """Set a user wallet's balance to N: confirmed, then recorded as an adjustment with the comment.

    Needs credits_plugin.give_credits."""
    if not permissions.allowed(request.user, permissions.GIVE_CREDITS):
        raise PermissionDenied
    account = get_object_or_404(Account, pk=account_id, kind="user_wallet")
    form = SetBalanceForm(request.POST or None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Account._meta,
        "account": account,
        "form": form,
        "current": format_credits(account.balance - account.held),
    }
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["balance"]
        if "confirm" in request.POST:
            try:
                api.set_balance(
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
                model_admin.message_user(
                    request, _("Balance set to {amount}.").format(amount=format_credits(new))
                )
                return HttpResponseRedirect(reverse("admin:credits_plugin_account_change", args=[account.pk]))
        context.update(confirming=True, new=format_credits(new), key=str(uuid.uuid4()))
    return TemplateResponse(request, "admin/credits_plugin/set_balance.html", context)


class EarningRuleForm(forms.ModelForm):
    amount = HundredthsFormField(
        label=gettext_lazy("Amount"), help_text=gettext_lazy("Credits given, in hundredths (1250 = 12.50).")
    )

    class Meta:
        model = EarningRule
        fields = ["name", "trigger", "course_key", "amount", "expires_after_days", "active"]


@admin.register(EarningRule)
class EarningRuleAdmin(HistoryAdmin):
    form = EarningRuleForm
    list_display = ("name", "trigger", "course_key", "amount_credits", "expires_after_days", "active")
    list_filter = ("trigger", "active")
    search_fields = ("name", "course_key")

    @admin.display(description=gettext_lazy("credits"))
    def amount_credits(self, obj):
        return format_credits(obj.amount)

"""Operator admin for awarded credits: types, credits, the credits of courses and the awards."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from credits_plugin import api, exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType, LearnerLicence
from credits_plugin.history_admin import HistoryAdmin
from credits_plugin.money import HundredthsFormField, format_credits


class _ServiceRulesForm(forms.ModelForm):
    """Runs the rules of the services (reference numbers, one credit per type) in the admin."""

    def clean(self):
        data = super().clean() or {}
        try:
            self.check_rules(data)
        except exceptions.CreditsError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return data

    def check_rules(self, data: dict) -> None:
        raise NotImplementedError


class CreditTypeForm(_ServiceRulesForm):
    class Meta:
        model = CreditType
        fields = ["name", "description", "reference_required", "allow_multiple_per_course"]

    def check_rules(self, data):
        if not self.instance.pk:
            return
        api.check_credit_type_change(
            self.instance,
            reference_required=data.get("reference_required"),
            allow_multiple_per_course=data.get("allow_multiple_per_course"),
        )


class CreditForm(_ServiceRulesForm):
    class Meta:
        model = Credit
        fields = ["type", "name", "unit_label", "reference_number", "accrediting_body", "active"]

    def check_rules(self, data):
        credit_type = data.get("type")
        if credit_type is not None:
            api.check_reference_number(credit_type=credit_type, reference_number=data.get("reference_number"))


class CourseCreditForm(_ServiceRulesForm):
    amount = HundredthsFormField(
        label=_("Amount"), help_text=_("Amount in hundredths of the credit's unit (1.5 = 150).")
    )

    class Meta:
        model = CourseCredit
        fields = ["course_id", "credit", "amount"]

    def check_rules(self, data):
        course_id, credit, amount = data.get("course_id"), data.get("credit"), data.get("amount")
        if amount is not None:
            api.validate_amount(amount)
        if not course_id:
            return
        if credit is None:
            data["course_id"] = str(api.require_course(course_id))
            return
        data["course_id"] = api.check_course_credit(
            course_id=course_id, credit=credit, course_credit_id=self.instance.pk
        )


@admin.register(CreditType)
class CreditTypeAdmin(HistoryAdmin):
    form = CreditTypeForm
    list_display = ("name", "reference_required", "allow_multiple_per_course")
    list_filter = ("reference_required", "allow_multiple_per_course")
    search_fields = ("name", "description")


@admin.register(Credit)
class CreditAdmin(HistoryAdmin):
    form = CreditForm
    list_display = ("name", "type", "unit_label", "reference_number", "accrediting_body", "active")
    list_filter = ("type", "active", "accrediting_body")
    search_fields = ("name", "reference_number", "accrediting_body", "type__name")
    list_select_related = ("type",)


@admin.register(CourseCredit)
class CourseCreditAdmin(HistoryAdmin):
    form = CourseCreditForm
    list_display = ("course_id", "credit", "amount_display")
    list_filter = ("credit__type", "credit")
    search_fields = ("course_id", "credit__name", "credit__type__name")
    list_select_related = ("credit__type",)

    @admin.display(description=_("amount"))
    def amount_display(self, obj):
        return f"{format_credits(obj.amount)} {obj.credit.unit_label}"


@admin.register(AwardedCredit)
class AwardedCreditAdmin(HistoryAdmin):
    list_display = ("user", "course_id", "type_name", "credit_name", "amount_display", "status", "issued_at")
    list_filter = ("status", "type_name", "issued_at")
    search_fields = ("user__username", "user__email", "course_id", "credit_name", "reference_number")
    date_hierarchy = "issued_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in AwardedCredit._meta.fields]

    @admin.display(description=_("amount"))
    def amount_display(self, obj):
        return f"{format_credits(obj.amount)} {obj.unit_label}"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LearnerLicence)
class LearnerLicenceAdmin(HistoryAdmin):
    list_display = ("user", "accrediting_body", "licence_number")
    list_filter = ("accrediting_body",)
    search_fields = ("user__username", "user__email", "accrediting_body", "licence_number")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)

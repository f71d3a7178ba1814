"""Operator admin for prices in credits, tiers and currency values."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.keys import CourseKey

from credits_plugin import api
from credits_plugin.exceptions import InvalidCourseKey, UnknownCourse, UnknownMode
from credits_plugin.history_admin import HistoryAdmin
from credits_plugin.money import HundredthsFormField, format_credits
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier


def clean_course_key(value) -> CourseKey:
    """The key of an existing course run, as the platform knows it; a form error otherwise."""
    try:
        return api.require_course(value if isinstance(value, CourseKey) else str(value or "").strip())
    except InvalidCourseKey:
        raise forms.ValidationError(
            _("This is not a valid course key. Course run keys look like course-v1:Org+Course+Run."),
            code="invalid_course_key",
        ) from None
    except UnknownCourse as exc:
        raise forms.ValidationError(
            _("There is no course {course_key}.").format(course_key=exc.details["course_id"]),
            code="unknown_course",
        ) from None


def _price_field() -> HundredthsFormField:
    return HundredthsFormField(
        label=_("Price"), help_text=_("Price in hundredths of a credit (1250 = 12.50).")
    )


class CurrencyValueForm(forms.ModelForm):
    credits_per_unit = HundredthsFormField(
        label=_("Credits per unit"),
        help_text=_("Credits, in hundredths, that one whole unit of the currency is worth (100 = 1 credit)."),
    )

    class Meta:
        model = CurrencyValue
        fields = ["currency", "credits_per_unit"]


class PriceTierForm(forms.ModelForm):
    price = _price_field()

    class Meta:
        model = PriceTier
        fields = ["name", "price"]


class CourseTierForm(forms.ModelForm):
    class Meta:
        model = CourseTier
        fields = ["course_key", "tier"]

    def clean_course_key(self):
        return clean_course_key(self.cleaned_data.get("course_key"))


class ModePriceForm(forms.ModelForm):
    price = _price_field()

    class Meta:
        model = ModePrice
        fields = ["course_key", "mode_slug", "price", "credits_only"]

    def clean_course_key(self):
        return clean_course_key(self.cleaned_data.get("course_key"))

    def clean(self):
        data = super().clean() or {}
        course_key, mode_slug = data.get("course_key"), (data.get("mode_slug") or "").strip()
        if course_key is None or not mode_slug:
            return data
        try:
            api.check_mode_for_sale(course_key=course_key, mode_slug=mode_slug)
        except api.ModeNotForSale:
            self.add_error(
                "mode_slug", _("The mode {mode} cannot be bought with credits.").format(mode=mode_slug)
            )
            return data
        except UnknownMode as exc:
            self.add_error(
                "mode_slug",
                _("The course has no mode {mode}. Its modes: {modes}.").format(
                    mode=mode_slug, modes=", ".join(exc.details["modes"]) or _("none")
                ),
            )
        data["mode_slug"] = mode_slug
        return data


@admin.register(CurrencyValue)
class CurrencyValueAdmin(HistoryAdmin):
    form = CurrencyValueForm
    list_display = ("currency", "credits_per_unit", "__str__")
    search_fields = ("currency",)


@admin.register(PriceTier)
class PriceTierAdmin(HistoryAdmin):
    form = PriceTierForm
    list_display = ("name", "price_credits")
    search_fields = ("name",)

    @admin.display(description=_("price (credits)"))
    def price_credits(self, obj):
        return format_credits(obj.price)


@admin.register(CourseTier)
class CourseTierAdmin(HistoryAdmin):
    form = CourseTierForm
    list_display = ("course_key", "tier")
    list_filter = ("tier",)
    search_fields = ("course_key",)
    list_select_related = ("tier",)


@admin.register(ModePrice)
class ModePriceAdmin(HistoryAdmin):
    form = ModePriceForm
    list_display = ("course_key", "mode_slug", "price_credits", "credits_only")
    list_filter = ("mode_slug", "credits_only")
    search_fields = ("course_key",)

    @admin.display(description=_("price (credits)"))
    def price_credits(self, obj):
        return format_credits(obj.price)

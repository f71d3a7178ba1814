"""Pages for awarded credits: the learner's "My awarded credits" and the course authoring page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from credits_plugin import api
from credits_plugin.exceptions import CreditsError, http_status
from credits_plugin.money import CreditsFormField


class LicenceForm(forms.Form):
    accrediting_body = forms.CharField(label=gettext_lazy("Accrediting body"), max_length=255)
    licence_number = forms.CharField(
        label=gettext_lazy("Licence number"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("Leave empty to remove the licence number."),
    )


class CourseCreditForm(forms.Form):
    credit = forms.TypedChoiceField(label=gettext_lazy("Credit"), coerce=int)
    amount = CreditsFormField(
        label=gettext_lazy("Amount"), help_text=gettext_lazy("In the credit's unit, e.g. 1.5 for 1.5 hours.")
    )

    def __init__(self, *args, credits=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["credit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (c.pk, _("{credit} ({unit})").format(credit=c, unit=c.unit_label)) for c in credits if c.active
        ]


@login_required
@require_http_methods(["GET", "POST"])
def my_awards(request: HttpRequest) -> HttpResponse:
    """The learner's awarded credits by course, totals by type, and licence numbers."""
    form = LicenceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                api.set_licence(user=request.user, **form.cleaned_data)
            except CreditsError as exc:
                form.add_error(None, exc.message)
                status = http_status(exc)
            else:
                messages.success(request, _("Your licence number was saved."))
                return redirect(reverse("credits_plugin:my-awards"))
        else:
            status = 400
    summary = api.learner_summary(user=request.user)
    return render(
        request,
        "credits_plugin/my_awards.html",
        {**summary, "licences": api.licences(user=request.user), "form": form},
        status=status,
    )


@login_required
def my_transcript(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(api.transcript_csv(user=request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="awarded-credits.csv"'
    return response


@login_required
def my_transcript_pdf(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(api.transcript_pdf(user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="awarded-credits.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def course_credits(request: HttpRequest, course_id: str) -> HttpResponse:
    """Course staff put credits on the course, change their amounts and take them off."""
    try:
        course_key = api.require_course(course_id)
    except CreditsError as exc:
        return render(
            request, "credits_plugin/course_credits.html", {"error": exc.message}, status=http_status(exc)
        )
    if not api.can_author_course(user=request.user, course_key=course_key):
        raise PermissionDenied(_("Only the course's staff may change its credits."))
    all_credits = api.list_credits()
    form = CourseCreditForm(request.POST or None, credits=all_credits)
    status = 200
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                if not api.can_author_course(user=request.user, course_key=course_key, action="delete"):
                    raise PermissionDenied(_("You may not take credits off this course."))
                api.remove_course_credit(course_id=course_key, credit=api.get_credit(request.POST["remove"]))
                messages.success(request, _("The credit was taken off the course."))
                return redirect(request.path)
            if form.is_valid():
                api.set_course_credit(
                    course_id=course_key,
                    credit=form.cleaned_data["credit"],
                    amount=form.cleaned_data["amount"],
                )
                messages.success(request, _("The course's credits were saved."))
                return redirect(request.path)
            status = 400
        except CreditsError as exc:
            form.add_error(None, exc.message)
            status = http_status(exc)
    return render(
        request,
        "credits_plugin/course_credits.html",
        {
            "course_id": str(course_key),
            "course_credits": api.preview_course_credits(course_key, include_inactive=True),
            "form": form,
            "error": None,
        },
        status=status,
    )

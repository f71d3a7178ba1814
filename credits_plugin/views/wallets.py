"""Learner pages for wallet credits: "My credits" and checkout."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from credits_plugin import api
from credits_plugin.exceptions import CreditsError, UnknownCourse
from credits_plugin.throttling import CheckoutThrottle


@login_required
def my_credits(request: HttpRequest) -> HttpResponse:
    """The learner's balance, lots with their expiry, and history."""
    wallet = api.user_wallet(request.user)
    return render(
        request,
        "credits_plugin/my_credits.html",
        {
            "balance": api.balance(wallet),
            "lots": api.open_lots(wallet),
            "transfers": api.history(wallet, limit=100),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, course_id: str) -> HttpResponse:
    """Pick a mode and wallet, see the price and the balance after, confirm."""
    mode = request.POST.get("mode") or request.GET.get("mode") or ""
    pay_from = request.POST.get("pay_from") or request.GET.get("pay_from") or "personal"
    context: dict = {"course_id": course_id, "mode": mode, "pay_from": pay_from, "error": None, "quote": None}
    try:
        course_key = api.parse_course_key(course_id)
        if not api.course_exists(course_key=course_key):
            raise UnknownCourse(course_id=course_id)
        api.check_credits_enabled(course_key=course_key)
        context["prices"] = api.course_prices(course_key=course_key)
        context["wallets"] = api.spendable_wallets(user=request.user)
        if not mode and context["prices"]:
            mode = context["mode"] = context["prices"][0]["mode_slug"]
        if mode:
            context["quote"] = api.quote(
                user=request.user, course_id=course_id, mode_slug=mode, pay_from=pay_from
            )
    except CreditsError as exc:
        context["error"] = exc.message
        return render(request, "credits_plugin/checkout.html", context, status=exc.status_code)
    if request.method == "POST":
        throttle = CheckoutThrottle()
        if not throttle.allow_request(request, None):
            # The same count as the checkout API's: one limit per learner, however they pay.
            seconds = math.ceil(throttle.wait() or 1)
            context["error"] = _(
                "Too many purchases in a short time. Try again in {seconds} seconds."
            ).format(seconds=seconds)
            response = render(request, "credits_plugin/checkout.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        try:
            purchase = api.checkout(user=request.user, course_id=course_id, mode_slug=mode, pay_from=pay_from)
        except CreditsError as exc:
            context["error"] = exc.message
            if exc.details.get("reason"):
                context["error_reason"] = exc.details["reason"]
            return render(request, "credits_plugin/checkout.html", context, status=exc.status_code)
        organisation = api.describe_purchase(purchase)["organisation"]
        if organisation:
            done = _("You are enrolled. {amount} credits were taken from the wallet of {organisation}.")
        else:
            done = _("You are enrolled. {amount} credits were taken from your wallet.")
        messages.success(
            request, done.format(amount=api.format_credits(purchase.amount), organisation=organisation)
        )
        return redirect(reverse("credits_plugin:checkout-done", kwargs={"purchase_id": purchase.pk}))
    return render(request, "credits_plugin/checkout.html", context)


@login_required
def checkout_done(request: HttpRequest, purchase_id: int) -> HttpResponse:
    """The learner's own completed purchase; any other id is a 404."""
    try:
        purchase = api.purchase_for(user=request.user, purchase_id=purchase_id)
    except ObjectDoesNotExist:
        raise Http404(_("There is no such purchase.")) from None
    if purchase.status != "completed":
        raise Http404(_("There is no such purchase."))
    return render(
        request,
        "credits_plugin/checkout_done.html",
        {
            "purchase": purchase,
            **api.describe_purchase(purchase),
            "balance": api.balance(api.user_wallet(request.user)),
        },
    )

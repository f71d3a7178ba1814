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
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from credits_plugin import api
from credits_plugin.exceptions import CreditsError, ModeRequired, SummaryOutdated, UnknownMode, http_status
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
    """Pick a mode and wallet, see the price and the balance after, confirm.

    The form posts twice: *Update the summary* (``update``) only quotes; *Confirm and enrol*
    also carries what the summary showed (``quoted_mode``, ``quoted_pay_from``,
    ``quoted_price``) and is refused, with the new summary, when the learner changed the mode or
    the wallet since, or when the price changed.
    """
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    mode = data.get("mode", "")
    pay_from = data.get("pay_from") or "personal"
    context: dict = {"course_id": course_id, "mode": mode, "pay_from": pay_from, "error": None, "quote": None}
    try:
        context["prices"] = api.checkout_prices(course_id=course_id)
        context["wallets"] = api.spendable_wallets(user=request.user)
        if posted and not mode:
            # Never fall back to another mode: the learner pays only for a mode they chose.
            raise ModeRequired()
        if not mode and context["prices"]:
            mode = context["mode"] = context["prices"][0]["mode_slug"]
        if mode:
            context["quote"] = api.quote(
                user=request.user, course_id=course_id, mode_slug=mode, pay_from=pay_from
            )
    except UnknownMode as exc:
        # A form names only the course's modes: a posted unknown one is a choice to make again.
        return _checkout_error(request, context, ModeRequired() if posted else exc)
    except CreditsError as exc:
        return _checkout_error(request, context, exc)
    if not posted or "update" in request.POST:
        return render(request, "credits_plugin/checkout.html", context)
    throttle = CheckoutThrottle()
    if not throttle.allow_request(request, None):
        # The same count as the checkout API's: one limit per learner, however they pay.
        seconds = math.ceil(throttle.wait() or 1)
        context["error"] = _("Too many purchases in a short time. Try again in {seconds} seconds.").format(
            seconds=seconds
        )
        response = render(request, "credits_plugin/checkout.html", context, status=429)
        response["Retry-After"] = str(seconds)
        return response
    try:
        purchase = api.checkout(
            user=request.user,
            course_id=course_id,
            mode_slug=_confirmed(request.POST, mode=mode, pay_from=pay_from),
            pay_from=pay_from,
            expected_price=_quoted_price(request.POST),
        )
    except CreditsError as exc:
        return _checkout_error(request, context, exc)
    if purchase.status != "completed":
        # Only a replay can find a purchase that is not completed: it was refunded since.
        context["error"] = _("This purchase was refunded. Reload the page to buy the course mode again.")
        return render(request, "credits_plugin/checkout.html", context, status=409)
    organisation = api.describe_purchase(purchase)["organisation"]
    count = api.plural_count(purchase.amount)
    if organisation:
        done = ngettext(
            "You are enrolled. {amount} credit was taken from the wallet of {organisation}.",
            "You are enrolled. {amount} credits were taken from the wallet of {organisation}.",
            count,
        )
    else:
        done = ngettext(
            "You are enrolled. {amount} credit was taken from your wallet.",
            "You are enrolled. {amount} credits were taken from your wallet.",
            count,
        )
    messages.success(
        request, done.format(amount=api.format_credits(purchase.amount), organisation=organisation)
    )
    return redirect(reverse("credits_plugin:checkout-done", kwargs={"purchase_id": purchase.pk}))


def _confirmed(form, *, mode: str, pay_from: str) -> str:
    """The mode to buy, once sure the summary the learner confirmed was for it and the wallet."""
    if form.get("quoted_mode") != mode or (form.get("quoted_pay_from") or "personal") != pay_from:
        raise SummaryOutdated()
    return mode


def _quoted_price(form) -> int:
    """The price the confirmed summary showed, in hundredths."""
    value = form.get("quoted_price", "")
    if not (value.isascii() and value.isdigit()):
        raise SummaryOutdated()
    return int(value)


def _checkout_error(request: HttpRequest, context: dict, exc: CreditsError) -> HttpResponse:
    context["error"] = exc.message
    if exc.details.get("reason"):
        context["error_reason"] = exc.details["reason"]
    return render(request, "credits_plugin/checkout.html", context, status=http_status(exc))


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

"""Paying for a course with wallet credits in the demo host, in a real browser.

The seeded wallets (seed_demo): alice has 165.00 credits available (15.00 more are held),
bob 87.50, carol 325.00. Prices: 1 USD = 1 credit; the Clinical Ethics Workshop is in the
Gold tier (150 credits).
"""

from __future__ import annotations

import re

import pytest
from common.djangoapps.student.models import CourseEnrollment
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey
from playwright.sync_api import Page, expect

from credits_plugin import api
from credits_plugin.purchases.models import Purchase

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

DATA201 = "course-v1:DemoX+Data201+2026"  # verified: 79 credits
ETHICS300 = "course-v1:HealthU+Ethics300+2026"  # professional: Gold tier, 150 credits
NURSE101 = "course-v1:HealthU+Nurse101+2026"  # professional: 199 credits


def user(username: str):
    return get_user_model().objects.get(username=username)


def available(username: str) -> int:
    return api.balance(api.user_wallet(user(username))).available


def enrolled(username: str, course_id: str) -> tuple:
    return CourseEnrollment.enrollment_mode_for_user(user(username), CourseKey.from_string(course_id))


def header_balance(page: Page):
    return page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Your balance: "))


def summary_value(page: Page, term: str):
    """The value of one row of the checkout summary, found by its row header."""
    row = page.get_by_role("table", name="Summary").get_by_role(
        "row", name=re.compile(f"^{re.escape(term)} ")
    )
    return row.get_by_role("cell")


def test_learner_buys_a_course_with_credits(page: Page, login_as, artifacts_dir):
    login_as("alice")
    expect(header_balance(page)).to_have_accessible_name("Your balance: 165.00 credits")

    page.goto(f"/courses/{DATA201}/about/")
    prices = page.get_by_role("region", name="Pay with credits")
    expect(prices).to_contain_text("Verified Certificate: 79.00 credits")
    prices.get_by_role("link", name="Buy with credits").click()

    expect(page.get_by_role("heading", name="Pay with credits", level=1)).to_be_visible()
    expect(page.get_by_label("Verified Certificate — 79.00 credits")).to_be_checked()
    expect(summary_value(page, "Price")).to_have_text("79.00 credits")
    expect(summary_value(page, "Your balance now")).to_have_text("165.00 credits")
    expect(summary_value(page, "Your balance after the purchase")).to_have_text("86.00 credits")
    page.screenshot(path=str(artifacts_dir / "checkout.png"), full_page=True)
    page.get_by_role("button", name="Confirm and enrol").click()

    expect(page.get_by_role("heading", name="You are enrolled", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "You are enrolled. 79.00 credits were taken from your wallet."
    )
    expect(
        page.get_by_text("You paid 79.00 credits for Data Analysis with SQL (Verified Certificate).")
    ).to_be_visible()
    expect(page.get_by_text("Your balance is now 86.00 credits.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "checkout-done.png"), full_page=True)
    assert enrolled("alice", DATA201) == ("verified", True)
    assert available("alice") == 8_600
    assert Purchase.objects.get(course_key=CourseKey.from_string(DATA201)).status == "completed"

    page.get_by_role("link", name="Dashboard").click()
    courses = page.get_by_test_id("dashboard-courses")
    expect(courses.get_by_role("listitem").filter(has_text="Data Analysis with SQL")).to_contain_text(
        "Mode: verified"
    )
    expect(page.get_by_role("region", name="My credits")).to_contain_text("86.00 credits available")
    expect(header_balance(page)).to_have_accessible_name("Your balance: 86.00 credits")
    page.screenshot(path=str(artifacts_dir / "checkout-dashboard.png"), full_page=True)


def test_too_few_credits_is_a_clear_error_and_charges_nothing(page: Page, login_as, artifacts_dir):
    login_as("bob")
    page.goto(f"/courses/{ETHICS300}/about/")
    expect(page.get_by_role("region", name="Pay with credits")).to_contain_text(
        "Professional Education: 150.00 credits"
    )
    page.get_by_role("link", name="Buy with credits").click()

    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "Your balance is not sufficient for this course: it costs 150.00 credits and you have 87.50 credits."
    )
    expect(summary_value(page, "Your balance after the purchase")).to_have_text("-62.50 credits")
    expect(page.get_by_role("button", name="Confirm and enrol")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "checkout-insufficient.png"), full_page=True)

    page.goto(f"/courses/{ETHICS300}/about/")
    expect(page.get_by_test_id("enrollment-status")).to_have_count(0)
    expect(header_balance(page)).to_have_accessible_name("Your balance: 87.50 credits")
    assert enrolled("bob", ETHICS300) == (None, None)
    assert available("bob") == 8_750
    assert not Purchase.objects.filter(user__username="bob").exists()


def test_balance_spent_elsewhere_before_confirming_is_refused(page: Page, login_as, artifacts_dir):
    """The page said the balance was enough; by the time the learner confirms it no longer is."""
    login_as("carol")
    page.goto(f"/credits/checkout/{NURSE101}/")
    page.get_by_label("Professional Education — 199.00 credits").check()
    page.get_by_role("button", name="Update the summary").click()
    expect(summary_value(page, "Price")).to_have_text("199.00 credits")
    assert "csrfmiddlewaretoken" not in page.url
    expect(summary_value(page, "Your balance after the purchase")).to_have_text("126.00 credits")

    api.set_balance(user=user("carol"), amount=1_000, comment="Spent elsewhere", idempotency_key="e2e:carol")
    page.get_by_role("button", name="Confirm and enrol").click()

    expect(page.get_by_role("alert")).to_have_text("The balance is not sufficient for this amount.")
    page.screenshot(path=str(artifacts_dir / "checkout-refused.png"), full_page=True)
    assert enrolled("carol", NURSE101) == (None, None)
    assert available("carol") == 1_000
    assert not Purchase.objects.filter(user__username="carol").exists()
    assert api.verify_ledger().ok


def test_a_mode_picked_after_the_summary_is_not_charged_before_its_summary_is_seen(
    page: Page, login_as, artifacts_dir
):
    """The learner sees the summary of one mode, picks another and confirms at once: nothing is
    charged, the page shows the summary of the mode picked, and confirming that buys it."""
    login_as("carol")
    page.goto(f"/credits/checkout/{NURSE101}/")
    expect(page.get_by_label("Verified Certificate — 49.00 credits")).to_be_checked()
    expect(summary_value(page, "Price")).to_have_text("49.00 credits")

    page.get_by_label("Professional Education — 199.00 credits").check()
    page.get_by_role("button", name="Confirm and enrol").click()

    expect(page.get_by_role("alert")).to_have_text(
        "You changed the course mode or the wallet after the summary was shown, so nothing was "
        "charged. Check the new summary and confirm again."
    )
    expect(summary_value(page, "Course mode")).to_have_text("Professional Education")
    expect(summary_value(page, "Price")).to_have_text("199.00 credits")
    expect(summary_value(page, "Your balance after the purchase")).to_have_text("126.00 credits")
    assert "csrfmiddlewaretoken" not in page.url
    page.screenshot(path=str(artifacts_dir / "checkout-summary-outdated.png"), full_page=True)
    assert enrolled("carol", NURSE101) == (None, None)
    assert available("carol") == 32_500

    page.get_by_role("button", name="Confirm and enrol").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You are enrolled. 199.00 credits were taken from your wallet."
    )
    assert enrolled("carol", NURSE101) == ("professional", True)
    assert available("carol") == 32_500 - 19_900


def test_header_and_dashboard_show_the_balance(page: Page, login_as, artifacts_dir):
    login_as("carol")
    page.goto("/dashboard/")
    wallet = page.get_by_role("region", name="My credits")
    expect(wallet).to_contain_text("325.00 credits available")
    expect(header_balance(page)).to_have_accessible_name("Your balance: 325.00 credits")
    expect(header_balance(page)).to_have_text("325.00 credits")

    api.grant(account=api.user_wallet(user("carol")), amount=2_550, idempotency_key="e2e:carol:gift")
    page.reload()
    expect(wallet).to_contain_text("350.50 credits available")
    expect(header_balance(page)).to_have_accessible_name("Your balance: 350.50 credits")
    page.screenshot(path=str(artifacts_dir / "dashboard-balance.png"), full_page=True)

    header_balance(page).click()
    expect(page.get_by_role("heading", name="My credits", level=1)).to_be_visible()
    expect(page.get_by_test_id("credits-balance")).to_contain_text("350.50 credits available")
    expect(
        page.get_by_role("table", name="Credits you can spend, in the order they are spent")
    ).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "my-credits.png"), full_page=True)

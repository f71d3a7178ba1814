"""A learner switches the demo LMS to French and reads "Mes crédits" and the checkout in French.

As in the LMS, the choice lands in the ``openedx-language-preference`` cookie (Django's
set_language view writes it, LocaleMiddleware reads it). Amounts follow the French number format:
a decimal comma. The seeded wallets (seed_demo): alice has 165.00 credits available and 15.00
held; Data Science 201 costs 79 credits in its verified mode.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]

DATA201 = "course-v1:DemoX+Data201+2026"  # verified: 79 credits


def switch_to_french(page: Page) -> None:
    menu = page.get_by_test_id("language-menu")
    menu.get_by_label("Language").select_option("fr")
    menu.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_my_credits_and_checkout_in_french(page: Page, login_as, artifacts_dir):
    login_as("alice")
    switch_to_french(page)
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies["openedx-language-preference"] == "fr"

    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name=re.compile(r"^Votre solde"))).to_have_accessible_name(
        "Votre solde\u00a0: 165,00 crédits"
    )

    page.goto("/credits/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes crédits")
    expect(page.get_by_test_id("credits-balance")).to_have_text("165,00 crédits disponibles")
    expect(page.get_by_text("15,00 crédits réservés par un achat en cours.")).to_be_visible()
    expect(page.get_by_role("heading", name="Crédits et expiration")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Restants")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "my-credits-fr.png"), full_page=True)

    page.goto(f"/credits/checkout/{DATA201}/?mode=verified")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payer avec des crédits")
    summary = page.get_by_role("table", name="Récapitulatif")
    expect(summary.get_by_test_id("price")).to_have_text("79,00 crédits")
    expect(summary.get_by_test_id("balance-now")).to_have_text("165,00 crédits")
    expect(summary.get_by_test_id("balance-after")).to_have_text("86,00 crédits")
    expect(page.get_by_role("button", name="Confirmer et s'inscrire")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "checkout-fr.png"), full_page=True)

    page.get_by_role("button", name="Confirmer et s'inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes inscrit")
    expect(page.get_by_test_id("purchase-summary")).to_contain_text("Vous avez payé 79,00 crédits pour")
    expect(page.get_by_text("Votre solde est maintenant de 86,00 crédits.")).to_be_visible()


def test_english_stays_the_default(page: Page, login_as):
    login_as("alice")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/credits/")
    expect(page.get_by_test_id("credits-balance")).to_have_text("165.00 credits available")

"""Translations: the catalogs the plugin ships, amounts in the learner's number format, plurals.

The compiled catalogs (django.mo) are committed, as Open edX plugins ship them; these tests fail
when one is out of step with its django.po, when a learner-facing string has no French
translation, or when a page shows amounts in another language's number format.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from edx_toggles.toggles.testutils import override_waffle_switch

from credits_plugin import api
from credits_plugin.money import format_credits as credits
from credits_plugin.money import plural_count
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.emails import send_credits_received
from tests.factories import UserFactory, funded_user, make_paid_course

LOCALE = Path(__file__).resolve().parents[1] / "credits_plugin" / "locale"
CONFIG = Path(__file__).resolve().parents[1] / "credits_plugin" / "conf" / "locale" / "config.yaml"
#: Where the strings learners read come from: their pages and e-mails, the views behind them,
#: what checkout refuses with, and the names of their history's rows.
LEARNER_SOURCES = (
    "credits_plugin/templates/credits_plugin/",
    "credits_plugin/views/",
    "credits_plugin/exceptions.py",
    "credits_plugin/purchases/services.py",
    "credits_plugin/constants.py",
    "credits_plugin/integrations/openedx/pipeline.py",
)
NBSP = "\u00a0"


def configured_locales() -> list[str]:
    return re.findall(r"^\s*-\s*([A-Za-z_@]+)", CONFIG.read_text(), re.M)


def gettext_tool(name: str) -> str:
    """The full path of a GNU gettext program (msgfmt, msgattrib), as makemessages runs them."""
    path = shutil.which(name)
    assert path, f"{name} (Debian package gettext) is needed: make system-packages installs it"
    return path


class TestCatalogs:
    def test_every_configured_language_has_a_catalog(self):
        assert configured_locales() == ["en", "fr"]
        for locale in configured_locales():
            assert (LOCALE / locale / "LC_MESSAGES" / "django.po").is_file()
            assert (LOCALE / locale / "LC_MESSAGES" / "django.mo").is_file()

    @pytest.mark.parametrize("locale", ["en", "fr"])
    def test_the_committed_mo_is_the_compiled_po(self, locale, tmp_path):
        """Compile the .po afresh and compare the catalogs: a .po edited without `make
        compilemessages` (or a stale .mo) fails here."""
        po = LOCALE / locale / "LC_MESSAGES" / "django.po"
        fresh = tmp_path / "django.mo"
        subprocess.run(  # noqa: S603 -- gettext's msgfmt on the repository's own catalog
            [gettext_tool("msgfmt"), "--check-format", "-o", str(fresh), str(po)], check=True
        )
        with fresh.open("rb") as handle:
            expected = gettext.GNUTranslations(handle)
        with (LOCALE / locale / "LC_MESSAGES" / "django.mo").open("rb") as handle:
            shipped = gettext.GNUTranslations(handle)
        assert shipped._catalog == expected._catalog  # type: ignore[attr-defined]
        assert shipped.plural(1) == expected.plural(1) and shipped.plural(2) == expected.plural(2)  # type: ignore[attr-defined]

    def test_french_translates_every_string_learners_read(self):
        po = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
        untranslated = subprocess.run(  # noqa: S603 -- gettext's msgattrib on the repository's catalog
            [gettext_tool("msgattrib"), "--untranslated", "--no-wrap", str(po)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        missing = []
        for block in untranslated.split("\n\n"):
            references = " ".join(line for line in block.splitlines() if line.startswith("#: "))
            if any(source in references for source in LEARNER_SOURCES):
                missing.append(block)
        assert missing == []

    def test_french_uses_two_plural_forms_singular_for_zero_and_one(self):
        with (LOCALE / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)
        assert [catalog.ngettext("%(amount)s credit", "%(amount)s credits", n) for n in (0, 1, 2)] == [
            "%(amount)s crédit",
            "%(amount)s crédit",
            "%(amount)s crédits",
        ]


class TestAmounts:
    @pytest.mark.parametrize(
        ("language", "amount", "shown"),
        [
            ("en", 123_456, "1,234.56"),
            ("en", -50, "-0.50"),
            ("fr", 123_456, f"1{NBSP}234,56"),
            ("fr", 1_250, "12,50"),
            ("fr", -50, "-0,50"),
        ],
    )
    def test_amounts_follow_the_active_language(self, language, amount, shown):
        with translation.override(language):
            assert credits(amount) == shown

    def test_without_a_language_and_unlocalised_amounts_read_as_the_parsers_take_them(self):
        with translation.override("fr"):
            assert credits(123_456, localize=False) == "1,234.56"
        with translation.override(None):
            assert credits(123_456) == "1,234.56"

    @pytest.mark.parametrize(
        ("amount", "count"), [(0, 0), (100, 1), (200, 2), (50, 2), (150, 2), (1_250, 12), (-100, 1)]
    )
    def test_plural_count(self, amount, count):
        """Whole amounts count as themselves; an amount with a fraction takes the plural."""
        assert plural_count(amount) == count


@pytest.mark.django_db
class TestLearnerPagesInFrench:
    """The learner's language comes from the LMS's language cookie, as LocaleMiddleware reads it."""

    @pytest.fixture
    def french(self, client, settings):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        return client

    def test_my_credits(self, french):
        french.force_login(funded_user(123_450))
        content = french.get("/credits/").content.decode()
        assert '<html lang="fr">' in content
        assert "<h1>Mes crédits</h1>" in content
        assert f"1{NBSP}234,50 crédits disponibles" in content
        assert "Attribution" in content  # the history's row kind, translated

    def test_checkout_and_its_refusal(self, french):
        make_paid_course("course-v1:DemoX+Fr101+2026", name="Cours de français", verified_price=49)
        CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
        french.force_login(funded_user(100))
        with override_waffle_switch(CREDITS_ENABLED, active=True):
            response = french.get("/credits/checkout/course-v1:DemoX+Fr101+2026/", {"mode": "verified"})
        text = response.content.decode()
        assert "Payer avec des crédits" in text
        assert '<h2 id="summary-heading">Récapitulatif</h2>' in text  # not Django admin's "Résumé"
        assert "Confirmer et s&#x27;inscrire" not in text  # the balance is short: no confirm button
        assert (
            f"Votre solde est insuffisant pour ce cours{NBSP}: il coûte 49,00 crédits et vous disposez "
            "de 1,00 crédit." in text
        )

    def test_the_english_page_is_unchanged(self, client):
        client.force_login(funded_user(123_450))
        content = client.get("/credits/").content.decode()
        assert "1,234.50 credits available" in content
        assert "<h1>My credits</h1>" in content


@pytest.mark.django_db
class TestEmailsInTheLearnersLanguage:
    """Mails go out in the language the learner chose (the platform's ``pref-lang`` preference),
    with amounts in its number format, whatever language the request that sends them runs in."""

    @pytest.fixture
    def prefers(self, monkeypatch):
        from openedx.core.djangoapps.user_api.preferences import api as preferences

        chosen: dict[str, str] = {}

        def get_user_preference(requesting_user, preference_key, username=None):
            assert preference_key == "pref-lang"
            return chosen.get(requesting_user.username)

        monkeypatch.setattr(preferences, "get_user_preference", get_user_preference)
        return chosen

    def grant(self, user, amount: int):
        transfer = api.grant(
            account=api.user_wallet(user),
            amount=amount,
            idempotency_key=f"grant:{user.pk}",
            reason="Bienvenue",
        )
        return send_credits_received(transfer_id=transfer.pk)

    def test_a_learner_who_chose_french(self, prefers, mailoutbox):
        prefers["zoe"] = "fr"
        user = UserFactory(username="zoe", first_name="Zoé", last_name="Martin")
        with translation.override("en"):  # e.g. an operator's request in English
            assert self.grant(user, 100)
            assert self.grant(UserFactory(username="ann"), 250)
        zoe, ann = mailoutbox
        assert zoe.subject == "Vous avez reçu 1,00 crédit"
        assert "Bonjour Zoé Martin," in zoe.body
        assert "Vous avez reçu 1,00 crédit. Bienvenue" in zoe.body
        assert "Votre solde est maintenant de 1,00 crédit." in zoe.body
        assert ann.subject == "You received 2.50 credits"  # no preference: LANGUAGE_CODE

    def test_the_french_receipt(self, prefers, mailoutbox, django_capture_on_commit_callbacks):
        prefers["zoe"] = "fr"
        make_paid_course("course-v1:DemoX+Fr101+2026", name="Éthique clinique", verified_price=2)
        CurrencyValue.objects.create(currency="usd", credits_per_unit=125)
        user = funded_user(1_000, username="zoe")
        with (
            override_waffle_switch(CREDITS_ENABLED, active=True),
            django_capture_on_commit_callbacks(execute=True),
        ):
            purchase = api.checkout(user=user, course_id="course-v1:DemoX+Fr101+2026", mode_slug="verified")
        (receipt,) = mailoutbox
        assert receipt.subject == "Votre reçu pour Éthique clinique (Verified)"
        assert (
            "Vous avez payé 2,50 crédits pour Éthique clinique (Verified) et vous êtes inscrit."
            in receipt.body
        )
        assert "Votre solde est maintenant de 7,50 crédits." in receipt.body
        assert f"Numéro de reçu{NBSP}: {purchase.pk}" in receipt.body

    def test_a_failing_preference_lookup_falls_back_to_the_site_language(self, monkeypatch, mailoutbox):
        from openedx.core.djangoapps.user_api.preferences import api as preferences

        def broken(*args, **kwargs):
            raise RuntimeError("preferences unavailable")

        monkeypatch.setattr(preferences, "get_user_preference", broken)
        assert self.grant(UserFactory(username="ann"), 100)
        assert mailoutbox[0].subject == "You received 1.00 credit"

"""Retirement as the LMS runs it: USER_RETIRE_LMS_CRITICAL for a learner who used everything
the plugin has. Open edX requires that personal data is deleted or anonymised while the money
records stay whole (see docs/personal_data.rst and the models' PII annotations)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone
from edx_toggles.toggles.testutils import override_waffle_switch
from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_CRITICAL

from credits_plugin import api
from credits_plugin.awards.models import AwardedCredit, LearnerLicence
from credits_plugin.constants import HoldStatus
from credits_plugin.integrations.openedx.retirement import on_user_retired
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from credits_plugin.pricing.models import CurrencyValue
from credits_plugin.purchases.models import Purchase
from credits_plugin.toggles import CREDITS_ENABLED
from credits_plugin.wallets.models import CreditGroup, GrantBatch, Organisation, OrganisationMember
from tests.factories import UserFactory, make_paid_course

COURSE = "course-v1:Acme+Sec101+2026"
OTHER = "course-v1:Acme+Sec201+2026"
USERNAME = "jane_retiree"
EMAIL = "Jane.Retiree@example.org"
FIRST, LAST = "Janetta", "Retireson"
LICENCE = "CPA-778899"

pytestmark = pytest.mark.django_db


def _plugin_text_values():
    """Every text and JSON value in the plugin's tables, history tables and M2M tables."""
    for model in apps.get_app_config("credits_plugin").get_models(include_auto_created=True):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list("pk", *fields):
            for name, value in zip(fields, row[1:], strict=True):
                if value not in (None, ""):
                    yield model._meta.label, name, str(value)


def _amounts():
    """Every amount the ledger, the purchases and the awards record."""
    return {
        "transfers": sorted(Transfer.objects.values_list("pk", "amount", "debit_account", "credit_account")),
        "entries": sorted(Entry.objects.values_list("pk", "account", "amount")),
        "accounts": sorted(Account.objects.values_list("pk", "balance", "held", "user")),
        "lots": sorted(Lot.objects.values_list("pk", "amount", "remaining")),
        "holds": sorted(Hold.objects.values_list("pk", "amount", "status")),
        "purchases": sorted(Purchase.objects.values_list("pk", "user", "amount", "status")),
        "awards": sorted(AwardedCredit.objects.values_list("pk", "user", "amount", "status")),
    }


def _everything():
    """A snapshot of every row of the plugin's tables (for idempotency)."""
    rows = {}
    for model in apps.get_app_config("credits_plugin").get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = sorted(model.objects.values_list(*fields), key=repr)
    return rows


@pytest.fixture
def learner(enrollment_events):
    """A learner with a wallet, lots, a completed purchase, a pending hold, awards and a
    licence, organisation and group memberships, bulk operations aimed at them by username
    and by email, and rows in the history tables."""
    operator = UserFactory(username="op", is_staff=True)
    user = UserFactory(username=USERNAME, email=EMAIL, first_name=FIRST, last_name=LAST)
    wallet = api.user_wallet(user)
    api.grant(
        account=wallet,
        amount=20_000,
        idempotency_key="welcome",
        reason="Welcome credits",
        expires_at=timezone.now() + timedelta(days=90),
    )
    api.grant(account=wallet, amount=5_000, idempotency_key="bonus", reason="Bonus")

    org = Organisation.objects.create(key="Acme", name="Acme Ltd", members_can_spend=True)
    org.name = "Acme Limited"
    org._history_user = user  # the learner edited it (a history row names them by id)
    org.save()
    OrganisationMember.objects.create(organisation=org, user=user)
    group = CreditGroup.objects.create(name="Branch North")
    group.members.add(user)

    make_paid_course(COURSE, name="Secure coding", verified_price=49)
    make_paid_course(OTHER, name="Threat modelling", verified_price=30)
    CurrencyValue.objects.get_or_create(currency="usd", defaults={"credits_per_unit": 100})
    with override_waffle_switch(CREDITS_ENABLED, active=True):
        purchase = api.checkout(user=user, course_id=COURSE, mode_slug="verified")
    assert purchase.status == Purchase.Status.COMPLETED
    api.place_hold(
        account=wallet,
        amount=700,
        idempotency_key="pending",
        reason="Threat modelling (Verified)",
        reference=OTHER,
    )

    credit_type = api.create_credit_type(name="CPE")
    credit = api.create_credit(type=credit_type, name="Ethics", unit_label="hours", accrediting_body="NASBA")
    api.set_course_credit(course_id=COURSE, credit=credit, amount=150)
    api.award_for_certificate(user=user, course_id=COURSE, certificate_id="cert-1")
    api.set_licence(user=user, accrediting_body="NASBA", licence_number=LICENCE)
    api.set_licence(user=user, accrediting_body="NASBA", licence_number=LICENCE + "-2")

    for target_value, key in ((USERNAME, "by-username"), (EMAIL.lower(), "by-email")):
        batch = api.start_batch(
            action=GrantBatch.Action.GRANT,
            target=GrantBatch.Target.USER,
            target_value=target_value,
            amount=300,
            comment="Goodwill",
            actor=operator,
            idempotency_key=key,
        )
        api.run_batch(batch_id=batch.pk)
    assert set(GrantBatch.objects.values_list("status", flat=True)) == {GrantBatch.Status.DONE}
    assert api.verify_ledger().ok
    return user


def _personal_data(user) -> list:
    needles = [USERNAME, EMAIL, FIRST, LAST, LICENCE]
    return [
        (label, field, value)
        for label, field, value in _plugin_text_values()
        if any(needle.lower() in value.lower() for needle in needles)
    ]


def _retire(user, *, renamed_first: bool):
    """What the LMS does: rename the user (its own retirement step) and send the signal."""
    if renamed_first:
        get_user_model().objects.filter(pk=user.pk).update(
            username="retired__user_abc",
            email="retired__user_abc@retired.invalid",
            first_name="",
            last_name="",
        )
        user.refresh_from_db()
    USER_RETIRE_LMS_CRITICAL.send(
        sender=None,
        user=user,
        retired_username="retired__user_abc",
        retired_email="retired__user_abc@retired.invalid",
    )


@pytest.mark.parametrize("renamed_first", [False, True], ids=["signal-then-rename", "rename-then-signal"])
def test_retirement_keeps_every_amount_and_no_personal_data(learner, renamed_first):
    assert _personal_data(learner), "the set-up must put the learner's personal data in the tables"
    before = _amounts()
    pending = Hold.objects.get(idempotency_key="pending")

    _retire(learner, renamed_first=renamed_first)

    # (a) The ledger is balanced and every amount is kept.
    assert api.verify_ledger().ok
    assert _amounts() == before
    assert Hold.objects.get(pk=pending.pk).status == HoldStatus.PENDING
    assert Purchase.objects.filter(user=learner).count() == 1
    assert AwardedCredit.objects.filter(user=learner).count() == 1

    # (b) Nothing that names the learner is left, in the plugin's tables or their history.
    assert _personal_data(learner) == []
    assert not LearnerLicence.history.filter(user_id=learner.pk).exists()
    assert not OrganisationMember.objects.filter(user=learner).exists()
    assert not CreditGroup.objects.filter(members=learner).exists()
    # A one-user bulk operation now names the learner by id only, and can still be undone.
    assert set(GrantBatch.objects.values_list("target_value", flat=True)) == {str(learner.pk)}
    # Its fingerprint follows: the operator's retry of the request (by id now) is a replay.
    replay = api.start_batch(
        action=GrantBatch.Action.GRANT,
        target=GrantBatch.Target.USER,
        target_value=str(learner.pk),
        amount=300,
        comment="Goodwill",
        actor=get_user_model().objects.get(username="op"),
        idempotency_key="by-username",
    )
    assert replay.replayed
    batch = GrantBatch.objects.get(idempotency_key__endswith=":by-email")
    api.undo_batch(batch_id=batch.pk)
    assert api.run_undo(batch_id=batch.pk).status == GrantBatch.Status.UNDONE
    assert api.verify_ledger().ok


def test_retirement_is_idempotent_and_never_raises(learner):
    _retire(learner, renamed_first=False)
    after_first = _everything()

    on_user_retired(sender=None, user=learner)
    _retire(learner, renamed_first=True)
    assert _everything() == after_first

    nobody = UserFactory(username="never_used_credits")
    on_user_retired(sender=None, user=nobody)
    on_user_retired(sender=None, user=nobody, retired_username="x", retired_email="x@retired.invalid")
    assert _everything() == after_first
    assert api.verify_ledger().ok


def test_a_failing_retirement_is_logged_not_raised(learner, monkeypatch, caplog):
    def broken(*, user):
        raise RuntimeError("database went away")

    monkeypatch.setattr(api, "retire_user", broken)
    on_user_retired(sender=None, user=learner)
    assert "could not retire user" in caplog.text


def test_a_database_fault_rolls_back_the_plugins_part_and_spares_the_platforms_transaction(
    learner, monkeypatch, caplog
):
    """The LMS sends the signal inside its own transaction (ATOMIC_REQUESTS): a failed query of
    the plugin must not leave that transaction unusable, nor half of the retirement done."""
    from credits_plugin.awards import services as awards

    def broken(*, user):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM credits_plugin_unit")

    monkeypatch.setattr(awards, "retire_user", broken)
    on_user_retired(sender=None, user=learner)

    assert "could not retire user" in caplog.text
    # The platform's transaction goes on, and the memberships removed before the fault are back.
    assert OrganisationMember.objects.filter(user=learner).exists()
    assert CreditGroup.objects.filter(members=learner).exists()
    assert api.verify_ledger().ok

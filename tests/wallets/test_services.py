"""Operators give, reset and edit credits; bulk operations preview, run, and undo."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import TransferKind
from credits_plugin.ledger.models import Transfer
from credits_plugin.money import parse_credits
from credits_plugin.wallets.admin import parse_member_csv
from credits_plugin.wallets.models import GrantBatch
from tests.factories import UserFactory, assert_ledger_ok, available, people_with_group_and_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return people_with_group_and_organisation()


class TestBulkGrant:
    def test_preview_counts_users_and_credits_and_changes_nothing(self, people):
        preview = api.preview_batch(action="grant", target="all", amount=1_000)
        assert (preview.users, preview.total) == (5, 5_000)
        assert Transfer.objects.count() == 0

    @pytest.mark.parametrize(
        ("target", "value", "expected"),
        [
            ("all", "", {"u0", "u1", "u2", "u3", "u4"}),
            ("group", "Nurses", {"u0", "u1"}),
            ("organisation", "HealthU", {"u2"}),
            ("user", "u3", {"u3"}),
            ("user", "u4@example.com", {"u4"}),
        ],
    )
    def test_grant_reaches_exactly_the_target(
        self, people, target, value, expected, django_capture_on_commit_callbacks
    ):
        operator = UserFactory(username="operator", is_staff=True, is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            batch = api.start_batch(
                action="grant",
                target=target,
                target_value=value,
                amount=2_500,
                comment="Welcome",
                actor=operator,
            )
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.DONE
        assert batch.done_users == batch.total_users == len(expected)
        assert batch.total_amount == 2_500 * len(expected)
        got = {u.username for u in people if available(u) == 2_500}
        assert got == expected
        transfers = Transfer.objects.filter(batch=str(batch.pk))
        assert {(t.kind, t.reason, t.actor_id) for t in transfers} == {
            (TransferKind.GRANT, "Welcome", operator.pk)
        }
        assert len(mail.outbox) == len(expected)
        assert "2,500" not in mail.outbox[0].body and "25.00" in mail.outbox[0].body
        assert_ledger_ok()

    def test_running_a_batch_twice_gives_once(self, people, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            batch = api.start_batch(action="grant", target="all", amount=100, comment="x")
        GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.RUNNING)
        api.run_batch(batch_id=batch.pk)
        assert Transfer.objects.filter(batch=str(batch.pk)).count() == 5
        assert all(available(u) == 100 for u in people)

    def test_grant_with_expiry_creates_expiring_lots(self, people, django_capture_on_commit_callbacks):
        expires = timezone.now() + timedelta(days=30)
        with django_capture_on_commit_callbacks(execute=True):
            api.start_batch(
                action="grant", target="user", target_value="u0", amount=100, comment="x", expires_at=expires
            )
        (lot,) = api.open_lots(api.user_wallet(people[0]))
        assert lot.expires_at == expires

    def test_undo_reverses_the_whole_batch_and_reports_what_was_spent(
        self, people, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            batch = api.start_batch(
                action="grant", target="group", target_value="Nurses", amount=1_000, comment="x"
            )
        api.charge(account=api.user_wallet(people[0]), amount=600, idempotency_key="spent")
        with django_capture_on_commit_callbacks(execute=True):
            api.undo_batch(batch_id=batch.pk)
        batch.refresh_from_db()
        assert (batch.undo_total, batch.undo_done, batch.undo_reversed) == (2, 2, 1)
        assert len(batch.undo_problems) == 1 and batch.undo_problems[0].startswith("u0: ")
        assert available(people[1]) == 0 and available(people[0]) == 400
        # not fully undone while a reversal was refused
        assert batch.status == GrantBatch.Status.PARTLY_UNDONE
        assert batch.total_amount == 1_000
        assert_ledger_ok()

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"action": "grant", "target": "all", "amount": 0}, exceptions.InvalidAmount),
            ({"action": "grant", "target": "all", "amount": -5}, exceptions.InvalidAmount),
            (
                {"action": "grant", "target": "group", "target_value": "Nobody", "amount": 5},
                exceptions.UnknownTarget,
            ),
            (
                {"action": "grant", "target": "organisation", "target_value": "X", "amount": 5},
                exceptions.UnknownTarget,
            ),
            (
                {"action": "grant", "target": "user", "target_value": "nobody", "amount": 5},
                exceptions.UnknownUser,
            ),
            ({"action": "grant", "target": "planet", "amount": 5}, exceptions.UnknownTarget),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, people, kwargs, error):
        with pytest.raises(error):
            api.start_batch(comment="x", **kwargs)
        assert GrantBatch.objects.count() == 0 and Transfer.objects.count() == 0


class TestResetAndEdit:
    def test_reset_sets_every_targeted_balance(self, people, django_capture_on_commit_callbacks):
        api.grant(account=api.user_wallet(people[0]), amount=5_000, idempotency_key="a")
        api.grant(account=api.user_wallet(people[1]), amount=100, idempotency_key="b")
        preview = api.preview_batch(action="reset", target="group", target_value="Nurses", amount=1_000)
        assert (preview.users, preview.total) == (2, 2_000 - 5_100)
        with django_capture_on_commit_callbacks(execute=True):
            batch = api.start_batch(
                action="reset", target="group", target_value="Nurses", amount=1_000, comment="Q1"
            )
        assert available(people[0]) == available(people[1]) == 1_000
        batch.refresh_from_db()
        assert batch.total_amount == -3_100
        assert set(Transfer.objects.filter(batch=str(batch.pk)).values_list("kind", flat=True)) == {
            TransferKind.RESET
        }
        assert_ledger_ok()

    def test_set_balance_records_an_adjustment_with_the_comment(self, people):
        operator = UserFactory(username="op", is_staff=True)
        user = people[0]
        up = api.set_balance(user=user, amount=700, comment="Goodwill", actor=operator, idempotency_key="k1")
        assert (up.kind, up.amount, up.reason, up.actor) == (
            TransferKind.ADJUSTMENT,
            700,
            "Goodwill",
            operator,
        )
        down = api.set_balance(
            user=user, amount=200, comment="Correction", actor=operator, idempotency_key="k2"
        )
        assert down.amount == 500 and down.debit_account_id == api.user_wallet(user).pk
        assert available(user) == 200
        assert api.set_balance(user=user, amount=200, comment="Again", idempotency_key="k3") is None
        assert api.set_balance(user=user, amount=700, comment="Goodwill", idempotency_key="k1").pk == up.pk
        assert_ledger_ok()

    def test_set_balance_refuses_bad_input(self, people):
        with pytest.raises(exceptions.InvalidAmount):
            api.set_balance(user=people[0], amount=-1, comment="x", idempotency_key="k")
        with pytest.raises(exceptions.CreditsError):
            api.set_balance(user=people[0], amount=5, comment="", idempotency_key="k")
        assert Transfer.objects.count() == 0


class TestHelpers:
    @pytest.mark.parametrize(
        ("text", "hundredths"), [("10", 1_000), ("12.5", 1_250), ("0.01", 1), ("1,000", 100_000)]
    )
    def test_parse_credits_is_exact(self, text, hundredths):
        assert parse_credits(text) == hundredths

    @pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN"])
    def test_parse_credits_refuses(self, text):
        with pytest.raises(exceptions.InvalidAmount):
            parse_credits(text)

    def test_member_csv_finds_users_and_reports_unknown_rows(self, people):
        users, errors = parse_member_csv(b"username\nu0\nu1@example.com\nnobody\n\n")
        assert [u.username for u in users] == ["u0", "u1"]
        assert errors == ["Row 4: no user 'nobody'."]

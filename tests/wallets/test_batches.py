"""Bulk operations: a resubmission changes nothing, undo runs in the background, and a batch
whose worker died is resumed or undone without anything done twice or left half done."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credits_plugin import api, exceptions
from credits_plugin.ledger import bulk
from credits_plugin.ledger.models import Transfer
from credits_plugin.wallets import tasks
from credits_plugin.wallets.models import CreditGroup, GrantBatch
from tests.factories import UserFactory, assert_ledger_ok, available

pytestmark = pytest.mark.django_db
BASE = "/api/credits_plugin/v1"


@pytest.fixture
def people():
    users = [UserFactory(username=f"u{i}") for i in range(5)]
    CreditGroup.objects.create(name="Nurses").members.add(users[0], users[1])
    return users


@pytest.fixture
def operator():
    return UserFactory(username="operator", is_staff=True, is_superuser=True)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


GRANT = {"action": "grant", "target": "all", "amount": 1_000, "comment": "Welcome"}


# --- 5. A resubmitted bulk grant pays out once -------------------------------------------------


class TestIdempotency:
    def test_the_same_key_returns_the_first_batch_and_gives_once(
        self, people, operator, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            first = api.start_batch(**GRANT, actor=operator, idempotency_key="welcome")
            again = api.start_batch(**GRANT, actor=operator, idempotency_key="welcome")
        assert again.pk == first.pk and again.replayed and not first.replayed
        assert len([c for c in callbacks if "start_batch" in c.__qualname__]) == 1  # one run queued
        assert GrantBatch.objects.count() == 1
        assert all(available(u) == 1_000 for u in people)
        # A reworded comment is still the same request (as for every transfer's reason).
        reworded = api.start_batch(**{**GRANT, "comment": "Hello"}, actor=operator, idempotency_key="welcome")
        assert reworded.pk == first.pk and reworded.replayed
        assert Transfer.objects.count() == 6  # the five and the operator, once each
        assert_ledger_ok()

    @pytest.mark.parametrize(
        "change",
        [
            {"amount": 2_000},
            {"action": "reset"},
            {"target": "group", "target_value": "Nurses"},
            {"expires_at": timezone.now() + timedelta(days=3)},
        ],
    )
    def test_the_same_key_with_another_request_is_a_conflict(self, people, operator, change):
        api.start_batch(**GRANT, actor=operator, idempotency_key="k")
        with pytest.raises(exceptions.IdempotencyConflict):
            api.start_batch(**{**GRANT, **change}, actor=operator, idempotency_key="k")
        assert GrantBatch.objects.count() == 1

    def test_keys_are_scoped_per_operator(self, people, operator):
        other = UserFactory(username="other-operator", is_staff=True, is_superuser=True)
        mine = api.start_batch(**GRANT, actor=operator, idempotency_key="monday")
        theirs = api.start_batch(**{**GRANT, "amount": 5}, actor=other, idempotency_key="monday")
        assert mine.pk != theirs.pk and not theirs.replayed
        assert {b.idempotency_key for b in GrantBatch.objects.all()} == {
            f"{operator.pk}:monday",
            f"{other.pk}:monday",
        }

    def test_a_replay_that_lost_the_race_for_the_unique_key_answers_the_first_batch(self, people, operator):
        first = api.start_batch(**GRANT, actor=operator, idempotency_key="race")
        # The second request looked before the first had written its row.
        with mock.patch("credits_plugin.wallets.services._replayed_batch", side_effect=[None, first]):
            again = api.start_batch(**GRANT, actor=operator, idempotency_key="race")
        assert again.pk == first.pk
        assert GrantBatch.objects.count() == 1

    @pytest.mark.parametrize("key", ["", "   ", "x" * 201])
    def test_a_bad_key_is_refused(self, people, operator, key):
        with pytest.raises(exceptions.InvalidIdempotencyKey):
            api.start_batch(**GRANT, actor=operator, idempotency_key=key)
        assert GrantBatch.objects.count() == 0


class TestIdempotencyOverRest:
    def test_a_repeated_request_is_answered_200_with_the_first_batch(
        self, people, operator, django_capture_on_commit_callbacks
    ):
        client = client_for(operator)
        payload = {**GRANT, "idempotency_key": "welcome-2026"}
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(f"{BASE}/batches/", payload, format="json")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            repeated = client.post(f"{BASE}/batches/", payload, format="json")
        assert callbacks == []
        assert created.status_code == 201 and repeated.status_code == 200
        assert repeated.json()["id"] == created.json()["id"]
        assert repeated.json()["status"] == "done"
        assert GrantBatch.objects.count() == 1
        assert all(available(u) == 1_000 for u in people)

    def test_another_request_under_the_key_is_409(self, people, operator):
        client = client_for(operator)
        client.post(f"{BASE}/batches/", {**GRANT, "idempotency_key": "k"}, format="json")
        response = client.post(
            f"{BASE}/batches/", {**GRANT, "amount": 999, "idempotency_key": "k"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["error_code"] == "idempotency_conflict"
        assert GrantBatch.objects.count() == 1

    def test_another_operators_key_never_collides(self, people, operator):
        other = UserFactory(username="other-operator", is_staff=True, is_superuser=True)
        first = client_for(operator).post(
            f"{BASE}/batches/", {**GRANT, "idempotency_key": "k"}, format="json"
        )
        second = client_for(other).post(
            f"{BASE}/batches/", {**GRANT, "amount": 5, "idempotency_key": "k"}, format="json"
        )
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]

    def test_a_batch_needs_a_key_but_a_preview_does_not(self, people, operator):
        client = client_for(operator)
        refused = client.post(f"{BASE}/batches/", GRANT, format="json")
        assert refused.status_code == 400
        assert "idempotency_key" in refused.json()["field_errors"]
        preview = client.post(f"{BASE}/batches/", {**GRANT, "preview": True}, format="json")
        assert preview.json() == {"users": 6, "total": 6_000}  # the five and the operator
        assert GrantBatch.objects.count() == 0


class TestIdempotencyInTheAdmin:
    def test_the_confirmation_submitted_twice_starts_one_batch(
        self, client, people, operator, django_capture_on_commit_callbacks
    ):
        client.force_login(operator)
        url = reverse("admin:credits_plugin_grantbatch_add")
        form = {**GRANT, "amount": "10", "target_value": "", "expires_at": ""}
        preview = client.post(url, form)
        key = preview.context["idempotency_key"]
        assert f'name="idempotency_key" value="{key}"' in preview.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(url, {**form, "idempotency_key": key, "confirm": "1"})
            second = client.post(url, {**form, "idempotency_key": key, "confirm": "1"}, follow=True)
        (batch,) = GrantBatch.objects.all()
        change = reverse("admin:credits_plugin_grantbatch_change", args=[batch.pk])
        assert first.status_code == 302 and first.url == change
        assert second.redirect_chain[-1][0] == change
        assert "already submitted" in second.content.decode()
        assert all(available(u) == 1_000 for u in people)
        # A new preview is a new key: the operator may give the same again on purpose.
        assert client.post(url, form).context["idempotency_key"] != key

    def test_a_confirmation_without_its_key_starts_nothing(self, client, people, operator):
        client.force_login(operator)
        url = reverse("admin:credits_plugin_grantbatch_add")
        response = client.post(url, {**GRANT, "amount": "10", "confirm": "1"})
        assert response.status_code == 200
        assert "confirm again" in response.content.decode()
        assert GrantBatch.objects.count() == 0


# --- 7. Undo runs in the background, with progress ---------------------------------------------


def run_grant(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        batch = api.start_batch(**{**GRANT, **kwargs})
    batch.refresh_from_db()
    return batch


class TestUndo:
    def test_asking_for_an_undo_queues_it_and_changes_no_balance(
        self, people, django_capture_on_commit_callbacks
    ):
        batch = run_grant(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            asked = api.undo_batch(batch_id=batch.pk)
        assert asked.status == GrantBatch.Status.UNDOING
        assert (asked.undo_total, asked.undo_done) == (5, 0)
        assert len(callbacks) == 1  # the background task, queued once the request commits
        assert all(available(u) == 1_000 for u in people)
        callbacks[0]()
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.UNDONE
        assert (batch.undo_total, batch.undo_done, batch.undo_reversed, batch.total_amount) == (5, 5, 5, 0)
        assert batch.undo_finished is not None
        assert all(available(u) == 0 for u in people)
        assert_ledger_ok()

    def test_undo_progresses_chunk_by_chunk(self, people, django_capture_on_commit_callbacks, settings):
        settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = 2
        batch = run_grant(django_capture_on_commit_callbacks)
        seen = []
        original = api.reverse_transfer

        def watch(**kwargs):
            seen.append(GrantBatch.objects.get(pk=batch.pk).undo_done)
            return original(**kwargs)

        with (
            mock.patch("credits_plugin.ledger.services.reverse_transfer", side_effect=watch),
            django_capture_on_commit_callbacks(execute=True),
        ):
            api.undo_batch(batch_id=batch.pk)
        assert seen == [0, 0, 2, 2, 4]
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.UNDONE and batch.undo_done == 5

    def test_a_second_undo_changes_nothing(self, people, django_capture_on_commit_callbacks):
        batch = run_grant(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            api.undo_batch(batch_id=batch.pk)
        transfers = Transfer.objects.count()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again = api.undo_batch(batch_id=batch.pk)
        assert again.status == GrantBatch.Status.UNDONE and callbacks == []
        assert Transfer.objects.count() == transfers
        # Nor while the first undo is still under way.
        other = run_grant(django_capture_on_commit_callbacks, amount=7)
        with django_capture_on_commit_callbacks(execute=False) as first:
            api.undo_batch(batch_id=other.pk)
        with django_capture_on_commit_callbacks(execute=False) as second:
            api.undo_batch(batch_id=other.pk)
        assert len(first) == 1 and second == []

    def test_a_running_batch_cannot_be_undone(self, people, django_capture_on_commit_callbacks):
        batch = run_grant(django_capture_on_commit_callbacks)
        GrantBatch.objects.filter(pk=batch.pk).update(
            status=GrantBatch.Status.RUNNING, heartbeat=timezone.now()
        )
        with pytest.raises(exceptions.BatchInProgress):
            api.undo_batch(batch_id=batch.pk)
        assert Transfer.objects.filter(reverses__isnull=False).count() == 0

    def test_a_queued_batch_undone_before_it_ran_never_runs(self, people, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as run:
            batch = api.start_batch(**GRANT)
        with django_capture_on_commit_callbacks(execute=True):
            api.undo_batch(batch_id=batch.pk)
        run[0]()  # the grant's task arrives late
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.UNDONE
        assert Transfer.objects.count() == 0

    def test_partly_undone_can_be_retried_and_never_reverses_twice(
        self, people, django_capture_on_commit_callbacks
    ):
        batch = run_grant(django_capture_on_commit_callbacks, target="group", target_value="Nurses")
        api.charge(account=api.user_wallet(people[0]), amount=600, idempotency_key="spent")
        with django_capture_on_commit_callbacks(execute=True):
            api.undo_batch(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.PARTLY_UNDONE and len(batch.undo_problems) == 1
        api.grant(account=api.user_wallet(people[0]), amount=600, idempotency_key="topped-up")
        with django_capture_on_commit_callbacks(execute=True):
            api.undo_batch(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.UNDONE
        assert (batch.undo_done, batch.undo_reversed, batch.undo_problems) == (2, 2, [])
        assert Transfer.objects.filter(reverses__isnull=False).count() == 2
        assert available(people[0]) == 0 and available(people[1]) == 0
        assert_ledger_ok()

    def test_rest_undo_answers_202_with_the_batch_and_again_changes_nothing(
        self, people, operator, django_capture_on_commit_callbacks
    ):
        batch = run_grant(django_capture_on_commit_callbacks)
        client = client_for(operator)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(f"{BASE}/batches/{batch.pk}/undo/")
        assert response.status_code == 202
        assert (response.json()["status"], response.json()["undo_total"]) == ("undoing", 6)
        assert all(available(u) == 1_000 for u in people)  # not inside the request
        callbacks[0]()
        progress = client.get(f"{BASE}/batches/{batch.pk}/").json()
        assert (progress["status"], progress["undo_done"], progress["undo_reversed"]) == ("undone", 6, 6)
        again = client.post(f"{BASE}/batches/{batch.pk}/undo/")
        assert again.status_code == 202 and again.json()["status"] == "undone"
        assert Transfer.objects.filter(reverses__isnull=False).count() == 6

    def test_rest_undo_of_a_running_batch_is_409(self, people, operator, django_capture_on_commit_callbacks):
        batch = run_grant(django_capture_on_commit_callbacks)
        GrantBatch.objects.filter(pk=batch.pk).update(
            status=GrantBatch.Status.RUNNING, heartbeat=timezone.now()
        )
        response = client_for(operator).post(f"{BASE}/batches/{batch.pk}/undo/")
        assert response.status_code == 409 and response.json()["error_code"] == "batch_in_progress"

    def test_admin_undo_asks_first_then_queues(
        self, client, people, operator, django_capture_on_commit_callbacks
    ):
        batch = run_grant(django_capture_on_commit_callbacks)
        client.force_login(operator)
        url = reverse("admin:credits_plugin_grantbatch_changelist")
        form = {"action": "undo_batches", "_selected_action": [str(batch.pk)]}
        asked = client.post(url, form)
        assert "Undo bulk operations?" in asked.content.decode()
        assert all(available(u) == 1_000 for u in people)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            queued = client.post(url, {**form, "confirm": "1"}, follow=True)
        assert "undo queued" in queued.content.decode()
        assert GrantBatch.objects.get(pk=batch.pk).status == GrantBatch.Status.UNDOING
        callbacks[0]()
        page = client.get(reverse("admin:credits_plugin_grantbatch_change", args=[batch.pk]))
        assert page.status_code == 200 and "Undone" in page.content.decode()
        listing = client.get(url).content.decode()
        assert "6/6 users; undo 6/6" in listing  # the five and the operator


# --- 20. A batch whose worker died is resumed, nothing done twice -------------------------------


class TestResume:
    def test_a_batch_that_failed_half_way_is_resumed_by_the_command(
        self, people, django_capture_on_commit_callbacks, settings
    ):
        settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = 2
        original = bulk.bulk_grant
        calls = []

        def second_chunk_fails(**kwargs):
            calls.append(kwargs["account_ids"])
            if len(calls) == 2:
                original(**kwargs)  # written, then the chunk's transaction is lost
                raise RuntimeError("database went away")
            return original(**kwargs)

        with (
            mock.patch.object(bulk, "bulk_grant", side_effect=second_chunk_fails),
            pytest.raises(RuntimeError),
            django_capture_on_commit_callbacks(execute=True),
        ):
            batch = api.start_batch(**GRANT)
        batch = GrantBatch.objects.get()
        assert (batch.status, batch.done_users) == (GrantBatch.Status.FAILED, 2)
        assert Transfer.objects.count() == 2
        call_command("resume_credit_batches", str(batch.pk))
        batch.refresh_from_db()
        assert (batch.status, batch.done_users, batch.total_users) == (GrantBatch.Status.DONE, 5, 5)
        assert all(available(u) == 1_000 for u in people)
        assert Transfer.objects.count() == 5
        assert_ledger_ok()

    def test_only_stale_batches_are_taken_over(self, people, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            live = api.start_batch(**GRANT)
            stale = api.start_batch(**{**GRANT, "amount": 3})
        GrantBatch.objects.filter(pk=live.pk).update(
            status=GrantBatch.Status.RUNNING, heartbeat=timezone.now()
        )
        GrantBatch.objects.filter(pk=stale.pk).update(
            status=GrantBatch.Status.RUNNING, heartbeat=timezone.now() - timedelta(hours=1)
        )
        assert list(api.stuck_batches()) == [GrantBatch.objects.get(pk=stale.pk)]
        assert tasks.resume_batches_task.delay().get() == 1
        live.refresh_from_db()
        stale.refresh_from_db()
        assert live.status == GrantBatch.Status.RUNNING and live.done_users == 0
        assert stale.status == GrantBatch.Status.DONE
        assert all(available(u) == 3 for u in people)
        # Naming a live batch does not take it over either.
        call_command("resume_credit_batches", str(live.pk))
        assert GrantBatch.objects.get(pk=live.pk).status == GrantBatch.Status.RUNNING

    def test_a_reset_resumed_after_a_crash_resets_each_user_once(
        self, people, django_capture_on_commit_callbacks, settings
    ):
        settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = 2
        for i, user in enumerate(people):
            api.grant(account=api.user_wallet(user), amount=100 * (i + 1), idempotency_key=f"g{i}")
        with django_capture_on_commit_callbacks(execute=False):
            batch = api.start_batch(action="reset", target="all", amount=250, comment="Reset")
        original = api.set_balance
        done = []

        def crash_on_the_fourth(**kwargs):
            if len(done) == 3:
                raise RuntimeError("killed")
            done.append(kwargs["user"].pk)
            return original(**kwargs)

        with (
            mock.patch("credits_plugin.wallets.services.set_balance", side_effect=crash_on_the_fourth),
            pytest.raises(RuntimeError),
        ):
            api.run_batch(batch_id=batch.pk)
        # The third user's reset was written but its chunk's progress was not.
        batch.refresh_from_db()
        assert batch.done_users == 2 and Transfer.objects.filter(batch=str(batch.pk)).count() == 3
        api.resume_batch(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.DONE and batch.done_users == 5
        assert all(available(u) == 250 for u in people)
        assert Transfer.objects.filter(batch=str(batch.pk)).count() == 5
        assert batch.total_amount == 5 * 250 - 1_500
        assert_ledger_ok()

    def test_an_undo_whose_worker_died_is_resumed(self, people, django_capture_on_commit_callbacks, settings):
        settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = 2
        batch = run_grant(django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=False):
            api.undo_batch(batch_id=batch.pk)
        original = api.reverse_transfer
        count = []

        def die_on_the_third(**kwargs):
            if len(count) == 2:
                raise SystemExit("worker killed")
            count.append(1)
            return original(**kwargs)

        with (
            mock.patch("credits_plugin.ledger.services.reverse_transfer", side_effect=die_on_the_third),
            pytest.raises(SystemExit),
        ):
            api.run_undo(batch_id=batch.pk)
        batch.refresh_from_db()
        assert (batch.status, batch.undo_done) == (
            GrantBatch.Status.UNDOING,
            2,
        )  # as a killed worker leaves it
        call_command("resume_credit_batches", "--stale-after", "0")
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.UNDONE
        assert (batch.undo_done, batch.undo_reversed) == (5, 5)
        assert Transfer.objects.filter(reverses__isnull=False).count() == 5
        assert all(available(u) == 0 for u in people)
        assert_ledger_ok()

    def test_admin_resume_action(self, client, people, operator, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False):
            batch = api.start_batch(**GRANT)
        GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.FAILED, error="boom")
        client.force_login(operator)
        url = reverse("admin:credits_plugin_grantbatch_changelist")
        response = client.post(
            url, {"action": "resume_batches", "_selected_action": [str(batch.pk)]}, follow=True
        )
        assert "resumption queued" in response.content.decode()
        batch.refresh_from_db()
        assert batch.status == GrantBatch.Status.DONE and batch.error == ""
        assert all(available(u) == 1_000 for u in people)
        again = client.post(
            url, {"action": "resume_batches", "_selected_action": [str(batch.pk)]}, follow=True
        )
        assert "not stuck" in again.content.decode()


# --- Under real concurrency (PostgreSQL and MariaDB) --------------------------------------------


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
class TestConcurrency:
    def test_the_same_request_sent_at_once_starts_one_batch(self, people, operator):
        from tests.ledger.test_concurrency import run_threads

        results = run_threads(lambda i: api.start_batch(**GRANT, actor=operator, idempotency_key="same"), 8)
        assert all(isinstance(r, GrantBatch) for r in results), results
        assert len({r.pk for r in results}) == 1
        assert sum(not r.replayed for r in results) == 1
        batch = GrantBatch.objects.get()
        assert batch.status == GrantBatch.Status.DONE
        assert all(available(u) == 1_000 for u in people)
        assert Transfer.objects.count() == 6  # the five and the operator
        assert_ledger_ok()

    def test_workers_taking_a_batch_over_from_each_other_give_once(self, people, settings):
        from tests.ledger.test_concurrency import run_threads

        settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = 1
        with mock.patch.object(tasks.run_batch_task, "delay"):
            batch = api.start_batch(**GRANT)
        # Every worker believes the others dead (stale after 0 seconds) and takes the batch over.
        results = run_threads(lambda i: api.run_batch(batch_id=batch.pk, stale_after=0), 4)
        assert all(isinstance(r, GrantBatch) for r in results), results
        batch.refresh_from_db()
        assert (batch.status, batch.done_users) == (GrantBatch.Status.DONE, 5)
        assert Transfer.objects.filter(batch=str(batch.pk)).count() == 5
        assert all(available(u) == 1_000 for u in people)
        assert_ledger_ok()

    def test_undo_asked_at_once_reverses_once(self, people):
        from tests.ledger.test_concurrency import run_threads

        batch = api.start_batch(**GRANT)  # eager, no transaction: it has run
        results = run_threads(lambda i: api.undo_batch(batch_id=batch.pk), 6)
        assert all(isinstance(r, GrantBatch) for r in results), results
        batch.refresh_from_db()
        assert (batch.status, batch.undo_reversed) == (GrantBatch.Status.UNDONE, 5)
        assert Transfer.objects.filter(reverses__isnull=False).count() == 5
        assert all(available(u) == 0 for u in people)
        assert_ledger_ok()


# --- Refusals: their own classes, the codes the API always answered with ----------------------


class TestRefusals:
    def test_an_unknown_action_is_invalid_input_and_leaves_no_row(self, people):
        with pytest.raises(exceptions.InvalidAction) as refused:
            api.start_batch(action="expire", target="all", amount=100, comment="No", actor=None)
        assert isinstance(refused.value, exceptions.InvalidInput)
        assert refused.value.code == "invalid_action"
        assert not GrantBatch.objects.exists()

    @pytest.mark.parametrize("comment", ["", "   "])
    def test_a_batch_without_a_comment_is_refused(self, people, comment):
        with pytest.raises(exceptions.CommentRequired) as refused:
            api.start_batch(action="grant", target="all", amount=100, comment=comment, actor=None)
        assert refused.value.code == "comment_required"
        assert str(refused.value.message) == "A comment is required."
        assert not GrantBatch.objects.exists()

    def test_a_balance_set_without_a_comment_is_refused(self, people):
        with pytest.raises(exceptions.CommentRequired):
            api.set_balance(user=people[0], amount=500, comment="", idempotency_key="no-comment")
        assert available(people[0]) == 0
        assert not Transfer.objects.exists()

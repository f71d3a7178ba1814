"""Every page and action of the plugin's admin needs a named permission, never is_staff alone.

A matrix over every plugin admin URL: staff without permissions get 403 and change nothing;
staff with exactly the permission the URL needs get in; superusers get in.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from credits_plugin import api
from credits_plugin.history_admin import HistoryAdmin
from credits_plugin.ledger.models import Transfer
from credits_plugin.pricing.models import PriceTier
from credits_plugin.wallets.models import CreditGroup, GrantBatch
from tests.factories import UserFactory, operator
from tests.objects import snapshot

pytestmark = pytest.mark.django_db

PLUGIN_ADMINS = {
    model._meta.model_name: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "credits_plugin"
}


@dataclass
class Url:
    name: str
    url: str
    method: str = "get"
    data: dict | None = None
    # The one permission that opens it; None: nobody, not even a superuser, may use it.
    needs: str | None = None

    def call(self, client: Client):
        if self.method == "get":
            return client.get(self.url)
        return client.post(self.url, self.data or {})

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url}"


def _standard_urls(model_name: str, model_admin, obj) -> list[Url]:
    """Django's own admin views of a model, and django-simple-history's."""
    info = f"admin:credits_plugin_{model_name}"
    view = f"credits_plugin.view_{model_name}"

    def offered(permission: str, allowed: bool) -> str | None:
        return permission if allowed else None

    superuser_request = type("R", (), {"user": UserFactory.build(is_superuser=True, is_active=True)})()
    can_add = model_admin.has_add_permission(superuser_request)
    can_change = model_admin.has_change_permission(superuser_request, obj)
    can_delete = model_admin.has_delete_permission(superuser_request, obj)
    add_permission = (
        "credits_plugin.give_credits" if model_name == "grantbatch" else f"credits_plugin.add_{model_name}"
    )
    urls = [
        Url("changelist", reverse(f"{info}_changelist"), needs=view),
        Url("add", reverse(f"{info}_add"), needs=offered(add_permission, can_add)),
        Url("add (post)", reverse(f"{info}_add"), "post", {}, needs=offered(add_permission, can_add)),
        Url("change", reverse(f"{info}_change", args=[obj.pk]), needs=view),
        Url(
            "change (post)",
            reverse(f"{info}_change", args=[obj.pk]),
            "post",
            {},
            needs=offered(f"credits_plugin.change_{model_name}", can_change),
        ),
        Url(
            "delete",
            reverse(f"{info}_delete", args=[obj.pk]),
            needs=offered(f"credits_plugin.delete_{model_name}", can_delete),
        ),
        Url(
            "delete (post)",
            reverse(f"{info}_delete", args=[obj.pk]),
            "post",
            {"post": "yes"},
            needs=offered(f"credits_plugin.delete_{model_name}", can_delete),
        ),
        Url("history", reverse(f"{info}_history", args=[obj.pk]), needs=view),
    ]
    if isinstance(model_admin, HistoryAdmin):
        version = obj.history.earliest("history_id").history_id
        past = reverse(f"{info}_simple_history", args=[obj.pk, version])
        urls += [
            Url("past version", past, needs=view),
            Url("revert (post)", past, "post", {}, needs=f"credits_plugin.change_{model_name}"),
        ]
    return urls


def _custom_urls(objects) -> list[Url]:
    """The plugin's own admin views and actions."""
    batch_form = {
        "action": "grant",
        "target": "all",
        "target_value": "",
        "amount": "5",
        "comment": "Everyone",
    }
    set_balance = reverse("admin:credits_plugin_account_set_balance", args=[objects["account"].pk])
    group_import = reverse("admin:credits_plugin_creditgroup_import", args=[objects["creditgroup"].pk])
    undo = {
        "action": "undo_batches",
        "_selected_action": [str(objects["grantbatch"].pk)],
        "confirm": "yes",
    }
    return [
        Url(
            "give/reset form",
            reverse("admin:credits_plugin_grantbatch_add"),
            needs="credits_plugin.give_credits",
        ),
        Url(
            "give/reset preview",
            reverse("admin:credits_plugin_grantbatch_add"),
            "post",
            batch_form,
            needs="credits_plugin.give_credits",
        ),
        Url(
            "give/reset confirm",
            reverse("admin:credits_plugin_grantbatch_add"),
            "post",
            {**batch_form, "confirm": "yes"},
            needs="credits_plugin.give_credits",
        ),
        Url("set balance form", set_balance, needs="credits_plugin.give_credits"),
        Url(
            "set balance confirm",
            set_balance,
            "post",
            {"balance": "1", "comment": "Correction", "confirm": "yes", "key": "k1"},
            needs="credits_plugin.give_credits",
        ),
        Url(
            "undo batch",
            reverse("admin:credits_plugin_grantbatch_changelist"),
            "post",
            undo,
            needs="credits_plugin.undo_batch",
        ),
        Url("group import form", group_import, needs="credits_plugin.change_creditgroup"),
        Url(
            "group import confirm",
            group_import,
            "post",
            {"confirm": "yes", "user_ids": [str(objects["account"].user_id)]},
            needs="credits_plugin.change_creditgroup",
        ),
    ]


def every_url(objects) -> list[Url]:
    """Deletions last, so that every other URL still finds its object."""
    urls = _custom_urls(objects)
    for model_name, model_admin in PLUGIN_ADMINS.items():
        urls += _standard_urls(model_name, model_admin, objects[model_name])
    return sorted(urls, key=lambda url: url.name == "delete (post)")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_plugin_admin_is_in_the_matrix(every_object):
    assert set(PLUGIN_ADMINS) <= set(every_object)
    # The ones this matrix must never miss: they move credits.
    assert {"grantbatch", "account", "creditgroup", "modeprice", "credit"} <= set(PLUGIN_ADMINS)


def test_staff_without_permissions_get_403_and_change_nothing(every_object):
    staff = client_for(operator("staffer"))
    before = snapshot()
    answers = {str(url): url.call(staff).status_code for url in every_url(every_object)}
    assert {url: status for url, status in answers.items() if status != 403} == {}
    assert snapshot() == before


def test_staff_with_exactly_the_needed_permission_get_in(every_object):
    refused = {}
    for number, url in enumerate(every_url(every_object)):
        if url.needs is None:
            continue
        status = url.call(client_for(operator(f"op{number}", url.needs))).status_code
        if status == 403:
            refused[str(url)] = url.needs
    assert refused == {}


def test_superusers_get_in_and_nobody_gets_what_is_offered_to_nobody(every_object):
    root = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    wrong = {}
    for url in every_url(every_object):
        status = url.call(root).status_code
        if (status == 403) != (url.needs is None):
            wrong[str(url)] = status
    assert wrong == {}


# --- What the custom views do with the one permission they need ------------------------------------


def test_give_credits_queues_a_grant_and_nothing_less_will(every_object, django_capture_on_commit_callbacks):
    url = reverse("admin:credits_plugin_grantbatch_add")
    form = {
        "action": "grant",
        "target": "all",
        "amount": "5",
        "comment": "Everyone",
        "confirm": "yes",
        "idempotency_key": "admin:permission-test",
    }
    # Every permission on the batch model but the dedicated one is not enough.
    almost = operator(
        "almost",
        "credits_plugin.add_grantbatch",
        "credits_plugin.change_grantbatch",
        "credits_plugin.view_grantbatch",
        "credits_plugin.undo_batch",
    )
    assert client_for(almost).post(url, form).status_code == 403
    assert GrantBatch.objects.count() == 1

    giver = operator("giver", "credits_plugin.give_credits")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(giver).post(url, form)
    assert response.status_code == 302
    batch = GrantBatch.objects.exclude(pk=every_object["grantbatch"].pk).get()
    assert (batch.actor, batch.status) == (giver, "done")
    # Who gave may follow the batch they queued.
    assert client_for(giver).get(response["Location"]).status_code == 200


def test_set_balance_needs_give_credits(every_object):
    account = every_object["account"]
    url = reverse("admin:credits_plugin_account_set_balance", args=[account.pk])
    confirm = {"balance": "12.50", "comment": "Correction", "confirm": "yes", "key": "admin-adjust:1"}
    viewer = operator("viewer", "credits_plugin.view_account", "credits_plugin.change_account")
    assert client_for(viewer).post(url, confirm).status_code == 403
    assert api.balance(account).available == 5_150

    adjuster = operator("adjuster", "credits_plugin.give_credits")
    assert client_for(adjuster).post(url, confirm).status_code == 302
    assert api.balance(account).available == 1_250
    assert Transfer.objects.latest("pk").actor == adjuster


def test_undo_needs_undo_batch(every_object, django_capture_on_commit_callbacks):
    batch = every_object["grantbatch"]
    url = reverse("admin:credits_plugin_grantbatch_changelist")
    undo = {"action": "undo_batches", "_selected_action": [str(batch.pk)], "confirm": "yes"}
    account = every_object["account"]
    giver = operator("giver", "credits_plugin.give_credits", "credits_plugin.view_grantbatch")
    before = snapshot()
    client_for(giver).post(url, undo)
    assert snapshot() == before

    undoer = operator("undoer", "credits_plugin.undo_batch")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(undoer).post(url, undo)
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert api.balance(account).available == 4_900


def test_resume_needs_give_credits(every_object):
    batch = every_object["grantbatch"]
    GrantBatch.objects.filter(pk=batch.pk).update(status=GrantBatch.Status.FAILED)
    url = reverse("admin:credits_plugin_grantbatch_changelist")
    resume = {"action": "resume_batches", "_selected_action": [str(batch.pk)]}
    undoer = operator("undoer", "credits_plugin.undo_batch", "credits_plugin.view_grantbatch")
    before = snapshot()
    response = client_for(undoer).post(url, resume)
    assert response.status_code in (200, 302, 403)
    assert snapshot() == before

    giver = operator("giver", "credits_plugin.give_credits")
    client_for(giver).post(url, resume)
    batch.refresh_from_db()
    assert batch.status != GrantBatch.Status.FAILED


def test_group_import_needs_change_creditgroup(every_object):
    group = every_object["creditgroup"]
    newcomer = UserFactory(username="newcomer")
    url = reverse("admin:credits_plugin_creditgroup_import", args=[group.pk])
    confirm = {"confirm": "yes", "user_ids": [str(newcomer.pk)]}
    viewer = operator("viewer", "credits_plugin.view_creditgroup")
    assert client_for(viewer).post(url, confirm).status_code == 403
    assert not group.members.filter(pk=newcomer.pk).exists()
    editor = operator("editor", "credits_plugin.change_creditgroup")
    assert client_for(editor).post(url, confirm).status_code == 302
    assert group.members.filter(pk=newcomer.pk).exists()


def test_reverting_a_past_version_needs_change_not_view(every_object):
    tier = every_object["pricetier"]
    first = tier.history.earliest("history_id").history_id
    PriceTier.objects.filter(pk=tier.pk).update(price=3_000)
    url = reverse("admin:credits_plugin_pricetier_simple_history", args=[tier.pk, first])
    revert = {"name": "Gold", "price": "2000"}
    viewer = operator("viewer", "credits_plugin.view_pricetier")
    assert client_for(viewer).get(url).status_code == 200
    assert client_for(viewer).post(url, revert).status_code == 403
    tier.refresh_from_db()
    assert tier.price == 3_000
    editor = operator("editor", "credits_plugin.change_pricetier")
    assert client_for(editor).post(url, revert).status_code == 302
    tier.refresh_from_db()
    assert tier.price == 2_000


def test_links_to_custom_views_show_only_with_the_permission(every_object):
    account = every_object["account"]
    change = reverse("admin:credits_plugin_account_change", args=[account.pk])
    set_balance = reverse("admin:credits_plugin_account_set_balance", args=[account.pk])
    viewer = operator("viewer", "credits_plugin.view_account")
    assert set_balance not in client_for(viewer).get(change).content.decode()
    both = operator("both", "credits_plugin.view_account", "credits_plugin.give_credits")
    assert set_balance in client_for(both).get(change).content.decode()
    group_change = reverse("admin:credits_plugin_creditgroup_change", args=[every_object["creditgroup"].pk])
    group_import = reverse("admin:credits_plugin_creditgroup_import", args=[every_object["creditgroup"].pk])
    group_viewer = operator("gviewer", "credits_plugin.view_creditgroup")
    assert group_import not in client_for(group_viewer).get(group_change).content.decode()
    assert CreditGroup.objects.count() == 1

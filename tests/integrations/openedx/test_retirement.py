"""The retirement receiver: a retired user leaves groups and organisations, and keeps the money."""

import pytest

from credits_plugin import api
from credits_plugin.wallets.models import CreditGroup, Organisation, OrganisationMember
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def available(user):
    return api.balance(api.user_wallet(user)).available


@pytest.fixture
def people():
    users = [UserFactory(username=f"u{i}") for i in range(5)]
    UserFactory(username="gone", is_active=False)
    nurses = CreditGroup.objects.create(name="Nurses")
    nurses.members.add(users[0], users[1])
    org = Organisation.objects.create(key="HealthU", name="Health University")
    OrganisationMember.objects.create(organisation=org, user=users[2])
    return users


def assert_ledger_ok():
    report = api.verify_ledger()
    assert report.ok, report.problems


class TestRetirement:
    def test_retirement_signal_removes_memberships_and_keeps_money(self, people):
        from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_CRITICAL

        user = people[0]
        api.grant(account=api.user_wallet(user), amount=300, idempotency_key="g")
        OrganisationMember.objects.create(organisation=Organisation.objects.get(key="HealthU"), user=user)
        USER_RETIRE_LMS_CRITICAL.send(
            sender=None, user=user, retired_username="retired_x", retired_email="x@retired"
        )
        assert not OrganisationMember.objects.filter(user=user).exists()
        assert not CreditGroup.objects.filter(members=user).exists()
        assert available(user) == 300
        assert_ledger_ok()

    def test_retirement_receiver_never_raises(self):
        from credits_plugin.integrations.openedx.retirement import on_user_retired

        on_user_retired(sender=None, user="not a user")
        on_user_retired(sender=None)

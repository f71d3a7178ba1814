"""The retirement receiver: a retired user leaves groups and organisations, and keeps the money."""

import pytest

from credits_plugin import api
from credits_plugin.wallets.models import CreditGroup, Organisation, OrganisationMember
from tests.factories import assert_ledger_ok, available, people_with_group_and_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return people_with_group_and_organisation()


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

"""manage.py seed_demo: fills the demo host, runs twice without change, leaves a balanced ledger."""

import pytest
from common.djangoapps.course_modes.models import CourseMode
from common.djangoapps.student.models import CourseEnrollment
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from lms.djangoapps.certificates.models import GeneratedCertificate
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

from credits_plugin import api
from credits_plugin.wallets.models import CreditGroup, Organisation
from credits_plugin.wallets.selectors import target_users

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    user_model = get_user_model()
    return {
        "users": user_model.objects.count(),
        "groups": Group.objects.count(),
        "courses": CourseOverview.objects.count(),
        "modes": CourseMode.objects.count(),
        "enrolments": CourseEnrollment.objects.filter(is_active=True).count(),
        "certificates": GeneratedCertificate.objects.count(),
        "credit_groups": sorted(CreditGroup.objects.values_list("name", flat=True)),
        "organisation_wallet": api.balance(api.organisation_wallet("HealthU")).balance
        if Organisation.objects.filter(key="HealthU").exists()
        else None,
        "balances": {
            user.username: (b.balance, b.held)
            for user in user_model.objects.filter(is_staff=False)
            for b in [api.balance(api.user_wallet(user))]
        },
    }


def test_seed_demo_twice(capsys):
    call_command("seed_demo")
    first = snapshot()
    out = capsys.readouterr().out
    assert "How to sign in" in out
    assert "alice" in out

    call_command("seed_demo")

    assert snapshot() == first
    assert api.verify_ledger().ok
    assert first["users"] == 5
    assert 3 <= first["courses"] <= 4
    user_model = get_user_model()
    operator = user_model.objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff and operator.check_password("operator")
    assert user_model.objects.get(username="author").is_staff
    assert user_model.objects.get(username="carol").check_password("carol")
    assert set(Group.objects.get(name="Nurses").user_set.values_list("username", flat=True)) == {
        "alice",
        "bob",
    }
    assert set(Group.objects.get(name="Engineers").user_set.values_list("username", flat=True)) == {
        "bob",
        "carol",
    }
    assert {m.mode_slug for m in CourseMode.objects.all()} == {"audit", "verified", "professional"}
    # Operators give credits to the seeded groups and organisation by the names shown in the demo.
    assert first["credit_groups"] == ["Engineers", "Nurses"]
    assert set(target_users(target="group", target_value="Nurses").values_list("username", flat=True)) == {
        "alice",
        "bob",
    }
    assert first["organisation_wallet"] == 50_000
    members = target_users(target="organisation", target_value="HealthU")
    assert set(members.values_list("username", flat=True)) == {"alice", "bob"}
    alice = api.balance(api.user_wallet(user_model.objects.get(username="alice")))
    assert alice.held > 0 and alice.available == alice.balance - alice.held
    assert first["certificates"] == 1


def test_seed_demo_only_runs_in_the_demo_host(settings):
    del settings.CREDITS_DEMO_HOST

    with pytest.raises(CommandError, match="demo host"):
        call_command("seed_demo")

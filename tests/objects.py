"""One object of every plugin model (the ``every_object`` fixture, offered to every test by
tests/conftest.py), and a snapshot of everything the plugin stores: what the permission matrices
of the admin (tests/test_admin.py) and the REST API (tests/rest_api/test_permissions.py) need."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.utils import timezone

from credits_plugin import api
from credits_plugin.awards.models import AwardedCredit, CourseCredit
from credits_plugin.pricing.models import CourseTier, CurrencyValue, ModePrice, PriceTier
from credits_plugin.purchases.models import Purchase
from credits_plugin.wallets.models import CreditGroup, EarningRule, Organisation, OrganisationMember
from tests.factories import UserFactory, make_paid_course

COURSE = "course-v1:DemoX+Perms+2026"


def snapshot() -> dict:
    """Every row of every plugin table (history included) and every user permission."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("credits_plugin").get_models()
    }
    rows["user_permissions"] = list(
        Permission.user_set.through.objects.order_by("pk").values_list("user_id", "permission_id")
    )
    return rows


@pytest.fixture
def every_object(db, django_capture_on_commit_callbacks):
    """At least one row of every model the plugin's admin shows, by model name."""
    learner = UserFactory(username="alice")
    wallet = api.user_wallet(learner)
    transfer = api.grant(account=wallet, amount=5_000, idempotency_key="perms-fund")
    hold = api.place_hold(account=wallet, amount=100, idempotency_key="perms-hold")
    group = CreditGroup.objects.create(name="Branch A")
    group.members.add(learner)
    organisation = Organisation.objects.create(key="HealthU", name="Health U")
    OrganisationMember.objects.create(organisation=organisation, user=learner)
    with django_capture_on_commit_callbacks(execute=True):
        batch = api.start_batch(
            action="grant", target="user", target_value="alice", amount=250, comment="Bonus", actor=None
        )
    course = make_paid_course(COURSE)
    tier = PriceTier.objects.create(name="Gold", price=2_000)
    credit_type = api.create_credit_type(name="CPE", reference_required=True)
    credit = api.create_credit(type=credit_type, name="Ethics", reference_number="CPE-1")
    course_credit = CourseCredit.objects.create(course_id=COURSE, credit=credit, amount=150)
    award = AwardedCredit.objects.create(
        user=learner,
        course_id=COURSE,
        credit=credit,
        amount=150,
        unit_label="hours",
        credit_name=credit.name,
        type_name=credit_type.name,
        issued_at=timezone.now(),
    )
    objects = {
        "unit": api.unit("credits"),
        "account": wallet,
        "transfer": transfer,
        "hold": hold,
        "lot": wallet.lots.first(),
        "creditgroup": group,
        "organisation": organisation,
        "earningrule": EarningRule.objects.create(name="Pass", amount=100),
        "grantbatch": batch,
        "currencyvalue": CurrencyValue.objects.create(currency="USD", credits_per_unit=100),
        "pricetier": tier,
        "coursetier": CourseTier.objects.create(course_key=course.id, tier=tier),
        "modeprice": ModePrice.objects.create(course_key=course.id, mode_slug="verified", price=1_000),
        "credittype": credit_type,
        "credit": credit,
        "coursecredit": course_credit,
        "awardedcredit": award,
        "learnerlicence": api.set_licence(user=learner, accrediting_body="NASBA", licence_number="L-1"),
        "purchase": Purchase.objects.create(
            idempotency_key="perms-purchase",
            user=learner,
            course_key=course.id,
            mode_slug="verified",
            account=wallet,
            amount=1_000,
        ),
    }
    missing = [name for name, value in objects.items() if value is None]
    assert not missing, missing
    return objects

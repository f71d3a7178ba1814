"""factory_boy factories shared by the tests."""

from datetime import timedelta

import factory
from common.djangoapps.course_modes.models import CourseMode
from django.contrib.auth import get_user_model
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

from credits_plugin import api


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_active = True


def make_paid_course(key: str, *, name: str = "A course", verified_price: int = 49) -> CourseOverview:
    """A course open for enrolment with a free audit mode and a paid verified mode (whole USD)."""
    course_key = CourseKey.from_string(key)
    now = timezone.now()
    overview = CourseOverview.objects.create(
        id=course_key,
        display_name=name,
        org=course_key.org,
        start=now,
        end=now + timedelta(days=60),
        enrollment_start=now - timedelta(days=1),
        enrollment_end=now + timedelta(days=30),
    )
    CourseMode.objects.create(course=overview, mode_slug="audit", mode_display_name="Audit", min_price=0)
    CourseMode.objects.create(
        course=overview, mode_slug="verified", mode_display_name="Verified", min_price=verified_price
    )
    return overview


def funded_user(amount: int = 10_000, **fields):
    """A learner whose own wallet holds ``amount`` hundredths."""
    user = UserFactory(**fields)
    if amount:
        api.grant(account=api.user_wallet(user), amount=amount, idempotency_key=f"fund:{user.pk}")
    return user


def confirm_form(mode: str, price: int, pay_from: str = "personal") -> dict[str, str]:
    """What *Confirm and enrol* on the checkout page posts after a summary of ``mode`` at
    ``price`` hundredths paid from ``pay_from``."""
    return {
        "mode": mode,
        "pay_from": pay_from,
        "quoted_mode": mode,
        "quoted_pay_from": pay_from,
        "quoted_price": str(price),
        "confirm": "1",
    }


def grant_permissions(user, *names: str):
    """Give ``user`` the permissions ``names`` ('credits_plugin.give_credits', ...); returns the
    user fresh from the database, so that its permission cache is empty."""
    from django.contrib.auth.models import Permission

    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)


def operator(username: str = "operator", *names: str, **fields):
    """A staff user holding exactly the permissions ``names``."""
    return grant_permissions(UserFactory(username=username, is_staff=True, **fields), *names)


def available(user) -> int:
    """The available balance of ``user``'s wallet, in hundredths."""
    from credits_plugin import api

    return api.balance(api.user_wallet(user)).available


def assert_ledger_ok() -> None:
    """Every account's cached balance equals its entries (``verify_ledger``)."""
    from credits_plugin import api

    report = api.verify_ledger()
    assert report.ok, report.problems


def people_with_group_and_organisation() -> list:
    """Five active users (u0-u4) and an inactive one; u0 and u1 in the group Nurses, u2 a member
    of the organisation HealthU."""
    from credits_plugin.wallets.models import CreditGroup, Organisation, OrganisationMember

    users = [UserFactory(username=f"u{i}") for i in range(5)]
    UserFactory(username="gone", is_active=False)
    CreditGroup.objects.create(name="Nurses").members.add(users[0], users[1])
    org = Organisation.objects.create(key="HealthU", name="Health University")
    OrganisationMember.objects.create(organisation=org, user=users[2])
    return users

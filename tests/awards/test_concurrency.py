"""Awards under real concurrency, on PostgreSQL and MariaDB (deselected on SQLite): a certificate
event delivered to many workers at once awards each credit once, and a second credit of a
single-credit type put on a course by two authors at once is refused for one of them."""

from __future__ import annotations

import pytest

from credits_plugin import api, exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit
from tests.awards.conftest import COURSE
from tests.factories import UserFactory, make_paid_course
from tests.ledger.test_concurrency import kinds, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_simultaneous_awards_make_one_row_per_credit():
    make_paid_course(COURSE)
    cle = api.create_credit_type(name="CLE", allow_multiple_per_course=True)
    for name in ("Ethics", "Skills"):
        api.set_course_credit(course_id=COURSE, credit=api.create_credit(type=cle, name=name), amount=150)
    learner = UserFactory(username="racer")

    results = run_threads(
        lambda i: len(api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="c1")), n=8
    )

    assert all(not isinstance(r, BaseException) for r in results), results
    assert AwardedCredit.objects.filter(user=learner).count() == 2


def test_simultaneous_second_credit_of_a_single_credit_type():
    make_paid_course(COURSE)
    cpe = api.create_credit_type(name="CPE")
    credits = [api.create_credit(type=cpe, name=f"Credit {n}") for n in range(8)]

    results = run_threads(
        lambda i: api.set_course_credit(course_id=COURSE, credit=credits[i], amount=100), n=8
    )

    assert kinds(results)["CourseCredit"] == 1
    assert kinds(results)["OneCreditPerType"] == 7
    assert CourseCredit.objects.filter(course_id=COURSE).count() == 1
    assert all(isinstance(r, (CourseCredit, exceptions.OneCreditPerType)) for r in results)

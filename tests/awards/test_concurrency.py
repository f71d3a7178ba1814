"""Awards under real concurrency, on PostgreSQL and MariaDB (deselected on SQLite).

As in ``tests/ledger/test_concurrency.py``, each test's docstring names the guarantee it proves:
a **locking** test fails when the row locks are taken out (and
:func:`test_the_locking_tests_fail_without_row_locks` checks that it does), a **uniqueness**
test proves what a unique index guarantees and passes without the locks.
"""

from __future__ import annotations

import pytest

from credits_plugin import api, exceptions
from credits_plugin.awards.models import AwardedCredit, CourseCredit, Credit, CreditType
from credits_plugin.awards.selectors import courses_with_several
from tests.awards.conftest import COURSE
from tests.factories import UserFactory, make_paid_course
from tests.ledger.test_concurrency import assert_fails_without_row_locks, kinds, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


# --- Locking --------------------------------------------------------------------------------------


def test_simultaneous_second_credit_of_a_single_credit_type():
    """Locking: 8 authors put 8 different credits of a single-credit type on one course at once.
    No index can refuse the second (they are different credits); the type's row lock makes the
    check and the insert one step: exactly one is put on, 7 are refused."""
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


def test_a_type_switched_to_one_credit_per_course_while_second_credits_are_added():
    """Locking: 8 operators switch a type to one credit per course while 8 authors each add a
    second credit of it to one of 8 courses. The type's row lock orders the switch's check
    against the additions: whatever wins, a type that allows one credit per course never ends up
    on a course with two, and each refusal is OneCreditPerType."""
    cle = api.create_credit_type(name="CLE", allow_multiple_per_course=True)
    first, second = (api.create_credit(type=cle, name=name) for name in ("Ethics", "Skills"))
    courses = [f"course-v1:DemoX+Race{k}+2026" for k in range(8)]
    for course in courses:
        make_paid_course(course)
        api.set_course_credit(course_id=course, credit=first, amount=100)

    def work(i: int):
        if i < 8:
            return api.set_course_credit(course_id=courses[i], credit=second, amount=100)
        return api.update_credit_type(cle, allow_multiple_per_course=False)

    results = run_threads(work)

    assert all(isinstance(r, (CourseCredit, CreditType, exceptions.OneCreditPerType)) for r in results), (
        results
    )
    added = kinds(results[:8])["CourseCredit"]
    switched = kinds(results[8:])["CreditType"]
    cle.refresh_from_db()
    assert cle.allow_multiple_per_course is (switched == 0)
    if not cle.allow_multiple_per_course:
        assert not courses_with_several(cle)
    assert CourseCredit.objects.filter(credit=second).count() == added


def test_a_revocation_delivered_to_many_workers_revokes_each_award_once():
    """Locking: a certificate's revocation reaches 8 workers at once. The lock on the award rows
    lets one worker revoke each award and the others, reading them again once it commits, find
    nothing left to revoke: the counts they report add up to the learner's 2 awards."""
    make_paid_course(COURSE)
    cle = api.create_credit_type(name="CLE", allow_multiple_per_course=True)
    for name in ("Ethics", "Skills"):
        api.set_course_credit(course_id=COURSE, credit=api.create_credit(type=cle, name=name), amount=150)
    learner = UserFactory(username="revoked")
    api.award_for_certificate(user=learner, course_id=COURSE, certificate_id="c1")

    results = run_threads(lambda i: api.revoke_for_certificate(user=learner, course_id=COURSE), n=8)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2, results
    assert set(AwardedCredit.objects.filter(user=learner).values_list("status", flat=True)) == {
        AwardedCredit.Status.REVOKED
    }


def test_credits_moved_to_a_single_credit_type_while_authors_add_credits_of_that_type():
    """Locking: 8 operators each move a credit, carried by a course, to a one-credit-per-course
    type while 8 authors each add another credit of that type to the same course. Both changes
    check the same rule (one credit of the type per course) and both lock the type's row, so
    whichever goes first, the other is refused: no course ends up with two credits of the type."""
    cle = api.create_credit_type(name="CLE", allow_multiple_per_course=True)
    cpe = api.create_credit_type(name="CPE")
    courses = [f"course-v1:DemoX+Move{k}+2026" for k in range(8)]
    moved = [api.create_credit(type=cle, name=f"Ethics {k}") for k in range(8)]
    added = [api.create_credit(type=cpe, name=f"Skills {k}") for k in range(8)]
    for course, credit in zip(courses, moved, strict=True):
        make_paid_course(course)
        api.set_course_credit(course_id=course, credit=credit, amount=100)

    def work(i: int):
        k = i // 2
        if i % 2:
            return api.set_course_credit(course_id=courses[k], credit=added[k], amount=100)
        return api.update_credit(moved[k], type=cpe)

    results = run_threads(work)

    assert all(isinstance(r, (CourseCredit, Credit, exceptions.OneCreditPerType)) for r in results), results
    assert not courses_with_several(cpe)
    assert kinds(results)["OneCreditPerType"] == 8  # one of each pair


# --- Uniqueness -----------------------------------------------------------------------------------


def test_simultaneous_awards_make_one_row_per_credit():
    """Uniqueness: a certificate event delivered to 8 workers at once awards each of the course's
    2 credits once; the unique index on (learner, course, credit) refuses the others' inserts.
    (No row lock plays a part: this passes without them.)"""
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


# --- The locking tests prove their locks --------------------------------------------------------------

LOCKING_TESTS = [
    test_simultaneous_second_credit_of_a_single_credit_type,
    test_a_type_switched_to_one_credit_per_course_while_second_credits_are_added,
    test_a_revocation_delivered_to_many_workers_revokes_each_award_once,
    test_credits_moved_to_a_single_credit_type_while_authors_add_credits_of_that_type,
]


@pytest.mark.parametrize("test", LOCKING_TESTS, ids=lambda t: t.__name__.removeprefix("test_"))
def test_the_locking_tests_fail_without_row_locks(test):
    """Each locking test fails when every ``FOR UPDATE`` is taken out of the SQL."""
    assert_fails_without_row_locks(test)

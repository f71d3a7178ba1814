"""seed_demo awards the demo learner the credits of a course (see tests/sandbox/test_seed_demo.py
for the rest of the demo data)."""

import pytest
from django.core.management import call_command

from credits_plugin import api
from credits_plugin.awards.models import CourseCredit

pytestmark = pytest.mark.django_db


def test_seed_demo_awards_credits_to_the_demo_learner():
    call_command("seed_demo")
    call_command("seed_demo")

    alice = api.find_user("alice")
    awards = list(api.awards(user=alice))
    assert [(a.course_id, a.credit_name, a.amount) for a in awards] == [
        ("course-v1:DemoX+Py101+2026", "Information Technology", 150)
    ]
    assert CourseCredit.objects.count() == 4

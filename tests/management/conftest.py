"""The awarded-credit fixtures (tests/awards/conftest.py), for the commands that award them."""

from tests.awards.conftest import cle, course, course_key, cpe, ethics, learner, other_course  # noqa: F401

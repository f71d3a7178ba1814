"""The awarded-credit fixtures (tests/awards/conftest.py): the receivers and filter steps tested
here award and print them."""

from tests.awards.conftest import cle, course, course_key, cpe, ethics, learner, other_course  # noqa: F401

"""Shared fixtures. The database engine comes from CREDITS_DB (see sandbox/host/settings.py)."""

import os

import pytest
from django.db import connection

from credits_plugin.ledger import services as ledger_services
from tests.objects import every_object  # noqa: F401 (a fixture, offered to every test)


def pytest_collection_modifyitems(config, items):
    """Deselect tests that need what this run does not have.

    Concurrency tests need a server with row locks: they run on PostgreSQL and MariaDB and are
    deselected (not skipped) on SQLite. Browser tests run in their own pass (``-m browser``).
    """
    engine = os.environ.get("CREDITS_DB", "sqlite")
    markexpr = config.getoption("markexpr") or ""
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("concurrency") and engine == "sqlite") or (
            item.get_closest_marker("browser") and "browser" not in markexpr
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_ledger_caches():
    """Cached system-account ids must not outlive the test database rows they point to."""
    ledger_services.forget_cached_ids()
    yield
    ledger_services.forget_cached_ids()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttles count in the cache: every test starts with no requests counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def db_vendor():
    return connection.vendor


@pytest.fixture
def enrollment_events():
    """The enrolment events on: another test may have switched them off."""
    from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED, COURSE_UNENROLLMENT_COMPLETED

    COURSE_ENROLLMENT_CREATED.enable()
    COURSE_UNENROLLMENT_COMPLETED.enable()

"""Stand-in for ``common/djangoapps/student/auth.py``: who may author a course.

The platform answers from its course access roles (global staff, the course's instructors and
staff, the organisation's roles). The demo keeps course roles as Django groups named
``course_staff:<course key>`` and ``instructor:<course key>``.
"""

from __future__ import annotations

COURSE_ROLE_GROUPS = ("course_staff", "instructor")


def course_role_group_names(course_key) -> list[str]:
    return [f"{role}:{course_key}" for role in COURSE_ROLE_GROUPS]


def user_has_role(user, course_key) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.groups.filter(name__in=course_role_group_names(course_key)).exists()


def has_studio_write_access(user, course_key) -> bool:
    """Global staff, superusers, and the course's staff and instructors may edit the course."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user_has_role(user, course_key)


def has_studio_read_access(user, course_key) -> bool:
    return has_studio_write_access(user, course_key)

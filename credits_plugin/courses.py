"""Course keys: the one place that turns text into a course key and checks the course exists.

Every domain, the api and the faces take course ids through these functions, so an invalid key
is always :class:`~credits_plugin.exceptions.InvalidCourseKey` (400) and a key of no course is
always :class:`~credits_plugin.exceptions.UnknownCourse` (404).
"""

from __future__ import annotations

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from credits_plugin import exceptions
from credits_plugin.conf import platform

__all__ = ["course_exists", "course_name", "parse_course_key", "require_course"]


def parse_course_key(course_id) -> CourseKey:
    """``course_id`` (text or a CourseKey) as a CourseKey; refuses with InvalidCourseKey."""
    if isinstance(course_id, CourseKey):
        return course_id
    try:
        return CourseKey.from_string(str(course_id))
    except InvalidKeyError as exc:
        raise exceptions.InvalidCourseKey(course_id=str(course_id)) from exc


def course_exists(course_key) -> bool:
    """Whether the platform knows the course (``course_key`` already parsed)."""
    return platform().get_course_overview(course_key) is not None


def require_course(course_id) -> CourseKey:
    """The course key of an existing course; refuses with InvalidCourseKey (400) or
    UnknownCourse (404)."""
    course_key = parse_course_key(course_id)
    if not course_exists(course_key):
        raise exceptions.UnknownCourse(course_id=str(course_key))
    return course_key


def course_name(course_id) -> str:
    """The course's display name, or its key when the course is gone or the key is not one."""
    try:
        overview = platform().get_course_overview(parse_course_key(course_id))
    except exceptions.InvalidCourseKey:
        return str(course_id)
    return (getattr(overview, "display_name", "") or "") or str(course_id)

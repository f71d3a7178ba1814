"""Stand-in for ``openedx/core/djangoapps/content/course_overviews/models.py``.

In the platform a CourseOverview is a cache of the course in the modulestore; here the row is the
course itself. The field names, the primary key and ``get_from_id`` are the platform's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey


class CourseOverview(models.Model):
    """One course run, keyed by its course key (``course-v1:Org+Number+Run``)."""

    id = CourseKeyField(db_index=True, primary_key=True, max_length=255, help_text=_("The course key."))
    display_name = models.TextField(null=True, help_text=_("The course's title."))
    org = models.TextField(max_length=255, default="outdated_entry", help_text=_("The organisation."))
    start = models.DateTimeField(null=True, help_text=_("When the course starts."))
    end = models.DateTimeField(null=True, blank=True, help_text=_("When the course ends."))
    enrollment_start = models.DateTimeField(null=True, blank=True, help_text=_("When enrolment opens."))
    enrollment_end = models.DateTimeField(null=True, blank=True, help_text=_("When enrolment closes."))
    max_student_enrollments_allowed = models.IntegerField(
        null=True, blank=True, help_text=_("Most learners that may enrol; empty for no limit.")
    )
    short_description = models.TextField(null=True, blank=True, help_text=_("A sentence or two about it."))
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "course_overviews"
        verbose_name = _("course overview")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.id})"

    @classmethod
    def get_from_id(cls, course_id: CourseKey | str) -> CourseOverview:
        """The overview of ``course_id``; raises ``CourseOverview.DoesNotExist`` when there is none."""
        if isinstance(course_id, str):
            course_id = CourseKey.from_string(course_id)
        return cls.objects.get(id=course_id)

    @classmethod
    def get_from_ids(cls, course_ids: Iterable[CourseKey]) -> dict[CourseKey, CourseOverview | None]:
        """Overviews by course key; None for keys with no course."""
        course_ids = list(course_ids)
        found = {overview.id: overview for overview in cls.objects.filter(id__in=course_ids)}
        return {course_id: found.get(course_id) for course_id in course_ids}

    @classmethod
    def get_all_courses(cls, orgs: Iterable[str] | None = None, filter_: dict | None = None):
        """Every course, optionally only those of ``orgs`` and matching ``filter_``."""
        courses = cls.objects.all()
        if orgs:
            courses = courses.filter(org__in=list(orgs))
        if filter_:
            courses = courses.filter(**filter_)
        return courses

    @property
    def display_name_with_default(self) -> str:
        return self.display_name or str(getattr(self.id, "course", ""))

    @property
    def display_org_with_default(self) -> str:
        return self.org

    @property
    def display_number_with_default(self) -> str:
        return str(getattr(self.id, "course", ""))

    def has_started(self) -> bool:
        return self.start is None or self.start <= timezone.now()

    def has_ended(self) -> bool:
        return self.end is not None and self.end < timezone.now()

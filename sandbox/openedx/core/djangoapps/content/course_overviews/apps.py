"""App configuration of the course_overviews stand-in."""

from django.apps import AppConfig


class CourseOverviewsConfig(AppConfig):
    name = "openedx.core.djangoapps.content.course_overviews"
    label = "course_overviews"
    verbose_name = "Course overviews"
    default_auto_field = "django.db.models.AutoField"

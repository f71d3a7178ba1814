"""Admin of the course_overviews stand-in: in the demo, courses are edited here."""

from django.contrib import admin

from openedx.core.djangoapps.content.course_overviews.models import CourseOverview


@admin.register(CourseOverview)
class CourseOverviewAdmin(admin.ModelAdmin):
    list_display = ("id", "display_name", "org", "start", "enrollment_end", "max_student_enrollments_allowed")
    search_fields = ("id", "display_name", "org")

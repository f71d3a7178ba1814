"""Admin of the course_modes stand-in."""

from django.contrib import admin

from common.djangoapps.course_modes.models import CourseMode


@admin.register(CourseMode)
class CourseModeAdmin(admin.ModelAdmin):
    list_display = (
        "course",
        "mode_slug",
        "mode_display_name",
        "min_price",
        "currency",
        "_expiration_datetime",
    )
    list_filter = ("mode_slug", "currency")
    search_fields = ("course__id", "mode_slug")

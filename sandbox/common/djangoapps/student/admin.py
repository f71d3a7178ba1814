"""Admin of the student stand-in (read-mostly: enrol through the pages so that events are sent)."""

from django.contrib import admin

from common.djangoapps.student.models import CourseEnrollment


@admin.register(CourseEnrollment)
class CourseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "mode", "is_active", "created")
    list_filter = ("mode", "is_active")
    search_fields = ("user__username", "course__id")
    readonly_fields = ("user", "course", "mode", "is_active", "created")

"""Admin of the certificates stand-in (read-mostly: issue and revoke from the course page)."""

from django.contrib import admin

from lms.djangoapps.certificates.models import GeneratedCertificate


@admin.register(GeneratedCertificate)
class GeneratedCertificateAdmin(admin.ModelAdmin):
    list_display = ("user", "course_id", "mode", "status", "grade", "modified_date")
    list_filter = ("status", "mode")
    search_fields = ("user__username", "course_id", "verify_uuid")
    readonly_fields = (
        "user",
        "course_id",
        "verify_uuid",
        "status",
        "mode",
        "grade",
        "created_date",
        "modified_date",
    )

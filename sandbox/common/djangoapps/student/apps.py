"""App configuration of the student stand-in."""

from django.apps import AppConfig


class StudentConfig(AppConfig):
    name = "common.djangoapps.student"
    label = "student"
    verbose_name = "Student"
    default_auto_field = "django.db.models.AutoField"

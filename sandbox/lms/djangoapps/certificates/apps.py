"""App configuration of the certificates stand-in."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "lms.djangoapps.certificates"
    label = "certificates"
    verbose_name = "Certificates"
    default_auto_field = "django.db.models.AutoField"

"""Certificate URLs at the platform's paths (``lms/urls.py``)."""

from django.urls import path, re_path

from lms.djangoapps.certificates.views import webview

app_name = "certificates"

COURSE_ID_PATTERN = r"(?P<course_id>[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+)"

urlpatterns = [
    path("certificates/<str:certificate_uuid>", webview.render_cert_by_uuid, name="render_cert_by_uuid"),
    re_path(
        rf"^certificates/user/(?P<user_id>[^/]*)/course/{COURSE_ID_PATTERN}$",
        webview.render_html_view,
        name="html_view",
    ),
]

"""URLs of the demo host: its pages, the certificate views at the platform's paths, the admin, then
every plugin's URLs as lms/urls.py adds them."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from edx_django_utils.plugins import get_plugin_url_patterns

from host import mfe_demo, views
from host.demo_accounts import DEMO_ACCOUNTS

# The platform's course id pattern (openedx/core/constants.py COURSE_ID_PATTERN).
COURSE_ID = r"(?P<course_id>[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+)"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="host/login.html",
            redirect_authenticated_user=True,
            extra_context={"demo_accounts": DEMO_ACCOUNTS},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    re_path(rf"^courses/{COURSE_ID}/about/?$", views.course_about, name="about_course"),
    re_path(rf"^courses/{COURSE_ID}/enroll/$", views.enroll, name="enroll"),
    re_path(rf"^courses/{COURSE_ID}/unenroll/$", views.unenroll, name="unenroll"),
    re_path(rf"^courses/{COURSE_ID}/certificates/issue/$", views.issue_certificate, name="issue_certificate"),
    re_path(
        rf"^courses/{COURSE_ID}/certificates/revoke/$", views.revoke_certificate, name="revoke_certificate"
    ),
    # Demo only: a stand-in MFE host for the plugin's frontend widgets (frontend/).
    path("mfe-demo/", mfe_demo.mfe_demo, name="mfe_demo"),
    path("mfe-demo/assets/<path:name>", mfe_demo.mfe_demo_asset, name="mfe_demo_asset"),
    re_path(r"^api/learner_home/init/?$", mfe_demo.learner_home_init, name="learner_home_init"),
    path("", include("lms.djangoapps.certificates.urls")),
    path("admin/", admin.site.urls),
    # Django's set_language view at /i18n/setlang/: the language menu of the site header.
    path("i18n/", include("django.conf.urls.i18n")),
    *get_plugin_url_patterns("lms.djangoapp"),
]

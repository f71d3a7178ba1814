"""Demo only: a stand-in micro-frontend host for the plugin's MFE widgets (frontend/).

In a current Open edX the learner dashboard and the header are micro-frontends that render the
widgets of ``@credits-plugin/frontend-plugin-credits`` in their plugin slots. This page plays that
part in the demo: it loads the bundle built from ``frontend/demo/`` (``make frontend``), which
mounts the three widgets as the slots would, against this host's real plugin API. The learner
dashboard's data endpoint, ``/api/learner_home/init``, is stood in for here as well, with the
fields the widgets read (``courses[].courseRun.courseId``, ``course.courseName``,
``enrollment.mode``): the dashboard's course cards are ``card-<index>`` of that list.
"""

from __future__ import annotations

import mimetypes

from common.djangoapps.student.models import CourseEnrollment
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

BUNDLE_ENTRY = "assets/demo.js"


@login_required
def mfe_demo(request: HttpRequest) -> HttpResponse:
    """The host page: the header's user menu and the course cards, filled by the bundle."""
    built = (settings.MFE_DEMO_BUNDLE_DIR / BUNDLE_ENTRY).is_file()
    return render(
        request,
        "host/mfe_demo.html",
        {"bundle_built": built, "lms_base_url": request.build_absolute_uri("/").rstrip("/")},
    )


def mfe_demo_asset(request: HttpRequest, name: str) -> FileResponse:
    """A file of the built bundle (frontend/dist-demo/assets/)."""
    root = (settings.MFE_DEMO_BUNDLE_DIR / "assets").resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404(_("The MFE demo bundle has no such file; build it with `make frontend`."))
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        content_type = "text/javascript"
    return FileResponse(path.open("rb"), content_type=content_type)


def learner_home_init(request: HttpRequest) -> JsonResponse:
    """Stand-in for the LMS's ``/api/learner_home/init``: the signed-in learner's course cards."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Authentication credentials were not provided.")}, status=401)
    enrollments = (
        CourseEnrollment.objects.filter(user=request.user, is_active=True)
        .select_related("course")
        .order_by("created", "pk")
    )
    courses = [
        {
            "course": {"courseName": e.course.display_name_with_default, "courseNumber": e.course.id.course},
            "courseRun": {"courseId": str(e.course_id), "isArchived": False},
            "enrollment": {"isEnrolled": True, "mode": e.mode, "isVerified": e.mode != "audit"},
        }
        for e in enrollments
    ]
    return JsonResponse({"courses": courses})

"""Version 1 of the REST API, under /api/credits_plugin/v1/."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from credits_plugin.rest_api.v1 import awards, wallets
from credits_plugin.rest_api.v1.base import CreditsSchemaGenerator

COURSE_ID = r"(?P<course_id>[^/]+)"

urlpatterns = [
    path("wallet/", wallets.WalletView.as_view(), name="wallet"),
    path("wallet/history/", wallets.WalletHistoryView.as_view(), name="wallet-history"),
    path("wallets/<str:username>/adjustment/", wallets.AdjustmentView.as_view(), name="wallet-adjustment"),
    path("batches/", wallets.BatchListView.as_view(), name="batches"),
    path("batches/<uuid:batch_id>/", wallets.BatchDetailView.as_view(), name="batch"),
    path("batches/<uuid:batch_id>/undo/", wallets.BatchUndoView.as_view(), name="batch-undo"),
    re_path(rf"^courses/{COURSE_ID}/prices/$", wallets.CoursePricesView.as_view(), name="course-prices"),
    path("checkout/quote/", wallets.QuoteView.as_view(), name="checkout-quote"),
    path("checkout/", wallets.CheckoutView.as_view(), name="checkout"),
    path("credit-types/", awards.CreditTypeListView.as_view(), name="credit-types"),
    path("credit-types/<int:type_id>/", awards.CreditTypeDetailView.as_view(), name="credit-type"),
    path("credits/", awards.CreditListView.as_view(), name="credits"),
    path("credits/<int:credit_id>/", awards.CreditDetailView.as_view(), name="credit"),
    re_path(rf"^courses/{COURSE_ID}/credits/$", awards.CourseCreditsView.as_view(), name="course-credits"),
    path("awards/", awards.AwardListView.as_view(), name="awards"),
    path("awards/summary/", awards.AwardSummaryView.as_view(), name="awards-summary"),
    path("awards/transcript.csv", awards.TranscriptView.as_view(), name="awards-transcript"),
    path("awards/transcript.pdf", awards.TranscriptPdfView.as_view(), name="awards-transcript-pdf"),
]

# The OpenAPI schema documents this API only (not the whole LMS it is mounted in, nor itself).
# Its views carry drf-spectacular's AutoSchema themselves (base.CreditsAPIView) and its generator
# bases their @extend_schema classes on it: the LMS's REST_FRAMEWORK has no DEFAULT_SCHEMA_CLASS.
urlpatterns.append(
    path(
        "schema/",
        SpectacularAPIView.as_view(
            patterns=[path("api/credits_plugin/v1/", include(list(urlpatterns)))],
            generator_class=CreditsSchemaGenerator,
            custom_settings={"TITLE": "credits_plugin API", "VERSION": "v1"},
        ),
        name="schema",
    )
)


@csrf_exempt  # it changes nothing: a POST to a wrong address is a 404 too, not a CSRF failure
def not_found(request, *args, **kwargs):
    """Any other address under the API, e.g. ``credits/abc/``: a JSON 404 like every other error
    of the API, not the host's HTML page."""
    return JsonResponse(
        {"error_code": "not_found", "developer_message": _("There is no such address in this API.")},
        status=404,
    )


# Last, and only for addresses ending in a slash, so that Django still redirects "wallet" to "wallet/".
urlpatterns.append(re_path(r"^.*/$", not_found, name="not-found"))

"""Page URLs, under /credits/."""

from django.urls import path, re_path

from credits_plugin.views import awards, wallets

urlpatterns = [
    path("", wallets.my_credits, name="my-credits"),
    re_path(r"^checkout/(?P<course_id>[^/]+)/$", wallets.checkout, name="checkout"),
    path("checkout/done/<int:purchase_id>/", wallets.checkout_done, name="checkout-done"),
    path("awards/", awards.my_awards, name="my-awards"),
    path("awards/transcript.csv", awards.my_transcript, name="my-awards-transcript"),
    path("awards/transcript.pdf", awards.my_transcript_pdf, name="my-awards-transcript-pdf"),
    re_path(r"^courses/(?P<course_id>[^/]+)/credits/$", awards.course_credits, name="course-credits"),
]

"""Page URLs, under /credits/."""

from django.urls import path, re_path

from credits_plugin.views import wallets

urlpatterns = [
    path("", wallets.my_credits, name="my-credits"),
    re_path(r"^checkout/(?P<course_id>[^/]+)/$", wallets.checkout, name="checkout"),
    path("checkout/done/<int:purchase_id>/", wallets.checkout_done, name="checkout-done"),
]

"""URLs of the plugin, mounted by the platform through plugin_app's url_config."""

from django.urls import include, path

app_name = "credits_plugin"

urlpatterns = [
    path("api/credits_plugin/v1/", include("credits_plugin.rest_api.v1.urls")),
    path("credits/", include("credits_plugin.views.urls")),
]

"""Certificate views, as ``lms/djangoapps/certificates/views/__init__.py`` exports them."""

from lms.djangoapps.certificates.views.webview import render_cert_by_uuid, render_html_view

__all__ = ["render_cert_by_uuid", "render_html_view"]

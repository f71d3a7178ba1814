"""The admin base of every plugin model with a change history (django-simple-history).

django-simple-history lets whoever may *view* an object's history open a past version and save it
back ("revert"), which is a change. Here saving a past version needs the change permission, like
any other edit; viewing needs the view permission.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

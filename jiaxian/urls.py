"""Top-level routes: the admin (the clerks' home) and, as the issues add them, the API."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Jiaxian investment pipeline")
admin.site.site_title = _("Jiaxian investment pipeline")
admin.site.index_title = _("Ledgers")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]

"""Top-level routes: the admin (the clerks' home) and the REST API under /api/."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from rest_framework.routers import DefaultRouter

from investment.api import urls as investment_api
from projects.api import urls as projects_api

admin.site.site_header = _("Jiaxian investment pipeline")
admin.site.site_title = _("Jiaxian investment pipeline")
admin.site.index_title = _("Ledgers")

# One router for every resource, so that /api/ lists them all.
router = DefaultRouter()
for prefix, viewset in (*projects_api.routes, *investment_api.routes):
    router.register(prefix, viewset)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include(investment_api.urlpatterns)),
    path("api/", include(router.urls)),
]

"""Top-level routes: the admin (the clerks' home) with its dashboard of the year's targets, and
the REST API under /api/."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from rest_framework.routers import DefaultRouter

from investment import (
    chain_map_page,
    circular_page,
    dashboard,
    export_page,
    notification_pages,
    rankings_page,
    waiting,
)
from investment.api import urls as investment_api
from jiaxian import schema
from jiaxian.throttling import ThrottledAdminLoginForm
from jiaxian.token import ObtainToken
from projects import monthly_entry
from projects.api import urls as projects_api

admin.site.site_header = _("Jiaxian investment pipeline")
admin.site.site_title = _("Jiaxian investment pipeline")
admin.site.index_title = _("Ledgers")
# Too many failed passwords for a username and the login is refused for a while (settings).
admin.site.login_form = ThrottledAdminLoginForm

# One router for every resource, so that /api/ lists them all.
router = DefaultRouter()
for prefix, viewset in (*projects_api.routes, *investment_api.routes):
    router.register(prefix, viewset)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Before the admin's own routes, which would take it for an app label.
    path("admin/dashboard/", admin.site.admin_view(dashboard.dashboard), name="quota-dashboard"),
    path("admin/chains/<int:pk>/map/", admin.site.admin_view(chain_map_page.chain_map_page), name="chain-map"),
    path("admin/exports/quarterly/", admin.site.admin_view(export_page.quarterly_export), name="quarterly-export-page"),
    path("admin/rankings/", admin.site.admin_view(rankings_page.rankings_page), name="rankings-page"),
    path("admin/exports/circular/", admin.site.admin_view(circular_page.circular_export), name="circular-export-page"),
    path("admin/waiting/", admin.site.admin_view(waiting.waiting_page), name="waiting-for-me"),
    path("admin/notifications/", admin.site.admin_view(notification_pages.notification_list), name="my-notifications"),
    path(
        "admin/notifications/<int:pk>/read/",
        admin.site.admin_view(notification_pages.mark_read),
        name="my-notification-read",
    ),
    path(
        "admin/notifications/read-all/",
        admin.site.admin_view(notification_pages.mark_all_read),
        name="my-notifications-read-all",
    ),
    path(
        "admin/notifications/settings/",
        admin.site.admin_view(notification_pages.notification_settings),
        name="my-notification-settings",
    ),
    path("admin/progress/monthly/", admin.site.admin_view(monthly_entry.monthly_entry), name="monthly-entry"),
    path("admin/", admin.site.urls),
    # For signed-in users only, generated once per process (jiaxian/schema.py).
    path("api/schema/", schema.SchemaView.as_view(), name="schema"),
    path("api/docs/", schema.docs, name="api-docs"),
    path("api/token/", ObtainToken.as_view(), name="api-token"),
    path("api/", include(investment_api.urlpatterns)),
    path("api/", include(projects_api.urlpatterns)),
    path("api/", include(router.urls)),
]

handler400 = "jiaxian.views.bad_request"
handler404 = "jiaxian.views.not_found"
handler500 = "jiaxian.views.server_error"

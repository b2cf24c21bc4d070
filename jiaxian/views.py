"""Error pages: JSON for the API (its clients parse JSON, and the schema promises it), the
usual HTML pages everywhere else."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error; it has been logged.")}, status=500)
    return defaults.server_error(request)

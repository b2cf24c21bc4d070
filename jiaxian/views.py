"""Error pages: JSON for the API (its clients parse JSON, and the schema promises it), the
usual HTML pages everywhere else."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """Django's 400 (a SuspiciousOperation: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too
    many fields or files, a bad Host). Under /api/ in JSON, and a 413 when it is the body's
    size; elsewhere the usual page."""
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            {
                "detail": _("The request body is larger than the %(limit)s bytes accepted.")
                % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
            },
            status=413,
        )
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        detail = _("The request has more fields or files than the %(fields)s fields and %(files)s files accepted.") % {
            "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
    else:
        # Its reason (a bad Host header, say) is for the log, where Django writes it.
        detail = _("Bad request.")
    return JsonResponse({"detail": detail}, status=400)


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": _("Server error; it has been logged.")}, status=500)
    return defaults.server_error(request)

"""Error pages: JSON for the API (its clients parse JSON, and the schema promises it), the
usual HTML pages everywhere else; and the answer while the database cannot be reached (503)."""

import logging
import sys

import psycopg
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("jiaxian.outage")

# What a database that is down, restarting or out of connections raises: Django's wrappers of the
# driver's errors, and psycopg's own where one escapes them (a connection closed under it).
DATABASE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)

# A restart of PostgreSQL or a failover takes seconds to a minute.
OUTAGE_RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """Django's 400 (a SuspiciousOperation: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too
    many fields or files, a bad Host). Under /api/ in JSON, and a 413 when it is the body's
    size; elsewhere the usual page."""
    if not is_api(request):
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
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Raised outside a view (by a middleware), a database outage still reaches Django's 500
    # handler, with the exception being handled.
    exception = sys.exception()
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable(request, exception)
    if is_api(request):
        return JsonResponse({"detail": _("Server error; it has been logged.")}, status=500)
    return defaults.server_error(request)


def database_unavailable(request, exception: BaseException):
    """503 with ``Retry-After``: JSON ``{"detail"}`` under /api/, a plain page elsewhere. The page
    needs no database (no user, no session, no context processors), and neither answer says
    anything of the exception, which goes to the log."""
    logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
    response: HttpResponse
    if is_api(request):
        response = JsonResponse(
            {"detail": _("The database cannot be reached at the moment; try again after the seconds in Retry-After.")},
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    return response

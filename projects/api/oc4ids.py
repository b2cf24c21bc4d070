"""``/api/oc4ids/``: the key projects of a year as an OC4IDS project package, streamed
(``projects.oc4ids``), and ``/api/oc4ids/<id>/`` for one project. For readers of key projects
(``projects.view_keyproject``); for anyone else too when ``OC4IDS_PUBLIC`` is on, then without
``OC4IDS_PRIVATE_FIELDS``."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.views import APIView

from jiaxian import periods
from jiaxian.api import DateParameter, YearParameter, period_parameter
from projects import oc4ids
from projects.models import KeyProject

READ_PERMISSION = "projects.view_keyproject"


class OC4IDSReaders(permissions.BasePermission):
    """Readers of key projects; anyone when the public feed is on. Anonymous: 401; signed in
    without the permission: 403."""

    def has_permission(self, request, view):
        if request.user.has_perm(READ_PERMISSION) or settings.OC4IDS_PUBLIC:
            return True
        if request.user.is_authenticated:
            raise PermissionDenied(
                _("The OC4IDS publication needs the permission %(perm)s.") % {"perm": READ_PERMISSION}
            )
        return False


class ProjectQuerySerializer(serializers.Serializer):
    as_of = DateParameter(
        required=False, help_text="The day the projects are published as of (default: today, or the year's last day)."
    )
    known_on = DateParameter(
        required=False,
        help_text=(
            "Count the monthly reports as approved by the end of this day (default: today); the package's uri says it."
        ),
    )


class PackageQuerySerializer(ProjectQuerySerializer):
    year = YearParameter(help_text="The year whose key list is published.")


# The package as OpenAPI can say it; its projects follow OC4IDS 0.9's project schema.
PACKAGE_SCHEMA = {
    "type": "object",
    "description": (
        "An OC4IDS 0.9 project package (https://standard.open-contracting.org/infrastructure/). "
        "Amounts are JSON numbers in yuan with currency CNY."
    ),
    "properties": {
        "uri": {"type": "string", "format": "uri"},
        "publisher": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        "publishedDate": {"type": "string", "format": "date-time"},
        "version": {"type": "string", "enum": [oc4ids.VERSION]},
        "projects": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
    "required": ["uri", "publisher", "publishedDate", "version", "projects"],
}
RESPONSES = {
    200: OpenApiResponse(response=PACKAGE_SCHEMA, description="The package, streamed."),
    400: OpenApiResponse(description="A bad parameter, named."),
    401: OpenApiResponse(description="Not signed in (and the public feed is off)."),
    403: OpenApiResponse(description="Signed in without projects.view_keyproject (and the public feed is off)."),
    404: OpenApiResponse(description="No such project, or none listed for the year by the day."),
}


def _query(request, serializer_class) -> dict:
    """The parameters ``serializer_class`` describes, each read by its ``periods`` parser from the
    raw query (a blank one is a 400 too, not taken for absent as a serializer would)."""
    fields = serializer_class().fields
    values = {}
    for name, field in fields.items():
        if field.required and name not in request.query_params:
            raise ValidationError({name: [_("This parameter is required.")]})
        value = period_parameter(request, name, type(field).parse)
        if value is not None:
            values[name] = value
    return values


def _stream(request, queryset, as_of: datetime.date, known_on: datetime.date, uri: str) -> StreamingHttpResponse:
    public = not request.user.has_perm(READ_PERMISSION)
    records = oc4ids.projects(queryset, as_of, known_on, public=public)
    response = StreamingHttpResponse(oc4ids.package_chunks(uri, records), content_type="application/json")
    # A public feed is the same for everyone; a reader's holds names, for that reader only.
    response["Cache-Control"] = "no-store" if not public else "max-age=300"
    return response


class OC4IDSPackageView(APIView):
    """``GET /api/oc4ids/?year=Y&as_of=D&known_on=K``: the key projects listed for Y by D, each as
    it stood on D, the monthly progress as approved by the end of K (default: today)."""

    permission_classes = [OC4IDSReaders]

    @extend_schema(operation_id="oc4ids_package", parameters=[PackageQuerySerializer], responses=RESPONSES)
    def get(self, request):
        query = _query(request, PackageQuerySerializer)
        year = query["year"]
        as_of = query.get("as_of") or periods.default_as_of(year)
        known_on = query.get("known_on") or periods.today()
        queryset = oc4ids.key_projects(year, as_of)
        if not queryset.exists():
            raise NotFound(_("No key project is listed for %(year)s by %(as_of)s.") % {"year": year, "as_of": as_of})
        uri = oc4ids.package_uri(request.build_absolute_uri("/").rstrip("/"), year, as_of, known_on)
        return _stream(request, queryset, as_of, known_on, uri)


class OC4IDSProjectView(APIView):
    """``GET /api/oc4ids/<id>/?as_of=D&known_on=K``: one key project (by its OC4IDS id, its national
    project code or its local id) as a package of one, as it stood on D (default: today)."""

    permission_classes = [OC4IDSReaders]

    @extend_schema(operation_id="oc4ids_project", parameters=[ProjectQuerySerializer], responses=RESPONSES)
    def get(self, request, identifier: str):
        query = _query(request, ProjectQuerySerializer)
        as_of = query.get("as_of") or periods.today()
        known_on = query.get("known_on") or periods.today()
        key = oc4ids.local_key(identifier)
        queryset = oc4ids.key_projects(None, as_of).filter(**key) if key else KeyProject.objects.none()
        if not queryset.exists():
            raise NotFound(_("No key project %(id)s.") % {"id": identifier})
        query_string = urlencode({"as_of": as_of.isoformat(), "known_on": known_on.isoformat()})
        uri = request.build_absolute_uri(f"{request.path}?{query_string}")
        return _stream(request, queryset, as_of, known_on, uri)

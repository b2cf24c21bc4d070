"""The admin's page of the quarterly compliance export: pick a year, a quarter and a format,
then download the export or file it (归档); and the key projects of a year as OC4IDS. A thin
door onto ``QuarterlyExporter`` and ``filings.file_quarter``, like the command and the API.
Wrapped in ``admin.site.admin_view`` by the URLconf; without ``investment.export_quarter`` it
is a 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from jiaxian import periods
from jiaxian.exporting import Format, export_response
from projects.models import YearPlan

from .exporters import QuarterlyExporter
from .filings import file_quarter

PERMISSION = "investment.export_quarter"


def parse(data, plans: dict[int, YearPlan]) -> tuple[dict, list[str]]:
    """The year, quarter and format chosen, and a message for each bad one."""
    errors = []
    values = {}
    try:
        values["year"] = periods.parse_year(data.get("year", ""))
        if values["year"] not in plans:
            errors.append(gettext("There is no year plan for %(year)s.") % {"year": values["year"]})
    except periods.PeriodParameterError:
        errors.append(gettext("Year: choose a year with a plan."))
    try:
        values["quarter"] = periods.parse_quarter(data.get("quarter", ""))
    except periods.PeriodParameterError:
        errors.append(gettext("Quarter: 1, 2, 3 or 4."))
    try:
        values["format"] = Format(data.get("format", Format.XLSX))
    except ValueError:
        errors.append(gettext("Format: xlsx or csv."))
    return values, errors


def quarterly_export(request):
    """GET: the form (``year`` and ``quarter`` may be given to preselect). POST with ``action``
    ``download``: the file; ``file``: a new filing, then the list of filings."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(gettext("Exporting the quarterly report needs the permission to export and file it."))
    plans = {plan.year: plan for plan in YearPlan.objects.order_by("-year")}
    today = periods.today()
    default_year = YearPlan.objects.latest_year() or today.year
    choice = {"year": default_year, "quarter": 1 if today.year != default_year else (today.month - 1) // 3 + 1}
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        values, errors = parse(request.POST, plans)
        choice.update(values)
        if not errors:
            plan, quarter, format = plans[values["year"]], values["quarter"], values["format"]
            if request.POST.get("action") == "file":
                filing = file_quarter(plan.year, quarter, format, request.user)
                messages.success(
                    request,
                    gettext("Filed %(filing)s, SHA-256 %(sha256)s.") % {"filing": filing, "sha256": filing.sha256},
                )
                return HttpResponseRedirect(reverse("admin:investment_filing_changelist"))
            return export_response(QuarterlyExporter(plan, quarter, format=format))
        status = 400
    else:
        # Only a preselection: a bad or missing one leaves the default chosen.
        for key, reader in (("year", periods.parse_year), ("quarter", periods.parse_quarter)):
            try:
                choice[key] = reader(request.GET[key], key)
            except (KeyError, periods.PeriodParameterError):
                pass
    context = {
        **admin.site.each_context(request),
        "title": gettext("Quarterly compliance export"),
        "years": list(plans),
        "quarters": [1, 2, 3, 4],
        "formats": [(f.value, f.value.upper() if f == Format.XLSX else "CSV (zip)") for f in Format],
        "choice": choice,
        "errors": errors,
        "filings_url": reverse("admin:investment_filing_changelist"),
        # The key projects of each plan's year as OC4IDS (projects' /api/oc4ids/), for those who
        # may read key projects: the API streams it, the link saves it.
        "oc4ids": [
            {
                "year": year,
                "url": f"{reverse('oc4ids-package')}?{urlencode({'year': year})}",
                "filename": f"oc4ids-{settings.OC4IDS_ID_PREFIX}-{year}.json",
            }
            for year in plans
        ]
        if request.user.has_perm("projects.view_keyproject")
        else [],
    }
    return TemplateResponse(request, "admin/quarterly_export.html", context, status=status)

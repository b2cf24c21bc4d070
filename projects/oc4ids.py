"""The key projects published as OC4IDS 0.9 (the Open Contracting for Infrastructure Data
Standard), a project package: the one mapping from the models to plain dicts, and the package
written as a stream of JSON, a chunk of projects at a time, so that a year of any size is
published in bounded memory and in a fixed number of queries per chunk.

A package (``package_chunks``) holds the key projects listed for a year (``AnnualListing``)
by the as-of day D, each as it stood on D, with the monthly progress counted as approved by the
end of day K (``known_on``; ``ProgressReport.counted_investment``, the rule of every figure).

========================================  ==============================================================
OC4IDS path                               from
========================================  ==============================================================
``id``                                    ``oc4ids-<OC4IDS_ID_PREFIX>-`` + project code, else local id
``updated``                               the record's last change
``identifiers[]``                         the national project code, scheme ``CN-投资项目统一代码``
``title``, ``description``                name, construction content
``status``                                the stage on D (``KeyProjectQuerySet.STAGES``):
                                          identified → ``identification``, approved → ``preparation``,
                                          started → ``implementation``, completed → ``completion``,
                                          in production → ``maintenance``
``type``                                  nature: new → ``construction``, expansion and second phase →
                                          ``expansion``, renovation → ``rehabilitation``
``relatedProjects[]``                     the predecessor (scheme ``oc4ids``, relationship ``construction``)
``budget.amount``                         total investment × 10,000, CNY
``budget.budgetBreakdowns[].budgetBreakdown[]``  each year's listing by D: planned investment, the
                                          year as period, approval date = listed on
``budget.finance[]``                      the special-bond reserve of the same project code, in the pool
                                          on D: ``bond``, ``debt``, issued amount once issued, else the
                                          bond demand
``period``                                started on, planned completion
``completion.endDate``                    completed on (once completed by D)
``milestones[]``                          each dated milestone: ``dueDate`` planned, ``dateMet`` done by D,
                                          ``status`` met / notMet (planned before D, not done) / scheduled,
                                          ``type`` approval (approval, land, assessment, permit) or delivery
``metrics[]`` (``financialProgress``)     each month begun by D whose report counts an approved amount as
                                          known on K: the amount × 10,000 CNY
``publicAuthority``, ``parties[]``        the responsible department (``publicAuthority``), with the county
                                          leader among its ``people``; the owner (``funder``)
``locations[]``                           the area, in ``OC4IDS_REGION``
========================================  ==============================================================

Money leaves as JSON numbers in yuan (万元 × 10,000: whole numbers, since amounts have two
places), the one place where it is not a ``Decimal`` string of 万元; dates as midnight in
Asia/Shanghai (``2023-03-01T00:00:00+08:00``). What OC4IDS has no field for (the warning light,
problems) is left out.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import checks
from django.urls import reverse
from django.utils import timezone, translation

from jiaxian import periods

from .choices import (
    BondReserveStatusChoices,
    KeyProjectNatureChoices as Nature,
    KeyProjectStageChoices as Stage,
    MilestoneKindChoices as Kind,
)
from .models import AnnualListing, BondReserve, KeyProject, Milestone, ProgressReport
from .querysets import BondReserveQuerySet

VERSION = "0.9"
CURRENCY = "CNY"
# Projects read at a time: five queries each (projects, listings, milestones, reports, reserves).
CHUNK_SIZE = 500
CODE_SCHEME = "CN-投资项目统一代码"
COUNTY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
PREFIX_PATTERN = re.compile(r"[a-z0-9]{6}")

STATUS = {
    Stage.IDENTIFIED: "identification",
    Stage.APPROVED: "preparation",
    Stage.STARTED: "implementation",
    Stage.COMPLETED: "completion",
    Stage.IN_PRODUCTION: "maintenance",
}
TYPE = {
    Nature.NEW: "construction",
    Nature.EXPANSION: "expansion",
    Nature.SECOND_PHASE: "expansion",
    Nature.RENOVATION: "rehabilitation",
}
APPROVAL_MILESTONES = {Kind.APPROVAL, Kind.LAND, Kind.ENVIRONMENTAL_ASSESSMENT, Kind.CONSTRUCTION_PERMIT}
MILESTONE_CODES = {Kind.APPROVAL: "projectApproval", Kind.START: "commencement", Kind.COMPLETION: "completion"}


@checks.register()
def prefix_is_valid(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A project id prefix that OC4IDS would not read is an error at start, not a bad feed."""
    prefix = settings.OC4IDS_ID_PREFIX
    if not isinstance(prefix, str) or not PREFIX_PATTERN.fullmatch(prefix):
        return [
            checks.Error(
                f"OC4IDS_ID_PREFIX must be six lowercase letters or digits; got {prefix!r}.",
                hint="Set OC4IDS_ID_PREFIX to the prefix registered for the publisher (docs/oc4ids.md).",
                id="projects.E001",
            )
        ]
    return []


def project_id(project: KeyProject) -> str:
    """The project's OC4IDS id: the prefix, then its national code, else its local id."""
    return f"oc4ids-{settings.OC4IDS_ID_PREFIX}-{project.project_code or project.pk}"


def local_key(identifier: str) -> dict[str, Any] | None:
    """The lookup of the project an OC4IDS id (or a bare code or local id) names, None when it
    cannot name one."""
    prefix = f"oc4ids-{settings.OC4IDS_ID_PREFIX}-"
    key = identifier[len(prefix) :] if identifier.startswith(prefix) else identifier
    if key.isascii() and key.isdigit():
        return {"pk": int(key)} if len(key) < 19 else None
    # A code is 24 printable ASCII characters at most; anything else names no project (and a
    # NUL, which PostgreSQL refuses in a query, never reaches it).
    return {"project_code": key.upper()} if key and len(key) <= 24 and key.isascii() and key.isprintable() else None


def date_time(day: datetime.date | None) -> str | None:
    """A day as its first moment in the county (``2023-03-01T00:00:00+08:00``)."""
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=COUNTY_TIME_ZONE).isoformat()


def moment(value: datetime.datetime) -> str:
    return timezone.localtime(value, COUNTY_TIME_ZONE).isoformat(timespec="seconds")


def money(wan: Decimal) -> dict[str, Any]:
    """An amount in 万元 as an OC4IDS value: yuan, a JSON number. A whole one, exactly: amounts
    have two places of 万元, so that no float ever carries money."""
    yuan = wan * 10000
    if yuan != yuan.to_integral_value():
        raise ValueError(f"{wan} 万元 is not a whole number of yuan")
    return {"amount": int(yuan), "currency": CURRENCY}


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    # OC4IDS wants no empty strings, lists or objects (libcove's "empty value" check).
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _period(start: datetime.date | None, end: datetime.date | None) -> dict[str, Any]:
    return _without_empty({"startDate": date_time(start), "endDate": date_time(end)})


def milestone(item: Milestone, as_of: datetime.date) -> dict[str, Any] | None:
    """A milestone as OC4IDS, None when it has no date to say (a standard one left blank)."""
    done = item.done_on if item.done_on is not None and item.done_on <= as_of else None
    if item.planned_on is None and done is None:
        return None
    if done is not None:
        status = "met"
    elif item.is_late_on(as_of):
        status = "notMet"
    else:
        status = "scheduled"
    return _without_empty(
        {
            "id": str(item.pk),
            "title": str(item),
            "type": "approval" if item.kind in APPROVAL_MILESTONES else "delivery",
            "code": MILESTONE_CODES.get(Kind(item.kind)),
            "dueDate": date_time(item.planned_on),
            "dateMet": date_time(done),
            "status": status,
        }
    )


def finance(reserve: BondReserve, as_of: datetime.date) -> dict[str, Any]:
    """A special-bond reserve as the project's bond finance: the amount issued once issued by
    ``as_of`` (the reserve's own steps), else the bond demand."""
    issued = BondReserve.STEPS.step_on(reserve, as_of) == BondReserveStatusChoices.ISSUED
    amount = reserve.issued_amount if issued and reserve.issued_amount is not None else reserve.bond_demand
    return _without_empty(
        {
            "id": f"bond-reserve-{reserve.pk}",
            "title": f"{reserve.year}年地方政府专项债券：{reserve.name}",
            "type": "bond",
            "assetClass": ["debt"],
            "value": money(amount),
            "period": _period(reserve.issued_on, None) if issued else None,
        }
    )


def project(
    record: KeyProject,
    as_of: datetime.date,
    listings: Iterable[AnnualListing] = (),
    milestones: Iterable[Milestone] = (),
    reports: Iterable[ProgressReport] = (),
    reserves: Iterable[BondReserve] = (),
) -> dict[str, Any]:
    """One key project as an OC4IDS project on ``as_of``: ``record`` read with ``with_stage(as_of)``
    and its department, area and predecessor; its listings by ``as_of``, milestones, reports
    annotated ``counted`` (the amount known on K, not null) for months begun by ``as_of``, and
    the bond reserves of its code in the pool on ``as_of``."""
    department_id = f"department-{record.department.code}"
    leader = [{"id": "leader", "name": record.leader, "jobTitle": "县级分包领导"}] if record.leader else []
    breakdowns = [
        {
            "id": str(listing.year),
            "description": f"{listing.year}年度计划投资（{listing.get_category_display()}）",
            "amount": money(listing.planned_investment),
            "period": _period(periods.year_start(listing.year), periods.year_end(listing.year)),
            "approvalDate": date_time(listing.listed_on),
        }
        for listing in sorted(listings, key=lambda listing: listing.year)
    ]
    observations = [
        {
            "id": report.month.strftime("%Y-%m"),
            "period": _period(report.month, periods.month_end(report.month)),
            "value": money(report.counted),
        }
        for report in sorted(reports, key=lambda report: report.month)
    ]
    completed = record.completed_on if record.completed_on is not None and record.completed_on <= as_of else None
    data = {
        "id": project_id(record),
        "updated": moment(record.updated_at),
        "language": "zh",
        "identifiers": [{"id": record.project_code, "scheme": CODE_SCHEME}] if record.project_code else [],
        "title": record.name,
        "description": record.content,
        "status": STATUS[Stage(record.stage_as_of)],
        "type": TYPE[Nature(record.nature)],
        "relatedProjects": [
            {
                "id": "predecessor",
                "scheme": "oc4ids",
                "identifier": project_id(record.predecessor),
                "relationship": "construction",
                "title": record.predecessor.name,
            }
        ]
        if record.predecessor is not None
        else [],
        "budget": _without_empty(
            {
                "amount": money(record.total_investment),
                "budgetBreakdowns": [
                    {"id": "annual-plans", "description": "年度计划投资", "budgetBreakdown": breakdowns}
                ]
                if breakdowns
                else [],
                "finance": [finance(reserve, as_of) for reserve in sorted(reserves, key=lambda reserve: reserve.pk)],
            }
        ),
        "period": _period(record.started_on, record.planned_completion_on),
        "completion": {"endDate": date_time(completed)} if completed else None,
        "milestones": [m for m in (milestone(item, as_of) for item in milestones) if m is not None],
        "metrics": [{"id": "financialProgress", "title": "月度完成投资（已审核）", "observations": observations}]
        if observations
        else [],
        "publicAuthority": {"id": department_id, "name": record.department.name},
        "parties": [
            _without_empty(
                {"id": department_id, "name": record.department.name, "roles": ["publicAuthority"], "people": leader}
            ),
            {"id": "owner", "name": record.owner, "roles": ["funder"]},
        ],
        "locations": [
            {
                "id": "1",
                "description": record.area.name,
                "address": {"locality": record.area.name, "region": settings.OC4IDS_REGION, "countryName": "中国"},
            }
        ],
    }
    return _without_empty(data)


def without_private(data: Any, paths: Iterable[str]) -> Any:
    """``data`` (a project) with the keys at ``paths`` removed (``parties/people/name``: the
    ``name`` of every person of every party), for the anonymous feed."""
    for path in paths:
        _remove(data, [key for key in path.split("/") if key])
    return data


def _remove(data: Any, keys: list[str]) -> None:
    if isinstance(data, list):
        for item in data:
            _remove(item, keys)
    elif isinstance(data, dict) and keys:
        if len(keys) == 1:
            data.pop(keys[0], None)
        elif keys[0] in data:
            _remove(data[keys[0]], keys[1:])


def key_projects(year: int | None, as_of: datetime.date):
    """The key projects a package holds: those listed for ``year`` by ``as_of`` (every key
    project when ``year`` is None, for the one-project door), with their stage on ``as_of``."""
    queryset = KeyProject.objects.all() if year is None else KeyProject.objects.listed_for(year, as_of)
    return queryset.with_stage(as_of).select_related("department", "area", "predecessor").order_by("pk")


def projects(
    queryset, as_of: datetime.date, known_on: datetime.date | None, public: bool = False, chunk_size: int = CHUNK_SIZE
) -> Iterator[dict[str, Any]]:
    """The projects of ``queryset`` (``key_projects``) as OC4IDS dicts, read ``chunk_size`` at a
    time by id (keyset, not offsets): five queries a chunk, whatever it holds. ``public`` leaves
    out ``OC4IDS_PRIVATE_FIELDS``."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        last = chunk[-1].pk
        ids = [record.pk for record in chunk]
        listings = _by_project(AnnualListing.objects.filter(project__in=ids, listed_on__lte=as_of).order_by())
        milestones = _by_project(Milestone.objects.filter(project__in=ids))
        reports = _by_project(
            ProgressReport.objects.filter(project__in=ids, month__lte=as_of)
            .annotate(counted=ProgressReport.counted_investment(known_on))
            .filter(counted__isnull=False)
            .order_by()
            .only("project_id", "month")
        )
        reserves: dict[str, list[BondReserve]] = defaultdict(list)
        # The codes by a subquery, so that a chunk without codes costs the same query.
        codes = KeyProject.objects.filter(pk__in=ids, project_code__isnull=False).values("project_code")
        for reserve in BondReserve.objects.filter(BondReserveQuerySet.pool_condition(as_of), project_code__in=codes):
            reserves[reserve.project_code].append(reserve)
        for record in chunk:
            # In Chinese whatever the request's language (the labels of milestones and
            # categories): a published document reads the same for everyone.
            with translation.override(settings.LANGUAGE_CODE):
                data = project(
                    record,
                    as_of,
                    listings.get(record.pk, ()),
                    milestones.get(record.pk, ()),
                    reports.get(record.pk, ()),
                    reserves.get(record.project_code, ()) if record.project_code else (),
                )
            yield without_private(data, settings.OC4IDS_PRIVATE_FIELDS) if public else data
        if len(chunk) < chunk_size:
            return


def _by_project(queryset) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in queryset:
        grouped[row.project_id].append(row)
    return grouped


def package_uri(base: str, year: int, as_of: datetime.date, known_on: datetime.date) -> str:
    """The package's uri: the address that publishes the same package again, every parameter
    given (``known_on`` included); ``base`` the site's address (``https://invest.example.gov.cn``)."""
    query = urlencode({"year": year, "as_of": as_of.isoformat(), "known_on": known_on.isoformat()})
    return f"{base}{reverse('oc4ids-package')}?{query}"


def package_chunks(
    uri: str, records: Iterator[dict[str, Any]], published: datetime.datetime | None = None
) -> Iterator[bytes]:
    """The package as UTF-8 JSON in pieces: its head, then each project as it comes, then the
    end; ``records`` from ``projects``."""
    head = {
        "uri": uri,
        "publisher": {"name": settings.OC4IDS_PUBLISHER_NAME},
        "publishedDate": moment(published or timezone.now()),
        "version": VERSION,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "projects": ['
    separator = b""
    for data in records:
        yield separator + json.dumps(data, ensure_ascii=False).encode()
        separator = b", "
    yield b"]}"

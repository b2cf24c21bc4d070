"""Importing the key projects (重点项目) and the special-bond reserves (专项债储备) from XLSX and
CSV: the resources of this app's two ledgers on the shared base ``jiaxian.resources.LedgerResource``
(sheet, header row, year, natural key, references, blank cells, validation, all or nothing: see
that module). Their Chinese headers are in ``headers.py``.
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import Model

from jiaxian import bulk
from jiaxian.resources import (
    AmountCell,
    ChoiceCell,
    Column,
    DateCell,
    IntegerCell,
    LedgerResource,
    TextCell,
    model_errors,
    reference,
)

from . import headers, validation
from .choices import AnnualListingCategoryChoices, KeyProjectNatureChoices
from .models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector, YearPlan

# --- the ledgers of this app -------------------------------------------------------------------


class KeyProjectResource(LedgerResource):
    """Key projects (重点项目): keyed by code, else by name (unique across years). With a year,
    a row also creates or updates the project's listing of that year from 年度类别, 列入日期
    and 年度计划投资 (a listing is created only when one of them is filled in)."""

    sheet_name = headers.KEY_PROJECT_SHEET
    has_year = False

    name = Column(headers.NAME, "name", TextCell())
    project_code = Column(headers.PROJECT_CODE, "project_code", TextCell())
    owner = Column(headers.OWNER, "owner", TextCell())
    industry = reference(headers.INDUSTRY, "industry", Industry)
    area = reference(headers.AREA, "area", Area)
    department = reference(headers.DEPARTMENT, "department", Department)
    leader = Column(headers.LEADER, "leader", TextCell())
    nature = Column(headers.NATURE, "nature", ChoiceCell(KeyProjectNatureChoices))
    listing_category = Column(
        headers.LISTING_CATEGORY, "import_listing__category", ChoiceCell(AnnualListingCategoryChoices)
    )
    listing_listed_on = Column(headers.LISTED_ON, "import_listing__listed_on", DateCell())
    total_investment = Column(headers.TOTAL_INVESTMENT, "total_investment", AmountCell())
    listing_planned = Column(headers.PLANNED_INVESTMENT, "import_listing__planned_investment", AmountCell())
    started_on = Column(headers.STARTED_ON, "started_on", DateCell())
    planned_completion_on = Column(headers.PLANNED_COMPLETION_ON, "planned_completion_on", DateCell())
    completed_on = Column(headers.COMPLETED_ON, "completed_on", DateCell())

    LISTING_COLUMNS = (headers.LISTING_CATEGORY, headers.LISTED_ON, headers.PLANNED_INVESTMENT)

    def unused_headers(self) -> set[str]:
        # Without a year there is no listing to write them into.
        return set(self.LISTING_COLUMNS) if self.default_year is None else set()

    class Meta(LedgerResource.Meta):
        model = KeyProject

    LISTING_PREFIX = "import_listing__"

    def validation_batch(self, predecessors):
        return validation.Batch.of_import(YearPlan, predecessors)

    def validated_models(self) -> list[type[Model]]:
        return [KeyProject, AnnualListing]

    def load_stored(self, parsed: list) -> None:
        """The stored projects, then every listing of each (its clean() compares them with the
        total investment) in one more query, kept as a list on the project (``stored_listings``):
        a prefetch would build a queryset per project, which only a project that changes needs
        (``validate_extra``)."""
        super().load_stored(parsed)
        projects = {record.pk: record for record in self.by_key.values()}
        for project in projects.values():
            project.stored_listings = []
        if not projects:
            return
        # Without the listings' default ordering: a sort for nothing, they are grouped by project.
        listings = bulk.stored(
            AnnualListing._base_manager.filter(project_id__in=list(projects)).order_by(),
            bulk.timestamps(AnnualListing),
        )
        project_field = AnnualListing._meta.get_field("project")
        for listing in listings:
            project = projects[listing.project_id]
            project_field.set_cached_value(listing, project)
            project.stored_listings.append(listing)
        self.unique[AnnualListing].add_stored(
            listing for project in projects.values() for listing in project.stored_listings
        )

    @cached_property
    def listing_columns(self) -> list[tuple[Column, str]]:
        return [
            (column, column.attribute.removeprefix(self.LISTING_PREFIX))
            for column in self.columns
            if column.attribute.startswith(self.LISTING_PREFIX)
        ]

    def apply_extra_cells(self, record, new, cells, changes) -> bool:
        """The listing of the import's year: the project's, else a new one when a listing cell
        is filled in; none without a year."""
        listing = None
        if self.default_year is not None:
            if not new:
                listing = next((item for item in record.stored_listings if item.year == self.default_year), None)
            if listing is None and any(column.attribute in cells for column, _ in self.listing_columns):
                listing = AnnualListing(project=record, year=self.default_year)
        record.import_listing = listing
        record.import_listing_fields = set()
        if listing is None:
            return False
        if not listing._state.adding:
            self.note_version(listing)
        for column, name in self.listing_columns:
            if column.attribute not in cells or getattr(listing, name) == cells[column.attribute]:
                continue
            if not listing._state.adding:
                changes.append((column, getattr(listing, name), cells[column.attribute]))
            setattr(listing, name, cells[column.attribute])
            record.import_listing_fields.add(name)
        return listing._state.adding or bool(record.import_listing_fields)

    def validate(self, record, number, department_before, errors):
        if not record._state.adding:
            # clean() reads ``self.listings.all()``: the listings loaded, as a prefetch would
            # leave them (the same instances, which this row may have changed).
            listings = AnnualListing._base_manager.filter(project=record).order_by()
            listings._result_cache, listings._prefetch_done = record.stored_listings, True
            cache = getattr(record, "_prefetched_objects_cache", {})
            record._prefetched_objects_cache = {**cache, "listings": listings}
        return super().validate(record, number, department_before, errors)

    def validate_extra(self, record, number, errors) -> None:
        listing = record.import_listing
        if listing is None or not (listing._state.adding or record.import_listing_fields):
            return
        listing._validation_batch = self.batch
        columns = {column.attribute for column in self.columns}
        # The project is this row's record: stored already, or written just before the listing.
        listing_errors = model_errors(listing, {}, known={"project"})
        identity = -number if listing._state.adding else listing.pk
        for field, messages in self.unique[AnnualListing].check(listing, identity).items():
            listing_errors.setdefault(field, messages)
        for field, messages in listing_errors.items():
            attribute = f"{self.LISTING_PREFIX}{field}" if f"{self.LISTING_PREFIX}{field}" in columns else field
            if attribute not in errors:
                errors.setdefault(attribute, []).extend(messages)

    def pend_extra(self, row, record, values, pending) -> None:
        listing = record.import_listing
        if listing is None:
            return
        if listing._state.adding:
            pending.related_created.append((row, listing, values))
        elif record.import_listing_fields:
            pending.related_updated.append((row, listing, record.import_listing_fields, values))

    def write_extra(self, pending) -> None:
        KeyProject.create_standard_milestones([record for _, record, _ in pending.created], self.user)
        # A new project's listing takes the project's id, set by the project's insert.
        bulk.create(AnnualListing, [listing for _, listing, _ in pending.related_created], self.user)


class BondReserveResource(LedgerResource):
    """Special-bond reserves (专项债储备): keyed by code, else by name and year. The status steps
    after 入库日期 (申报, 审核通过, 发行, 未通过) are not in the export and are kept as they are."""

    sheet_name = headers.BOND_RESERVE_SHEET

    name = Column(headers.NAME, "name", TextCell())
    year = Column(headers.YEAR, "year", IntegerCell())
    project_code = Column(headers.PROJECT_CODE, "project_code", TextCell())
    sector = reference(headers.SECTOR, "sector", Sector)
    owner = Column(headers.OWNER, "owner", TextCell())
    department = reference(headers.DEPARTMENT, "department", Department)
    area = reference(headers.AREA, "area", Area)
    total_investment = Column(headers.TOTAL_INVESTMENT, "total_investment", AmountCell())
    bond_demand = Column(headers.BOND_DEMAND, "bond_demand", AmountCell())
    capital_portion = Column(headers.CAPITAL_PORTION, "capital_portion", AmountCell())
    expected_income = Column(headers.EXPECTED_INCOME, "expected_income", AmountCell())
    principal_and_interest = Column(headers.PRINCIPAL_AND_INTEREST, "principal_and_interest", AmountCell())
    reserved_on = Column(headers.RESERVED_ON, "reserved_on", DateCell())

    def validation_batch(self, predecessors):
        return validation.Batch.of_import(YearPlan, predecessors)

    class Meta(LedgerResource.Meta):
        model = BondReserve

"""Importing attraction projects (招商引资项目) from XLSX and CSV: the resource of this app's ledger
on the shared base ``jiaxian.resources.LedgerResource`` (sheet, header row, year, natural key,
references, blank cells, validation, all or nothing: see that module).

Keyed by national project code, else by name and year. The columns the export derives (截至日阶段,
是否亿元以上项目, 是否重点产业, 是否开工) are not read; what the export does not carry (the key
project it became, the predecessor, the chain link, notes) is kept as it is.
"""

from __future__ import annotations

from jiaxian.resources import AmountCell, ChoiceCell, Column, DateCell, IntegerCell, LedgerResource, TextCell, reference
from projects import validation
from projects.models import Area, Department, Industry, YearPlan

from . import headers
from .choices import AttractionProjectInvestorOriginChoices
from .models import AttractionProject


class AttractionProjectResource(LedgerResource):
    sheet_name = headers.ATTRACTION_SHEET

    name = Column(headers.NAME, "name", TextCell())
    year = Column(headers.YEAR, "year", IntegerCell())
    project_code = Column(headers.PROJECT_CODE, "project_code", TextCell())
    investor = Column(headers.INVESTOR, "investor", TextCell())
    investor_origin = Column(
        headers.INVESTOR_ORIGIN, "investor_origin", ChoiceCell(AttractionProjectInvestorOriginChoices)
    )
    industry = reference(headers.INDUSTRY, "industry", Industry)
    area = reference(headers.AREA, "area", Area)
    department = reference(headers.DEPARTMENT, "department", Department)
    leader = Column(headers.LEADER, "leader", TextCell())
    contract_amount = Column(headers.CONTRACT_AMOUNT, "contract_amount", AmountCell())
    fixed_asset_investment = Column(headers.FIXED_ASSET_INVESTMENT, "fixed_asset_investment", AmountCell())
    funds_in_place = Column(headers.FUNDS_IN_PLACE, "funds_in_place", AmountCell())
    signed_on = Column(headers.SIGNED_ON, "signed_on", DateCell())
    started_on = Column(headers.STARTED_ON, "started_on", DateCell())
    in_production_on = Column(headers.IN_PRODUCTION_ON, "in_production_on", DateCell())

    def validation_batch(self, predecessors):
        return validation.Batch.of_import(YearPlan, predecessors)

    class Meta(LedgerResource.Meta):
        model = AttractionProject

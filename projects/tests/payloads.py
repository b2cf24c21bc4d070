"""Valid bodies of new records for the API tests: ``w`` holds the reference records (and the
factories), ``department`` (a record) is the owner, ``w.department`` unless given, and
``fields`` replace or add values."""

from __future__ import annotations


def key_project_payload(w, department=None, **fields) -> dict:
    return {
        "name": "新建重点项目",
        "owner": "平顶山建设投资有限公司",
        "industry": w.key_industry.pk,
        "area": w.area.pk,
        "department": (department or w.department).pk,
        "total_investment": "80000.00",
        "started_on": "2023-03-01",
    } | fields


def listing_payload(w, **fields) -> dict:
    return {
        "project": w.make_key_project().pk,  # total investment 50,000.00
        "year": 2023,
        "category": "new_start",
        "planned_investment": "10000.00",
        "listed_on": "2023-02-15",
    } | fields


def bond_reserve_payload(w, department=None, **fields) -> dict:
    """Demand 20,000 of 30,000; coverage 30,000 / 24,000 = 1.25; reserved 2023-04-01."""
    return {
        "year": 2023,
        "name": "新储备项目",
        "owner": "县交通运输局",
        "department": (department or w.department).pk,
        "area": w.area.pk,
        "sector": w.sector.pk,
        "total_investment": "30000.00",
        "bond_demand": "20000.00",
        "capital_portion": "0.00",
        "expected_income": "30000.00",
        "principal_and_interest": "24000.00",
        "reserved_on": "2023-04-01",
    } | fields


def attraction_payload(w, **fields) -> dict:
    return {
        "year": 2023,
        "name": "新签约招商项目",
        "investor": "深圳某科技有限公司",
        "industry": w.key_industry.pk,
        "contract_amount": "12000.00",
        "fixed_asset_investment": "9000.00",
        "signed_on": "2023-05-01",
    } | fields

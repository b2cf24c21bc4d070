"""The ledger resources' base: a resource reads the columns it declares, in their order."""

from __future__ import annotations

from jiaxian.resources import AmountCell, Column, LedgerResource, TextCell
from projects.models import BondReserve


class ReserveDemand(LedgerResource):
    """Two columns, declared in the other order than the model's fields."""

    sheet_name = "专项债储备"

    bond_demand = Column("债券需求（万元）", "bond_demand", AmountCell())
    name = Column("项目名称", "name", TextCell())

    class Meta(LedgerResource.Meta):
        model = BondReserve


def test_a_resource_imports_its_columns_in_the_order_declared_and_no_other_field():
    resource = ReserveDemand()
    assert [field.attribute for field in resource.get_import_fields()] == ["bond_demand", "name"]
    assert [column.column_name for column in resource.columns] == ["债券需求（万元）", "项目名称"]

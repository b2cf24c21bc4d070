"""What the tests of the investment app share: the contract's targets, which the quota report is
held to through the engine and through the API; the rows that fill the chains' lists, for the
query counts of the admin's changelists and of the API's lists."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Model

from investment import models


def reply(order, replied_on, decision="", decided_on=None, comment="") -> models.OrderReply:
    """A reply to ``order``, validated and saved, with the issuer's decision if given."""
    record = models.OrderReply(
        order=order, text="已完成", replied_on=replied_on, decision=decision, decided_on=decided_on, comment=comment
    )
    record.full_clean()
    record.save()
    return record


# The targets of the quota report in the order the contract lists them.
CONTRACT_TARGETS = [
    "key_project_count",
    "key_project_total_investment",
    "key_project_investment_progress",
    "bond_reserve_count",
    "bond_reserve_demand",
    "attraction_count",
    "attraction_big_share",
    "attraction_key_industry_share",
    "attraction_started_share",
]


def add_chain_rows(model: type[Model], count: int, chain, *, industry, department, area, target=None) -> None:
    """``count`` more rows of one of the chains' lists (``model``), of ``chain``, in bulk, each with
    the related rows its list shows (a chain its industry and a link; a target and a local
    enterprise a link of its own; a carrier its area; a responsibility its department and
    ``target``, if given), so that a query per row would show in the list's query count."""
    start = model.objects.count()
    numbers = range(start, start + count)
    if model is models.IndustrialChain:
        chains = models.IndustrialChain.objects.bulk_create(models.IndustrialChain(name=f"链{i}") for i in numbers)
        for other in chains:
            other.industries.add(industry)
        models.ChainLink.objects.bulk_create(
            models.ChainLink(chain=c, name="环节", position="upstream", order=1) for c in chains
        )
    elif model is models.ChainLink:
        models.ChainLink.objects.bulk_create(
            models.ChainLink(chain=chain, name=f"环节{i}", position="downstream", order=10 + i) for i in numbers
        )
    elif model is models.TargetEnterprise:
        links = models.ChainLink.objects.bulk_create(
            models.ChainLink(chain=chain, name=f"目标环节{i}", position="upstream", order=10 + i) for i in numbers
        )
        models.TargetEnterprise.objects.bulk_create(
            models.TargetEnterprise(
                link=link, company=f"目标{i}", region="广东", contacted_on=datetime.date(2023, 1, 1)
            )
            for i, link in zip(numbers, links, strict=True)
        )
    elif model is models.LocalEnterprise:
        links = models.ChainLink.objects.bulk_create(
            models.ChainLink(chain=chain, name=f"本地环节{i}", position="midstream", order=10 + i) for i in numbers
        )
        models.LocalEnterprise.objects.bulk_create(
            models.LocalEnterprise(link=link, company=f"本地{i}", annual_output=Decimal("100.00"), employees=10)
            for i, link in zip(numbers, links, strict=True)
        )
    elif model is models.Carrier:
        models.Carrier.objects.bulk_create(
            models.Carrier(
                kind="land", name=f"地块{i}", chain=chain, area=area, location="园区", size=10, size_unit="mu"
            )
            for i in numbers
        )
    elif model is models.Policy:
        policies = models.Policy.objects.bulk_create(
            models.Policy(name=f"政策{i}", issuing_body="县政府", valid_from=datetime.date(2023, 1, 1)) for i in numbers
        )
        for policy in policies:
            policy.chains.add(chain)
    elif model is models.Responsibility:
        responsibilities = models.Responsibility.objects.bulk_create(
            models.Responsibility(chain=chain, person=f"人{i}", department=department) for i in numbers
        )
        if target is not None:
            for responsibility in responsibilities:
                responsibility.target_enterprises.add(target)
    else:
        raise ValueError(f"not one of the chains' lists: {model.__name__}")
    assert model.objects.count() == start + count


# A supervision order's days in the tests of the dispatch loop: issued, and due.
ORDER_ISSUED, ORDER_DUE = datetime.date(2023, 3, 1), datetime.date(2023, 3, 31)

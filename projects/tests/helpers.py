"""Assertions about model validation, and cases at the rules' boundaries, shared by the tests of
both apps."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

# A national project code of the right shape (Jiaxian's region code 410425).
CODE = "2023-410425-30-03-01234X"

# The 100-million rule under the default minimums (contract 10,000 and fixed assets 8,000 万元):
# (contract amount, fixed-asset investment, big) at both minimums and a cent below either.
AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS = [
    (Decimal("10000.00"), Decimal("8000.00"), True),
    (Decimal("9999.99"), Decimal("8000.00"), False),
    (Decimal("10000.00"), Decimal("7999.99"), False),
]


def refusal(instance) -> ValidationError:
    """The ValidationError ``full_clean()`` raises for ``instance``; fails the test if none."""
    with pytest.raises(ValidationError) as exc:
        instance.full_clean()
    return exc.value


def assert_accepted(instance) -> None:
    """``full_clean()`` passes; on failure, say which fields it named."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        pytest.fail(f"refused: {exc.message_dict}")


def assert_refused_on(instance, field: str | None) -> None:
    """``full_clean()`` refuses ``instance`` naming ``field``, or passes when ``field`` is None
    (the cases of a boundary, some on the right side of it, in one parametrised test)."""
    if field is None:
        assert_accepted(instance)
    else:
        assert field in refusal(instance).message_dict


# Reserves of every shape a clerk can enter, by name: their step dates.
RESERVES = {
    "reserved": {"reserved_on": datetime.date(2023, 3, 1)},
    "submitted": {"reserved_on": datetime.date(2023, 3, 1), "submitted_on": datetime.date(2023, 3, 10)},
    "approved": {
        "reserved_on": datetime.date(2023, 3, 1),
        "submitted_on": datetime.date(2023, 3, 10),
        "approved_on": datetime.date(2023, 4, 1),
    },
    "issued": {
        "reserved_on": datetime.date(2023, 3, 1),
        "submitted_on": datetime.date(2023, 3, 10),
        "approved_on": datetime.date(2023, 4, 1),
        "issued_on": datetime.date(2023, 5, 1),
        "issued_amount": Decimal("8000.00"),
    },
    "rejected": {
        "reserved_on": datetime.date(2023, 3, 1),
        "submitted_on": datetime.date(2023, 3, 10),
        "rejected_on": datetime.date(2023, 4, 15),
    },
    "every-step-one-day": {
        "reserved_on": datetime.date(2023, 4, 1),
        "submitted_on": datetime.date(2023, 4, 1),
        "approved_on": datetime.date(2023, 4, 1),
        "issued_on": datetime.date(2023, 4, 1),
    },
    "rejected-the-day-it-came": {
        "reserved_on": datetime.date(2023, 2, 1),
        "submitted_on": datetime.date(2023, 2, 1),
        "rejected_on": datetime.date(2023, 2, 1),
    },
    "next-year": {"reserved_on": datetime.date(2024, 1, 2)},
}


def as_of_dates(cases: dict[str, dict]) -> list[datetime.date]:
    """Every date of ``cases`` (name → fields), the day before each, and a day after them all."""
    days = {value for fields in cases.values() for value in fields.values() if isinstance(value, datetime.date)}
    return sorted(
        {day + offset for day in days for offset in (-datetime.timedelta(days=1), datetime.timedelta(0))}
        | {datetime.date(2030, 1, 1)}
    )


def form_data(response) -> dict:
    """What the change page's form posts when the clerk changes nothing: the main form's values
    and every inline formset's (management form included)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(each) for each in value]
            else:
                data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


def approved_report(project, month, amount, *, at=None, **fields):
    """A monthly report approved at ``at`` (default now) at its amount, as the review leaves it:
    the row's approval and its event in the trail (``projects.review``)."""
    from django.utils import timezone

    from projects.models import ProgressReport, ProgressReview

    at = at or timezone.now()
    amount = Decimal(amount)
    report = ProgressReport.objects.create(
        project=project,
        month=month,
        completed_investment=amount,
        submitted_at=at,
        approved_at=at,
        approved_investment=amount,
        **fields,
    )
    ProgressReview.objects.create(report=report, action="approved", at=at, amount=amount)
    return report


def approved_value(indicator, month, value, *, at=None, **fields):
    """A plan indicator's monthly value approved at ``at`` (default now), as the review leaves
    it: the row's approval and its event in the trail (``projects.review``)."""
    from django.utils import timezone

    from projects.models import IndicatorValue, IndicatorValueReview

    at = at or timezone.now()
    value = Decimal(value)
    row = IndicatorValue.objects.create(
        indicator=indicator, month=month, value=value, submitted_at=at, approved_at=at, approved_value=value, **fields
    )
    IndicatorValueReview.objects.create(report=row, action="approved", at=at, amount=value)
    return row

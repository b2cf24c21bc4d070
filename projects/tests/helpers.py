"""Assertions about model validation, shared by the tests of both apps."""

import pytest
from django.core.exceptions import ValidationError

# A national project code of the right shape (Jiaxian's region code 410425).
CODE = "2023-410425-30-03-01234X"


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

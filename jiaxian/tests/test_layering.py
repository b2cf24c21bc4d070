"""The layers: ``jiaxian`` beneath both apps never imports them (but the modules that wire the
apps into the project: settings and URLs), and ``projects`` never imports ``investment``. Read
from the code's own import statements, wherever they stand (a function-local import counts)."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest

from jiaxian import access
from jiaxian.admin import RecordsFilter, dashboard_url
from projects import access as departments

ROOT = Path(__file__).resolve().parents[2]
# The project's wiring: the URLs and settings name the apps, as they must.
WIRING = {"jiaxian/urls.py", "jiaxian/settings.py"}


def imported(path: Path) -> set[str]:
    """The top-level package of every module that ``path`` imports (relative imports left out:
    they stay in their package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" not in relative and "/migrations/" not in relative and relative not in WIRING:
            yield relative, path


@pytest.mark.parametrize("package, forbidden", [("jiaxian", {"projects", "investment"}), ("projects", {"investment"})])
def test_a_layer_never_imports_one_above_it(package, forbidden):
    found = {relative: sorted(imported(path) & forbidden) for relative, path in sources(package)}
    assert {relative: names for relative, names in found.items() if names} == {}


def test_imported_sees_a_function_local_import(tmp_path):
    # The guard above is only as good as this reading: an import inside a function counts.
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from investment.models import AttractionProject\n", encoding="utf-8")
    assert imported(module) == {"investment"}


def test_without_a_rule_every_record_may_be_edited(settings, django_user_model):
    del settings.LEDGER_ACCESS_RULE
    user = django_user_model(username="anyone")
    assert access.rule() is access.UNRESTRICTED
    assert access.may_edit(user, user) and access.refusal(user, user) is None


def test_the_setting_names_the_departments_rule():
    assert access.rule() is departments


def test_the_app_that_draws_the_dashboard_names_it_for_every_records_filter(monkeypatch):
    assert dashboard_url(2023, datetime.date(2023, 6, 30)) == "/admin/dashboard/?year=2023&as_of=2023-06-30"
    monkeypatch.setattr(RecordsFilter, "dashboard_url_name", None)
    assert dashboard_url(2023, datetime.date(2023, 6, 30)) is None

"""The Simplified-Chinese catalogue: complete, compiled, and actually used by the models.

The clerks read the admin in Chinese (LANGUAGE_CODE is zh-hans) while the code's labels are
English msgids, so a label missing from ``locale/zh_Hans/LC_MESSAGES/django.po`` — or a
``django.mo`` not recompiled after the .po changed — shows English in a Chinese ledger.
After changing a label: ``make messages``, translate, and commit both files.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

BASE_DIR = Path(__file__).resolve().parents[2]
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
LEDGER_APPS = ("projects", "investment")
PLACEHOLDER_RE = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")
HAS_LATIN_LOWERCASE = re.compile(r"[a-z]")


@dataclass
class Entry:
    """One message of a .po file; ``msgstr`` holds ``msgstr[n]`` by n for plural entries."""

    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def where(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, header included (msgid ""), obsolete ``#~`` ones left out.

    Handles what makemessages writes: ``#,`` flag lines, other comments, msgctxt, plurals
    and strings continued over several quoted lines, with C escapes.
    """
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None  # the keyword the next continuation line extends

    def finish():
        if current is not None and target is not None:
            entries.append(current)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if target is not None and target[0] != "msgctxt":
                # a comment after msgstr starts the next entry
                finish()
                current, target = None, None
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None and current is not None, f"django.po:{number}: stray string"
            append(current, target, unquote(line, number))
            continue
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] not in ("msgctxt",):
            finish()
            current, target = None, None
        if current is None:
            current = Entry(line=number)
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            target = (keyword, None)
        elif match:
            target = ("msgstr", int(match.group(1)))
        else:
            raise AssertionError(f"django.po:{number}: unexpected line {raw!r}")
        set_value(current, target, unquote(rest, number))
    finish()
    return entries


def unquote(quoted: str, number: int) -> str:
    assert quoted.startswith('"') and quoted.endswith('"') and len(quoted) >= 2, f"django.po:{number}: {quoted!r}"
    # A .po string is a C string; Python's literal syntax reads the same escapes.
    return ast.literal_eval(quoted)


def set_value(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index or 0] = value
    else:
        setattr(entry, keyword, value)


def append(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index or 0] += value
    else:
        setattr(entry, keyword, getattr(entry, keyword) + value)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = parse_po(PO_PATH.read_text(encoding="utf-8"))
    assert entries and entries[0].msgid == "", "the .po has no header entry"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    return [entry for entry in catalogue if entry.msgid]


def test_parser_reads_multiline_strings_flags_and_escapes():
    entries = parse_po(
        '# comment\n#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid ""\n"Two "\n"lines %(x)s \\"q\\""\nmsgstr "两行 %(x)s"\n\n'
        'msgctxt "ctx"\nmsgid "a"\nmsgstr ""\n\n#~ msgid "old"\n#~ msgstr "旧"\n'
    )
    assert [e.msgid for e in entries] == ["", 'Two lines %(x)s "q"', "a"]
    assert entries[0].flags == {"fuzzy"} and entries[0].msgstr[0] == "Language: zh_Hans\n"
    assert entries[1].flags == {"python-format"} and entries[1].msgstr[0] == "两行 %(x)s"
    assert entries[2].msgctxt == "ctx" and entries[2].msgstr[0] == ""


def test_header_declares_simplified_chinese_in_utf8(catalogue):
    header = catalogue[0]
    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]


def test_no_entry_is_fuzzy_and_none_is_empty(messages):
    assert len(messages) > 100
    fuzzy = [entry.where for entry in messages if "fuzzy" in entry.flags]
    empty = [entry.where for entry in messages if not entry.msgstr or not all(entry.msgstr.values())]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not empty, f"untranslated entries: {empty}"


def test_placeholders_and_units_are_kept(messages):
    """A lost or renamed ``%(field)s`` raises KeyError at the moment a clerk makes a mistake."""
    wrong = []
    for entry in messages:
        for msgstr in entry.msgstr.values():
            if sorted(PLACEHOLDER_RE.findall(entry.msgid)) != sorted(PLACEHOLDER_RE.findall(msgstr)):
                wrong.append(entry.where)
            if entry.msgid.count("万元") > msgstr.count("万元"):
                wrong.append(entry.where)
            if "(万元)" in entry.msgid and "(万元)" in msgstr:
                wrong.append(entry.where + " (use （万元）)")
    assert not wrong, f"placeholders or 万元 differ: {wrong}"


def test_compiled_catalogue_matches_the_po(messages):
    """Every msgid comes back as its msgstr, so django.mo was compiled from this django.po."""
    assert MO_PATH.exists(), "run `make messages` (compilemessages) and commit django.mo"
    stale = []
    with translation.override("zh-hans"):
        for entry in messages:
            if entry.msgid_plural is not None:
                got = (
                    translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                    if entry.msgctxt is not None
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                )
            elif entry.msgctxt is not None:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(f"{entry.where}: .mo gives {got!r}, .po says {entry.msgstr[0]!r}")
    assert not stale, "django.mo is stale; run compilemessages:\n" + "\n".join(stale)


def ledger_models():
    for label in LEDGER_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def english_and_chinese(lazy) -> tuple[str, str]:
    with translation.override("en"):
        english = str(lazy)
    with translation.override("zh-hans"):
        chinese = str(lazy)
    return english, chinese


def test_every_model_name_is_translated():
    models = list(ledger_models())
    assert {model.__name__ for model in models} >= {"KeyProject", "AnnualListing", "BondReserve", "AttractionProject"}
    untranslated = []
    for model in models:
        for attribute in ("verbose_name", "verbose_name_plural"):
            english, chinese = english_and_chinese(getattr(model._meta, attribute))
            if english == chinese:
                untranslated.append(f"{model.__name__}.{attribute} {english!r}")
    assert not untranslated, untranslated


def test_every_field_label_help_text_and_choice_is_translated():
    untranslated = []
    for model in ledger_models():
        for model_field in model._meta.get_fields():
            if model_field.auto_created or not hasattr(model_field, "verbose_name"):
                continue  # the id, and reverse relations
            where = f"{model.__name__}.{model_field.name}"
            texts = [("verbose_name", model_field.verbose_name), ("help_text", model_field.help_text)]
            texts += [(f"choice {value!r}", label) for value, label in model_field.choices or ()]
            for what, lazy in texts:
                english, chinese = english_and_chinese(lazy)
                if HAS_LATIN_LOWERCASE.search(english) and english == chinese:
                    untranslated.append(f"{where} {what} {english!r}")
    assert not untranslated, untranslated


def test_app_names_and_admin_titles_are_chinese():
    from django.contrib import admin

    import jiaxian.urls  # noqa: F401  (sets the admin site's titles)

    with translation.override("zh-hans"):
        assert str(admin.site.site_header) == "郏县重大项目与招商引资管理系统"
        assert str(admin.site.index_title) == "台账"
        assert str(apps.get_app_config("projects").verbose_name) == "重点项目与专项债储备"
        assert str(apps.get_app_config("investment").verbose_name) == "招商引资"


def test_domain_terms_are_the_glossarys():
    from investment.models import AttractionProject
    from projects.models import AnnualListing, BondReserve, KeyProject

    with translation.override("zh-hans"):
        assert str(KeyProject._meta.verbose_name) == "重点项目"
        assert str(AnnualListing._meta.verbose_name) == "年度计划"
        assert str(BondReserve._meta.verbose_name) == "专项债储备项目"
        assert str(AttractionProject._meta.verbose_name) == "招商引资项目"
        assert str(KeyProject._meta.get_field("total_investment").verbose_name) == "总投资（万元）"
        assert str(BondReserve._meta.get_field("bond_demand").verbose_name) == "申请债券资金（万元）"
        assert [str(label) for _, label in AttractionProject._meta.get_field("investor_origin").choices] == [
            "本地",
            "省内",
            "省外",
            "境外",
        ]


def test_english_stays_the_msgid():
    from projects.models import KeyProject

    with translation.override("en"):
        assert str(KeyProject._meta.verbose_name) == "key project"
        assert str(KeyProject._meta.verbose_name_plural) == "key projects"

"""Makes the committed test ledgers ``merged-header.{xlsx,xls,ods}`` as LibreOffice Calc saves
them: a hand-written flat OpenDocument sheet (``merged-header.fods``, written here) converted by
LibreOffice itself, so the files carry the merged cells, date cells and formatting a real
spreadsheet program writes.

    python investment/tests/files/make_ledgers.py      # needs soffice (libreoffice-calc-nogui)

The ledger (an attraction-project ledger of 2024, as a bureau keeps it): a first sheet of notes
(填表说明), then 招商引资项目 with a merged title row, a two-row header (序号, 项目名称, 投资方,
投资方来源, 产业, 责任单位 and 备注 each merged over both rows; 投资情况（万元） merged over the
three amounts, 项目进度 over the three dates), three projects, a totals row (合计) and formatted
empty rows. The tests expect ``PROJECTS`` back: ``jiaxian/tests/test_importing.py`` as the cells
read, ``test_import_formats.py`` as the ledger stores them (change the files with it).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
NAME = "merged-header"

# (name, investor, origin, industry, contract, fixed assets, funds, signed, started, production, department, note)
PROJECTS = [
    (
        "硅基负极材料项目",
        "河南新材料有限公司",
        "省内",
        "硅基负极材料",
        12000.5,
        9000,
        3000.25,
        "2024-03-01",
        "2024-05-20",
        None,
        "县发展和改革委员会",
        "重点推进",
    ),
    (
        "物流园二期",
        "上海物流集团",
        "省外",
        "商贸物流",
        8000,
        6500.75,
        0,
        "2024-06-15",
        None,
        None,
        "县发展和改革委员会",
        None,
    ),
    (
        "本地仓储中心",
        "郏县仓储公司",
        "本地",
        "商贸物流",
        1500,
        1200,
        800,
        "2024-01-10",
        "2024-02-01",
        "2024-11-30",
        "县发展和改革委员会",
        "已投产",
    ),
]

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="D1"><number:year number:style="long"/><number:text>-</number:text>
  <number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <style:style style:name="date" style:family="table-cell" style:data-style-name="D1"/>
 <style:style style:name="filled" style:family="table-cell">
  <style:table-cell-properties fo:background-color="#ffff99" fo:border="0.06pt solid #000000"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
"""


def text(value: str, columns: int = 1, rows: int = 1) -> str:
    span = ""
    if columns > 1:
        span += f' table:number-columns-spanned="{columns}"'
    if rows > 1:
        span += f' table:number-rows-spanned="{rows}"'
    return f'<table:table-cell office:value-type="string"{span}><text:p>{escape(value)}</text:p></table:table-cell>'


def covered(count: int = 1) -> str:
    return "<table:covered-table-cell/>" * count


def cell(value) -> str:
    if value is None:
        return '<table:table-cell table:style-name="filled"/>'
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return (
            f'<table:table-cell table:style-name="date" office:value-type="date" office:date-value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return text(value)


def row(*cells: str) -> str:
    return "<table:table-row>" + "".join(cells) + "</table:table-row>\n"


def fods() -> str:
    out = [HEAD, '<table:table table:name="填表说明">']
    out.append(row(text("本表按季度填报；金额单位：万元。")))
    out.append('</table:table>\n<table:table table:name="招商引资项目">\n')
    out.append(row(text("2024年郏县招商引资项目台账", columns=13), covered(12)))
    vertical = ["序号", "项目名称", "投资方", "投资方来源", "产业"]
    out.append(
        row(
            *(text(label, rows=2) for label in vertical),
            text("投资情况（万元）", columns=3),
            covered(2),
            text("项目进度", columns=3),
            covered(2),
            text("责任单位", rows=2),
            text("备注", rows=2),
        )
    )
    out.append(
        row(
            covered(5),
            text("签约金额（万元）"),
            text("固定资产投资（万元）"),
            text("到位资金（万元）"),
            text("签约日期"),
            text("开工日期"),
            text("投产日期"),
            covered(2),
        )
    )
    for number, project in enumerate(PROJECTS, start=1):
        out.append(row(cell(number), *(cell(value) for value in project)))
    totals = [sum(p[i] for p in PROJECTS) for i in (4, 5, 6)]
    out.append(row(text("合计", columns=2), covered(), *(cell(None) for _ in range(3)), *(cell(t) for t in totals)))
    out.append(f'<table:table-row table:number-rows-repeated="3">{cell(None) * 13}</table:table-row>\n')
    out.append("</table:table>\n</office:spreadsheet></office:body></office:document>\n")
    return "".join(out)


def main() -> None:
    source = HERE / f"{NAME}.fods"
    source.write_text(fods(), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        for kind in ("xlsx", "xls", "ods"):
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    kind,
                    "--outdir",
                    str(HERE),
                    str(source),
                ],
                check=True,
                stdout=sys.stderr,
            )


if __name__ == "__main__":
    main()

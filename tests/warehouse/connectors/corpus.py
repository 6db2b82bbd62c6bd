"""Bad-input corpus: builds each file into a folder and states the expected outcome.

Every case either expects a ConnectorError whose message matches ``error``, or exact
counts, exact column names, exact landed text (compared with the known source text, so
mojibake fails) and exact quarantined row numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from industrybrain.warehouse.connectors import ConnectorOptions

Row = tuple[str | None, ...]

HEADER = ["统一社会信用代码", "企业名称", "所在镇街", "注册资本(万元)"]
ROWS: list[Row] = [
    ("91331081MA2AAAAA1X", "温岭市大溪泵业有限公司", "大溪镇", "500"),
    ("91331081MA2BBBBB2Y", "浙江泽国阀门股份有限公司", "泽国镇", "1200.5"),
    ("91331081MA2CCCCC3Z", "温岭市城东“精密”机电厂", "城东街道", "80"),
]
RARE = ("91331081MA2DDDDD4W", "温岭市𠮷祥五金有限公司", "箬横镇", "30")  # 𠮷: GB18030 4-byte


@dataclass
class Case:
    name: str
    filename: str
    build: Callable[[Path], None]
    options: ConnectorOptions = field(default_factory=ConnectorOptions)
    error: str | None = None  # regex the ConnectorError message must match
    columns: list[str] | None = None
    rows: list[Row] | None = None  # landed data (without _row/_sheet) in order
    row_numbers: list[int] | None = None  # landed _row values
    quarantined: list[int] = field(default_factory=list)  # quarantined row numbers
    reasons: list[str] = field(default_factory=list)  # substrings, one per quarantined row
    sheets: list[str] | None = None
    hidden_sheets: list[str] | None = None
    warnings: list[str] = field(default_factory=list)  # substrings
    encoding: str | None = None
    header_rows: int | None = None
    sheet_column: list[str] | None = None


def text_file(
    text: str, encoding: str = "utf-8", bom: bytes = b"", newline: str = "\n"
) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(bom + text.replace("\n", newline).encode(encoding))

    return build


def csv_text(header: list[str], rows: list[Row], sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


BASIC = csv_text(HEADER, ROWS)
WITH_RARE = csv_text(HEADER, [*ROWS, RARE])


def raw_bytes(data: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(data)

    return build


# --------------------------------------------------------------------------- Excel helpers


def xlsx(
    sheets: list[tuple[str, list[list[object]]]],
    merges: dict[str, list[str]] | None = None,
    hidden: tuple[str, ...] = (),
    formulas: dict[str, dict[str, str]] | None = None,
) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
            for rng in (merges or {}).get(name, []):
                ws.merge_cells(rng)
            for ref, f in (formulas or {}).get(name, {}).items():
                ws[ref] = f
            if name in hidden:
                ws.sheet_state = "hidden"
        wb.save(path)

    return build


def with_cached_values(
    build: Callable[[Path], None], values: dict[str, str]
) -> Callable[[Path], None]:
    """Rewrite the first sheet's XML so the given formula cells carry cached values."""

    def wrapped(path: Path) -> None:
        build(path)
        src = path.read_bytes()
        zin = zipfile.ZipFile(io.BytesIO(src))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "xl/worksheets/sheet1.xml":
                    text = data.decode()
                    for ref, v in values.items():
                        start = text.index(f'<c r="{ref}"')
                        end = text.index("</c>", start)
                        cell = text[start:end]
                        cell = cell.replace("<v></v>", "").replace("<v />", "")
                        text = text[:start] + cell + f"<v>{v}</v>" + text[end:]
                    data = text.encode()
                zout.writestr(info, data)
        path.write_bytes(out.getvalue())

    return wrapped


def zip_bomb(path: Path) -> None:
    """A workbook whose one sheet expands about 1000 times to 30 MB."""
    build = xlsx([("Sheet1", [["a"], ["1"]])])
    build(path)
    zin = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</worksheet>", b"<!--" + b" " * 30_000_000 + b"--></worksheet>"
                )
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def truncated(build: Callable[[Path], None], keep: float = 0.5) -> Callable[[Path], None]:
    def wrapped(path: Path) -> None:
        build(path)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return wrapped


def encrypted_ole(path: Path) -> None:
    """An OLE compound file holding an EncryptedPackage stream, as Excel writes for passwords."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(
        head
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 64
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 2048
    )


def xls(
    sheets: list[tuple[str, list[list[object]]]],
    merges: list[tuple[int, int, int, int, str]] = (),  # type: ignore[assignment]
    hidden: tuple[str, ...] = (),
) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        import xlwt

        wb = xlwt.Workbook(encoding="utf-8")
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for name, rows in sheets:
            ws = wb.add_sheet(name)
            if name in hidden:
                ws.visibility = 1
            merged = {(m[0], m[2]) for m in merges} if name == sheets[0][0] else set()
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if (r, c) in merged or v is None:
                        continue
                    if isinstance(v, date | datetime):
                        ws.write(r, c, v, date_style)
                    else:
                        ws.write(r, c, v)
            if name == sheets[0][0]:
                for r1, r2, c1, c2, label in merges:
                    ws.write_merge(r1, r2, c1, c2, label)
        wb.save(str(path))

    return build


def parquet_file(path: Path) -> None:
    import duckdb

    duckdb.sql(
        "COPY (SELECT * FROM (VALUES (1, '温岭𠮷', 2.5, DATE '2024-03-01'), "
        "(2, NULL, NULL, NULL)) t(id, 名称, 值, 日期)) "
        f"TO '{path}' (FORMAT parquet)"
    )


OPT = ConnectorOptions


def build_corpus() -> list[Case]:
    big = "温岭泵阀" * 400_000  # 4.8 MB of UTF-8 in one field
    ragged = BASIC + "91331081MA2EEEEE5V,缺列企业\n" + "a,b,c,d,e\n" + csv_text([], [ROWS[0]])[0:]
    cases = [
        # ---------------------------------------------------------------- encodings
        Case("utf8", "utf8.csv", text_file(WITH_RARE), rows=[*ROWS, RARE], encoding="utf-8"),
        Case(
            "utf8_bom",
            "utf8_bom.csv",
            text_file(WITH_RARE, bom=b"\xef\xbb\xbf"),
            rows=[*ROWS, RARE],
            columns=HEADER,
            encoding="utf-8",
        ),
        Case(
            "gbk", "gbk.csv", text_file(BASIC, "gbk"), rows=ROWS, columns=HEADER, encoding="gb18030"
        ),
        Case(
            "gb18030_rare",
            "gb18030.csv",
            text_file(WITH_RARE, "gb18030"),
            rows=[*ROWS, RARE],
            encoding="gb18030",
        ),
        Case("gbk_crlf", "gbk_crlf.csv", text_file(BASIC, "gbk", newline="\r\n"), rows=ROWS),
        Case("gbk_given", "gbk_given.txt", text_file(BASIC, "gbk"), OPT(encoding="GBK"), rows=ROWS),
        Case(
            "utf16le_bom",
            "u16le.csv",
            text_file(WITH_RARE, "utf-16-le", b"\xff\xfe"),
            rows=[*ROWS, RARE],
            encoding="utf-16-le",
        ),
        Case(
            "utf16be_bom",
            "u16be.csv",
            text_file(WITH_RARE, "utf-16-be", b"\xfe\xff"),
            rows=[*ROWS, RARE],
            encoding="utf-16-be",
        ),
        Case(
            "utf16le_nobom",
            "u16nobom.csv",
            text_file(BASIC, "utf-16-le", newline="\r\n"),
            rows=ROWS,
            encoding="utf-16-le",
        ),
        Case("utf8_crlf", "crlf.csv", text_file(WITH_RARE, newline="\r\n"), rows=[*ROWS, RARE]),
        Case(
            "mixed_line_endings",
            "mixed.csv",
            raw_bytes(b"a,b\r\n1,\xe6\xb8\xa9\n2,y\r3,z\r\n4,w"),
            columns=["a", "b"],
            rows=[("1", "温"), ("2", "y"), ("3", "z"), ("4", "w")],
        ),
        Case(
            "bom_gbk_mismatch",
            "bomgbk.csv",
            text_file(BASIC, "gbk", bom=b"\xef\xbb\xbf"),
            error="byte-order mark but its content is not UTF-8",
        ),
        Case(
            "big5_unknown",
            "big5.csv",
            text_file("名稱,地址\n" + "臺灣積體電路製造股份有限公司,新竹科學園區\n" * 20, "big5"),
            error="cannot tell the text encoding",
        ),
        Case(
            "latin1_unknown",
            "latin1.csv",
            text_file("name,city\n" + "Café Müller,Zürich\n" * 20, "latin-1"),
            error="cannot tell the text encoding",
        ),
        Case(
            "latin1_given",
            "latin1_ok.csv",
            text_file("name,city\nCafé,Zürich\n", "latin-1"),
            OPT(encoding="latin-1"),
            rows=[("Café", "Zürich")],
        ),
        Case(
            "gbk_bad_bytes",
            "gbk_bad.csv",
            raw_bytes(
                BASIC.encode("gbk")
                + b"91331081MA2X,\x81\x20bad,\xff,1\n"
                + "91331081MA2Y,好,大溪镇,2\n".encode("gbk")
            ),
            rows=[*ROWS, ("91331081MA2Y", "好", "大溪镇", "2")],
            quarantined=[4],
            reasons=["undecodable bytes"],
        ),
        Case(
            "utf8_bad_byte",
            "utf8_bad.csv",
            raw_bytes((BASIC * 8).encode() + b"x,\xff\xfe,y,1\n" + "z,好,镇,2\n".encode()),
            quarantined=[32],
            reasons=["undecodable bytes"],
        ),
        # ---------------------------------------------------------------- separators
        Case("tab", "tab.tsv", text_file(csv_text(HEADER, ROWS, "\t")), rows=ROWS, columns=HEADER),
        Case("semicolon", "semi.csv", text_file(csv_text(HEADER, ROWS, ";")), rows=ROWS),
        Case("pipe", "pipe.txt", text_file(csv_text(HEADER, ROWS, "|")), rows=ROWS),
        Case("sep_given", "sep.csv", text_file("a;b\n1,5;2\n"), OPT(sep=";"), rows=[("1,5", "2")]),
        # ---------------------------------------------------------------- structure
        Case(
            "ragged",
            "ragged.csv",
            text_file(ragged),
            rows=[*ROWS, ROWS[0]],
            row_numbers=[1, 2, 3, 6],
            quarantined=[4, 5],
            reasons=["too few fields", "too many fields"],
        ),
        Case(
            "ragged_gbk",
            "ragged_gbk.csv",
            text_file(ragged, "gbk"),
            rows=[*ROWS, ROWS[0]],
            row_numbers=[1, 2, 3, 6],
            quarantined=[4, 5],
        ),
        Case(
            "broken_quote_end",
            "bq.csv",
            text_file(BASIC + 'x,"未闭合,镇,1\ny,z,w,2\n'),
            rows=ROWS,
            quarantined=[4],
            reasons=["broken quotes"],
        ),
        Case(
            "quote_inside",
            "qi.csv",
            text_file('a,b\n1,x"y\n3,"4"5\n6,7\n'),
            rows=[("1", 'x"y'), ("6", "7")],
            row_numbers=[1, 3],
            quarantined=[2],
            reasons=["broken quotes"],
        ),
        Case(
            "quoted_newlines",
            "qnl.csv",
            text_file('a,b\n"多\n行",1\n"逗,号",2\n"引""号",3\n'),
            rows=[("多\n行", "1"), ("逗,号", "2"), ('引"号', "3")],
            row_numbers=[1, 2, 3],
        ),
        Case(
            "blank_lines_then_reject",
            "blank.csv",
            text_file("a,b\n1,2\n\n\n3\n4,5\n\n"),
            rows=[("1", "2"), ("4", "5")],
            row_numbers=[1, 3],
            quarantined=[2],
        ),
        Case(
            "quoted_newline_then_reject",
            "qnlr.csv",
            text_file('a,b\n"x\ny",1\n2\n3,4\n'),
            rows=[("x\ny", "1"), ("3", "4")],
            row_numbers=[1, 3],
            quarantined=[2],
        ),
        Case(
            "nul_bytes",
            "nul.csv",
            raw_bytes(b"a,b\n1,2\nx\x00y,z\n3,4\n"),
            rows=[("1", "2"), ("3", "4")],
            row_numbers=[1, 3],
            quarantined=[2],
            reasons=["NUL byte"],
        ),
        Case(
            "huge_field",
            "huge.csv",
            text_file("a,b\n1," + big + "\n2,x\n"),
            rows=[("1", big), ("2", "x")],
        ),
        Case(
            "huge_field_over_limit",
            "huge2.csv",
            text_file("a,b\n1," + big + "\n2,x\n"),
            OPT(max_field_bytes=1_000_000),
            rows=[("2", "x")],
            row_numbers=[2],
            quarantined=[1],
            reasons=["longer than"],
        ),
        Case(
            "duplicate_headers",
            "dup.csv",
            text_file("名称,名称,,\n1,2,3,4\n"),
            columns=["名称", "名称_2", "col_3", "col_4"],
            rows=[("1", "2", "3", "4")],
        ),
        Case(
            "reserved_header",
            "res.csv",
            text_file("_row,x\n1,2\n"),
            columns=["_row_2", "x"],
            rows=[("1", "2")],
        ),
        Case("only_header", "onlyhead.csv", text_file("a,b,c\n"), columns=["a", "b", "c"], rows=[]),
        Case("only_header_no_newline", "onlyhead2.csv", text_file("a,b,c"), rows=[]),
        Case(
            "title_line",
            "title.csv",
            text_file("2024年温岭泵阀企业名录\n" + BASIC),
            columns=HEADER,
            rows=ROWS,
        ),
        Case(
            "two_header_rows",
            "twohead.csv",
            text_file("基本信息,基本信息,财务\n名称,镇街,资本\n甲,大溪镇,1\n"),
            OPT(header_rows=2),
            columns=["基本信息/名称", "基本信息/镇街", "财务/资本"],
            rows=[("甲", "大溪镇", "1")],
            header_rows=2,
        ),
        Case(
            "no_header",
            "nohead.csv",
            text_file("1,2\n3,4\n"),
            OPT(header_rows=0),
            columns=["col_1", "col_2"],
            rows=[("1", "2"), ("3", "4")],
            header_rows=0,
        ),
        Case(
            "empty_values",
            "empty.csv",
            text_file('a,b\n1,\n,""\n'),
            rows=[("1", None), (None, None)],
        ),
        Case("zero_bytes", "zero.csv", raw_bytes(b""), error="empty"),
        Case("whitespace_only", "ws.csv", text_file("\n\n  \n"), error="no text rows|no rows"),
        Case("too_big", "big.csv", text_file(BASIC), OPT(max_bytes=100), error="limit"),
        # ---------------------------------------------------------------- wrong content
        Case("xlsx_named_csv", "book.csv", xlsx([("S", [["a"], [1]])]), error="should be csv"),
        Case("csv_named_xlsx", "table.xlsx", text_file(BASIC), error="should be xlsx"),
        Case(
            "json_named_parquet", "data.parquet", text_file('[{"a": 1}]'), error="should be parquet"
        ),
        Case("csv_named_json", "data.json", text_file(BASIC), error="should be json"),
        # ---------------------------------------------------------------- Excel
        Case(
            "xlsx_basic_rare",
            "basic.xlsx",
            xlsx([("企业", [HEADER, *map(list, ROWS), list(RARE)])]),
            columns=HEADER,
            rows=[*ROWS, RARE],
            row_numbers=[2, 3, 4, 5],
            sheets=["企业"],
        ),
        Case(
            "xlsx_merged_header",
            "merged.xlsx",
            xlsx(
                [
                    (
                        "S",
                        [
                            ["2024年企业名录", None, None, None],
                            ["基本信息", None, "财务", None],
                            ["名称", "镇街", "资本", "营收"],
                            ["甲", "大溪镇", 10, 20.5],
                            ["乙", None, 3, 4],
                        ],
                    )
                ],
                merges={"S": ["A1:D1", "A2:B2", "C2:D2", "B4:B5"]},
            ),
            columns=["基本信息/名称", "基本信息/镇街", "财务/资本", "财务/营收"],
            rows=[("甲", "大溪镇", "10", "20.5"), ("乙", "大溪镇", "3", "4")],
            row_numbers=[4, 5],
            header_rows=2,
        ),
        Case(
            "xlsx_vertical_header_merge",
            "vmerge.xlsx",
            xlsx(
                [("S", [["编号", "地址", None], [None, "镇", "村"], [1, "大溪", "上林"]])],
                merges={"S": ["A1:A2", "B1:C1"]},
            ),
            columns=["编号", "地址/镇", "地址/村"],
            rows=[("1", "大溪", "上林")],
            row_numbers=[3],
        ),
        Case(
            "xlsx_dates",
            "dates.xlsx",
            xlsx([("S", [["d", "t"], [date(2024, 3, 1), datetime(2024, 3, 1, 8, 30)]])]),
            rows=[("2024-03-01", "2024-03-01 08:30:00")],
        ),
        Case(
            "xlsx_formulas_cached",
            "fcached.xlsx",
            with_cached_values(
                xlsx(
                    [("S", [["a", "b", "sum"], [1, 2, None], [3, 4, None]])],
                    formulas={"S": {"C2": "=A2+B2", "C3": "=A3+B3"}},
                ),
                {"C2": "3"},
            ),
            rows=[("1", "2", "3"), ("3", "4", None)],
            warnings=["1 formula cell(s)", "C3"],
        ),
        Case(
            "xlsx_formulas_uncached",
            "fnocache.xlsx",
            xlsx([("S", [["a", "b", "sum"], [1, 2, None]])], formulas={"S": {"C2": "=A2+B2"}}),
            rows=[("1", "2", None)],
            warnings=["without a cached value"],
        ),
        Case(
            "xlsx_hidden_sheet",
            "hidden.xlsx",
            xlsx([("可见", [["a"], ["1"]]), ("隐藏", [["a"], ["2"]])], hidden=("隐藏",)),
            rows=[("1",)],
            sheets=["可见"],
            hidden_sheets=["隐藏"],
        ),
        Case(
            "xlsx_hidden_included",
            "hidden2.xlsx",
            xlsx([("可见", [["a"], ["1"]]), ("隐藏", [["a"], ["2"]])], hidden=("隐藏",)),
            OPT(include_hidden_sheets=True),
            rows=[("1",), ("2",)],
            sheets=["可见", "隐藏"],
            sheet_column=["可见", "隐藏"],
        ),
        Case(
            "xlsx_two_sheets_union",
            "two.xlsx",
            xlsx([("A", [["x", "y"], [1, 2]]), ("B", [["y", "z"], [3, 4]])]),
            columns=["x", "y", "z"],
            rows=[("1", "2", None), (None, "3", "4")],
            sheet_column=["A", "B"],
        ),
        Case(
            "xlsx_pick_sheet",
            "pick.xlsx",
            xlsx([("A", [["x"], [1]]), ("B", [["x"], [2]])]),
            OPT(sheet="B"),
            rows=[("2",)],
        ),
        Case(
            "xlsx_missing_sheet",
            "miss.xlsx",
            xlsx([("A", [["x"], [1]])]),
            OPT(sheet="Z"),
            error="no sheet named",
        ),
        Case(
            "xlsx_empty_and_data",
            "emptysheet.xlsx",
            xlsx([("空", []), ("数据", [["a"], ["v"]])]),
            rows=[("v",)],
            sheets=["数据"],
            warnings=["空 is empty"],
        ),
        Case(
            "xlsx_offset_table",
            "offset.xlsx",
            xlsx(
                [
                    (
                        "S",
                        [
                            [],
                            [],
                            [None, None, "名称", "值"],
                            [None, None, "甲", 1],
                            [None, None, "乙", None, "多"],
                        ],
                    )
                ]
            ),
            columns=["名称", "值"],
            rows=[("甲", "1")],
            row_numbers=[4],
            quarantined=[5],
            reasons=["wider than"],
        ),
        Case("xlsx_only_header", "xhead.xlsx", xlsx([("S", [["a", "b"]])]), rows=[]),
        Case(
            "xlsx_blank_rows",
            "xblank.xlsx",
            xlsx([("S", [["a"], ["1"], [None], ["2"]])]),
            rows=[("1",), ("2",)],
            row_numbers=[2, 4],
        ),
        Case(
            "xlsx_truncated",
            "cut.xlsx",
            truncated(xlsx([("S", [["a"], [1]] * 50)])),
            error="not a complete xlsx",
        ),
        Case("xlsx_zip_bomb", "bomb.xlsx", zip_bomb, error="zip bomb"),
        Case("xlsx_encrypted", "secret.xlsx", encrypted_ole, error="encrypted"),
        Case(
            "zip_not_workbook",
            "notbook.xlsx",
            lambda p: zipfile.ZipFile(p, "w").writestr("hello.txt", "hi"),
            error="not an Excel workbook",
        ),
        Case(
            "xls_basic",
            "old.xls",
            xls([("企业", [HEADER, *map(list, ROWS), ["𠮷", "x", "y", 1.0]])]),
            columns=HEADER,
            rows=[*ROWS, ("𠮷", "x", "y", "1")],
            row_numbers=[2, 3, 4, 5],
        ),
        Case(
            "xls_merged_dates_hidden",
            "old2.xls",
            xls(
                [
                    (
                        "S",
                        [
                            [None, None, "备注"],
                            ["名称", "日期", None],
                            ["甲", date(2024, 1, 2), "x"],
                        ],
                    ),
                    ("H", [["x"], [1]]),
                ],
                merges=[(0, 0, 0, 1, "基本信息"), (0, 1, 2, 2, "备注")],
                hidden=("H",),
            ),
            columns=["基本信息/名称", "基本信息/日期", "备注"],
            rows=[("甲", "2024-01-02", "x")],
            hidden_sheets=["H"],
        ),
        Case(
            "xls_garbage",
            "bad.xls",
            raw_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
            error="cannot read bad.xls",
        ),
        # ---------------------------------------------------------------- JSON and Parquet
        Case(
            "json_array",
            "a.json",
            text_file('[{"名称": "𠮷", "n": 1}, {"n": 2.5, "x": null}]'),
            columns=["名称", "n", "x"],
            rows=[("𠮷", "1", None), (None, "2.5", None)],
        ),
        Case(
            "json_items",
            "items.json",
            text_file('{"total": 3, "items": [{"a": {"b": 1}}, 5, {"a": [1, 2]}]}'),
            rows=[('{"b":1}',), ("[1,2]",)],
            row_numbers=[1, 3],
            quarantined=[2],
            reasons=["not a JSON object"],
        ),
        Case("json_invalid", "bad.json", text_file('[{"a": 1},'), error="not valid JSON"),
        Case(
            "jsonl_bad_lines",
            "l.jsonl",
            text_file('{"a": "温岭"}\n{"a": 2\n\n[1]\n{"a": "𠮷"}\n'),
            rows=[("温岭",), ("𠮷",)],
            row_numbers=[1, 5],
            quarantined=[2, 4],
            reasons=["invalid JSON", "not a JSON object"],
        ),
        Case(
            "jsonl_gbk",
            "g.jsonl",
            text_file('{"a": "温岭泵阀"}\n{"a": "大溪镇"}\n', "gbk"),
            rows=[("温岭泵阀",), ("大溪镇",)],
        ),
        Case(
            "parquet",
            "p.parquet",
            parquet_file,
            columns=["id", "名称", "值", "日期"],
            rows=[("1", "温岭𠮷", "2.5", "2024-03-01"), ("2", None, None, None)],
        ),
        Case(
            "parquet_truncated",
            "cut.parquet",
            truncated(parquet_file, 0.7),
            error="not a complete Parquet",
        ),
    ]
    return cases


CASES = build_corpus()


def case_ids() -> list[str]:
    return [c.name for c in CASES]


__all__ = ["CASES", "Case", "case_ids", "replace"]

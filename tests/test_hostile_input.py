"""Hostile and damaged case files, as properties: whatever a CSV, XLSX or YAML file holds, reading it gives a
typed table or a `CaseFileError` listing problems, never another exception; and whatever the toolkit
exports reads back unchanged. Files are built here from strategies (no binary fixtures in the repository)."""
import csv
import io
import json
import os
import zipfile
from xml.sax.saxutils import escape

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from winback_research.cases import CaseFileError, Limits, read_cases, write_cases
from winback_research.codebook import VARIABLES
from winback_research.core import InputError
from winback_research.safeio import protect_cell, unprotect_cell, write_table

NAMES = [v.name for v in VARIABLES] + ["bogus", "relationship_stage", "供应商", "Primary reason"]
CORE = ["case_id", "supplier", "customer", "dissolution_year"]
SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- cells: long digit strings, control characters, Excel-date look-alikes, formulas, overflow --------------------------
_digits = st.text(alphabet="0123456789", min_size=10, max_size=40)
_cell = st.one_of(
    st.sampled_from(["", "yes", "no", "partial", "2009", "0.5", "15%", "none", "top", "NO", "0123", "price", "price;price",
                     "=1+1", "\r=1+1", "\n=1+1", " =1", "＝1+1", "-50000.0", "'-5", "'=x", "@SUM(A1)", "1e308", "-1e308",
                     "inf", "nan", "2012-03-05", "05/03/2012", "41000", "45000.5", '"', '""', "a,b", "a;b", "\x00", "\x1b[2J",
                     "\u202etxt.exe", "\ufeffx", "1" * 5000]),
    st.tuples(st.sampled_from(["", "-", "+"]), _digits, st.sampled_from(["", ".0", ".5", "e5", "e400"])).map("".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x9f), max_size=10),   # C0/C1 control characters among ASCII
)


@st.composite
def csv_files(draw):
    "A CSV file: codebook and other headers, any separator, ragged rows, quoting, encodings, sometimes broken."
    cols = draw(st.one_of(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8), st.just(CORE), st.just(CORE + ["revenue_before", "start_year"])))
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    rows = [[draw(_cell) for _ in range(max(0, len(cols) + draw(st.sampled_from([0, 0, 0, 0, -1, 1, 3]))))]
            for _ in range(draw(st.integers(0, 4)))]
    always = draw(st.booleans())
    q = lambda x: '"' + x.replace('"', '""') + '"' if always or any(ch in x for ch in sep + '"\r\n') else x
    text = "\n".join(sep.join(q(x) for x in r) for r in [cols] + rows) + draw(st.sampled_from(["", "\n", "\r\n"]))
    if draw(st.integers(0, 19)) == 0: text += '"unclosed,' + "x" * draw(st.integers(0, 200_000))
    if draw(st.integers(0, 29)) == 0: text = ",".join(f"c{j}" for j in range(draw(st.integers(1_000, 120_000)))) + "\n"
    enc = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "gb18030"]))
    return "cases.csv", text.encode(enc, "replace")


# a minimal XLSX package written as XML, so the sheet can say anything: any dimension, far cells, dates, formulas
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="cases" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
    "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
}


def _col(j):
    s = ""
    while j: j, r = divmod(j - 1, 26); s = chr(65 + r) + s
    return s


def xlsx_bytes(rows, dimension=None, far=None, cut=None):
    "An XLSX file: rows of (kind, value) cells; a declared dimension; a far cell (row, col); the sheet XML cut short."
    def cell(ref, kind, v):
        if kind == "s": return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(v)}</t></is></c>'
        if kind == "n": return f'<c r="{ref}"><v>{escape(v)}</v></c>'
        if kind == "d": return f'<c r="{ref}" s="1"><v>{v}</v></c>'
        if kind == "f": return f'<c r="{ref}"><f>{escape(v)}</f></c>'
        return f'<c r="{ref}" t="b"><v>{v}</v></c>'
    xml = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension: xml.append(f'<dimension ref="{dimension}"/>')
    xml.append("<sheetData>")
    for i, r in enumerate(rows, start=1):
        xml.append(f'<row r="{i}">' + "".join(cell(f"{_col(j)}{i}", k, v) for j, (k, v) in enumerate(r, start=1)) + "</row>")
    if far: xml.append(f'<row r="{far[0]}">' + cell(f"{_col(far[1])}{far[0]}", "s", "x") + "</row>")
    xml.append("</sheetData></worksheet>")
    sheet = "".join(xml)
    if cut is not None: sheet = sheet[:cut % len(sheet)]
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for n, t in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items(): z.writestr(n, t)
    return b.getvalue()


_xcell = st.one_of(_cell.map(lambda v: ("s", v)),
                   st.one_of(_digits, st.sampled_from(["1e308", "2009", "2009.5", "-50000", "0.15"])).map(lambda v: ("n", v)),
                   st.integers(1, 80_000).map(lambda v: ("d", v)),                      # an Excel date (serial day number)
                   st.sampled_from(["1+1", "A1", "SUM(A1:A3)"]).map(lambda v: ("f", v)),  # a formula without a saved value
                   st.sampled_from(["0", "1"]).map(lambda v: ("b", v)))


@st.composite
def xlsx_files(draw):
    "An XLSX file with any cells, a declared dimension that may be huge, a cell that may sit at XFD1048576, XML that may be cut."
    cols = draw(st.one_of(st.just(CORE), st.lists(st.sampled_from(NAMES), min_size=1, max_size=6)))
    rows = [[("s", c) for c in cols]] + [[draw(_xcell) for _ in cols] for _ in range(draw(st.integers(0, 3)))]
    dim = draw(st.sampled_from([None, None, "A1:D2", "A1:XFD1048576", "A1:ZZ100001", "A1:ALM3", "nonsense"]))
    far = draw(st.sampled_from([None, None, None, (1_048_576, 16_384), (100_002, 1), (3, 1_001)]))
    cut = draw(st.sampled_from([None] * 9 + [draw(st.integers(0, 10_000))]))
    return "cases.xlsx", xlsx_bytes(rows, dim, far, cut)


@st.composite
def yaml_files(draw):
    "A YAML case file: repeated keys, anchors and aliases, deep nesting, lists, mappings, several documents."
    keys = draw(st.lists(st.sampled_from(CORE * 3 + NAMES[:20] + ["bogus"]), min_size=1, max_size=8))   # repeated keys on purpose
    lines = []
    for k in keys:
        v, style = json.dumps(draw(_cell)), draw(st.sampled_from(["json"] * 5 + ["plain", "map", "list", "anchor", "alias", "deep", "nested"]))
        if style == "plain": lines.append(f"{k}: {draw(_cell)}")
        elif style == "map": lines.append(f"{k}: {{value: {v}, evidence: {json.dumps(draw(_cell))}, source: x}}")
        elif style == "list": lines.append(f"{k}: [{v}, {json.dumps(draw(_cell))}]")
        elif style == "anchor": lines.append(f"{k}: &a {v}")
        elif style == "alias": lines.append(f"{k}: *a")
        elif style == "deep": n = draw(st.integers(1, 30_000)); lines.append(f"{k}: " + "[" * n + "]" * n)
        elif style == "nested": lines.append(f"{k}: {{value: {{value: {v}}}}}")
        else: lines.append(f"{k}: {v}")
    text = "\n".join(lines)
    if draw(st.booleans()): text = text + "\n---\n" + text
    return "case.yaml", text.encode("utf-8", "surrogatepass")


_files = st.one_of(csv_files(), xlsx_files(), yaml_files(),
                   st.tuples(st.sampled_from(["x.csv", "x.xlsx", "x.yaml"]), st.binary(max_size=300)))


@settings(max_examples=1000, **SETTINGS)
@given(f=_files, in_folder=st.booleans())
def test_any_file_gives_a_table_or_problems(tmp_path_factory, f, in_folder):
    name, data = f
    d = tmp_path_factory.mktemp("h")
    path = d / name
    path.write_bytes(data)
    if in_folder and name.endswith(".yaml"):
        os.symlink("loop.yaml", d / "loop.yaml")                 # a folder of case files with a symbolic-link loop in it
        path = d
    try:
        df = read_cases(path)
    except CaseFileError as e:                                   # an InputError: every problem at once, each with a rule
        assert isinstance(e, InputError) and e.problems and all(p.rule for p in e.problems)
    else:
        assert isinstance(df, pd.DataFrame) and len(df) >= 1
        for c in df.columns:                                     # no control character reached a validated table
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                assert not df[c].dropna().astype(str).str.contains("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", regex=True).any()


# ---- what the toolkit exports validates again, unchanged -------------------------------------------------------------
_text = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                                   st.sampled_from(list("\t\n\r=+-@'\" ,;＝＋－＠"))), min_size=1, max_size=20)
_money = st.floats(min_value=-9.99e14, max_value=9.99e14, allow_nan=False)


@pytest.fixture(scope="module")
def one_case(tmp_path_factory):
    f = tmp_path_factory.mktemp("base") / "one.csv"
    f.write_text("case_id,supplier,customer,dissolution_year\nC1,Us,Them,2010\n", encoding="utf-8")
    return read_cases(f, with_derived=False)


@settings(max_examples=300, **SETTINGS)
@given(supplier=_text, customer=_text, notes=st.none() | _text, cba=st.none() | _money, year=st.integers(1900, 2100),
       fmt=st.sampled_from([".csv", ".xlsx", ""]))
def test_exports_read_back_unchanged(tmp_path_factory, one_case, supplier, customer, notes, cba, year, fmt):
    assume(not (fmt == ".xlsx" and "\r" in supplier + customer + (notes or "")))   # XML keeps no bare CR: it reads back as LF
    df = one_case.copy()
    df["supplier"], df["customer"] = pd.array([supplier], dtype=df["supplier"].dtype), pd.array([customer], dtype=df["customer"].dtype)
    df["notes"] = pd.array([notes], dtype="string")
    df["cba_expected_value"] = pd.array([cba], dtype="Float64")
    df["dissolution_year"] = pd.array([year], dtype="Int64")
    dst = tmp_path_factory.mktemp("rt") / f"out{fmt}"
    write_cases(df, dst)
    back = read_cases(dst, with_derived=False)
    gone = [c for c in df.columns if c not in back.columns]        # YAML writes no line for a missing value
    assert df[gone].isna().all().all()
    pd.testing.assert_frame_equal(back[[c for c in df.columns if c not in gone]], df.drop(columns=gone), check_dtype=False)


@settings(max_examples=300, **SETTINGS)
@given(cells=st.lists(st.one_of(_text, st.text(max_size=8)), min_size=1, max_size=6))
def test_exported_csv_never_starts_a_formula(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_table(pd.DataFrame({"name": cells, "n": range(len(cells))}), path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    assert len(rows) == len(cells) + 1 and all(len(r) == 2 for r in rows)   # no line break escaped its field
    for r, original in zip(rows[1:], cells):
        assert unprotect_cell(r[0]) == original
        assert r[0].startswith("'") or protect_cell(r[0]) == r[0]            # what a spreadsheet sees starts no formula


def test_limits_are_raisable_and_defaults_documented(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("case_id,supplier,customer,dissolution_year\nC1,S,C,2009\nC2,S,C,2009\n")
    with pytest.raises(CaseFileError, match=r"above the limit of 1 \(rows\).*limits=Limits\(rows=\.\.\.\)"):
        read_cases(f, limits=Limits(rows=1))
    assert len(read_cases(f, limits=Limits(rows=2))) == 2


def test_unreadable_files_and_pipes_are_problems(tmp_path, monkeypatch):
    import winback_research.cases as cases_module
    good = "case_id,supplier,customer,dissolution_year\nC1,S,C,2009\n"
    (tmp_path / "c.csv").write_text(good)
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "a.yaml").write_text("case_id: C1\nsupplier: S\ncustomer: C\ndissolution_year: 2009\n")

    def denied(*a, **k): raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(cases_module, "open", denied, raising=False)   # as a file without read permission (root reads any)
    with pytest.raises(CaseFileError, match=r"c.csv: 1 problem\n  file: cannot be read \(Permission denied\)"):
        read_cases(tmp_path / "c.csv")
    with pytest.raises(CaseFileError, match=r"case file a.yaml: cannot be read \(Permission denied\)"):
        read_cases(tmp_path / "y")
    monkeypatch.undo()
    os.mkfifo(tmp_path / "p.csv")                                     # reading a pipe would wait forever
    with pytest.raises(CaseFileError, match="is not a regular file"):
        read_cases(tmp_path / "p.csv")
    os.symlink("loop.csv", tmp_path / "loop.csv")
    with pytest.raises(CaseFileError, match="symbolic link"):
        read_cases(tmp_path / "loop.csv")


def test_sizes_are_refused_before_parsing(tmp_path):
    (tmp_path / "wide.csv").write_text(",".join(f"c{j}" for j in range(100_000)) + "\n")
    with pytest.raises(CaseFileError, match=r"has 100,000 columns, above the limit of 1,000 \(columns\)"):
        read_cases(tmp_path / "wide.csv")
    (tmp_path / "empty_cells.csv").write_text(",".join(CORE + [f"c{j}" for j in range(996)]) + "\n" + ("x" + "," * 999 + "\n") * 6_000)
    with pytest.raises(CaseFileError, match=r"cells, above the limit of 5,000,000 \(cells\)"):   # 6 MB of separators, 6 million cells
        read_cases(tmp_path / "empty_cells.csv")
    (tmp_path / "huge.xlsx").write_bytes(xlsx_bytes([[("s", c) for c in CORE]], "A1:XFD1048576", (1_048_576, 16_384)))
    with pytest.raises(CaseFileError, match=r"declares a sheet of 1,048,576 rows and 16,384 columns"):
        read_cases(tmp_path / "huge.xlsx")
    (tmp_path / "far.xlsx").write_bytes(xlsx_bytes([[("s", c) for c in CORE]], None, (1_048_576, 16_384)))   # no declaration
    with pytest.raises(CaseFileError, match=r"above the limit of 100,000 \(rows\)"):
        read_cases(tmp_path / "far.xlsx")
    (tmp_path / "bomb.yaml").write_text('a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f'{chr(98 + k)}: &{chr(98 + k)} [{",".join(["*" + chr(97 + k)] * 9)}]\n' for k in range(8)))
    with pytest.raises(CaseFileError, match="anchor or alias"):
        read_cases(tmp_path / "bomb.yaml")

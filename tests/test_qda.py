"""REFI-QDA reading: UTF-16 positions, nested codes, case variables."""
import zipfile

import pytest

from winback_research.core import InputError
from winback_research.qda import read_qdpx, utf16_slice

TEXTS = {"s1": "😀😀 客户流失于二〇〇九年", "s2": "قال العميل إن السعر ارتفع 🙂 price rose", "s3": "plain ASCII: recaptured in 2012"}


def _project(tmp_path):
    def sel(g, a, b, code):
        return (f'<PlainTextSelection guid="p{g}" startPosition="{a}" endPosition="{b}">'
                f'<Coding guid="k{g}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')
    qde = f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t">
 <Variables><Variable guid="v1" name="year" typeOfVariable="Integer"/></Variables>
 <Cases>{"".join(f'<Case guid="c{i}" name="case {i}"><VariableValue><VariableRef targetGUID="v1"/><IntegerValue>{2008+i}</IntegerValue></VariableValue><SourceRef targetGUID="s{i}"/></Case>' for i in (1, 2, 3))}</Cases>
 <CodeBook><Codes><Code guid="g1" name="recaptured" isCodable="false"><Code guid="g2" name="yes" isCodable="true"/><Code guid="g3" name="no" isCodable="true"/></Code></Codes></CodeBook>
 <Sources>
  <TextSource guid="s1" name="doc zh" plainTextPath="internal://s1.txt">{sel(1, 5, 7, "g3")}</TextSource>
  <TextSource guid="s2" name="doc ar" plainTextPath="internal://s2.txt">{sel(2, 4, 10, "g3")}{sel(3, 29, 39, "g3")}</TextSource>
  <TextSource guid="s3" name="doc en" plainTextPath="internal://s3.txt">{sel(4, 13, 23, "g2")}</TextSource>
 </Sources></Project>'''
    p = tmp_path / "t.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", qde)
        for k, t in TEXTS.items():
            z.writestr(f"sources/{k}.txt", t)
    return p


def test_utf16_positions():
    s = "😀 客户 العميل"
    assert utf16_slice(s, 3, 5) == "客户"
    assert utf16_slice(s, 6, 12) == "العميل"
    with pytest.raises(InputError, match="outside the document"):
        utf16_slice(s, 0, 50)


def test_read_three_cases(tmp_path):
    prj = read_qdpx(_project(tmp_path))
    assert [c["name"] for c in prj.cases] == ["case 1", "case 2", "case 3"]
    assert prj.cases[1]["variables"] == {"year": "2010"}
    assert prj.codes["g2"] == "recaptured/yes"
    got = {(c["source"], c["text"]) for c in prj.codings}
    assert got == {("doc zh", "客户"), ("doc ar", "العميل"), ("doc ar", "price rose"), ("doc en", "recaptured")}


def test_missing_source(tmp_path):
    p = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0"><Sources><TextSource guid="x" name="d" plainTextPath="internal://x.txt"/></Sources></Project>')
    with pytest.raises(InputError, match="not in the archive"):
        read_qdpx(p)


# --- from coding to case files ---------------------------------------------------------------------------------
from winback_research.cli import main  # noqa: E402
from winback_research.cases import read_cases  # noqa: E402
from winback_research.qda import example_qda, import_qda, read_classification, read_mapping, validate_qde  # noqa: E402



def test_bundled_project_becomes_a_valid_study():
    project, mapping = example_qda()
    imp = import_qda(project, mapping, strict=True)
    assert imp.schema == []
    c = imp.cases
    assert list(c.case_id) == ["qda-1", "Gulf-Pumps", "Nordic-Steel"]
    assert list(c.recaptured.astype(str)) == ["yes", "partial", "no"]
    assert list(c.reason_primary.astype(str)) == ["price", "quality_delivery_failure", "price"]
    assert list(c.supplier) == ["华东机械", "Gulf Pumps", "Nordic Steel"]
    # evidence quotes the segment with its document and the file's own UTF-16 positions
    ev = c.recaptured_evidence[0]
    text = "😀 访谈：客户因价格上涨而离开，二〇一二年重新合作。"
    seg = "二〇一二年重新合作"
    a = len(text[:text.index(seg)].encode("utf-16-le")) // 2
    assert ev == f"“{seg}” (interview 1, {a}–{a + len(seg)})" and a == text.index(seg) + 1     # the emoji counts twice
    assert "التسليم تأخر مرارا" in c.reason_primary_evidence[1]
    assert sorted(map(tuple, imp.unmapped[["kind", "name", "uses"]].values.tolist())) == [("code", "mood", 1), ("variable", "Transcript checked", 3)]


def test_mapping_problems_all_at_once(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("variables:\n  Supplier: suplier\ncodes:\n  a: {recaptured: maybe}\n  b: {evidence: notes}\n  c: x\nextra: 1\n")
    with pytest.raises(InputError) as e:
        read_mapping(p)
    msg = str(e.value)
    assert msg.startswith("m.yaml: 5 problems")
    for s in ("line 2", "'suplier' is not a codebook variable", "line 4", "'maybe' is not one of", "has no evidence column",
              "must be one {column: value} pair", "is not a mapping section"):
        assert s in msg, (s, msg)


def test_schema_problems_listed_or_refused(tmp_path):
    p = _project(tmp_path)                      # short ids such as "c1": not GUIDs, as the schema requires
    probs = validate_qde(p)
    assert probs and all(x.where.startswith("line ") for x in probs) and any("'c1' is not accepted" in x.rule for x in probs)
    m = "variables: {year: dissolution_year}\ngroups: {recaptured: recaptured}\n"
    with pytest.raises(InputError, match="'supplier': is required"):     # not stopped by the schema: by the case file
        import_qda(p, m)
    with pytest.raises(InputError, match="is not accepted by the pattern"):
        import_qda(p, m, strict=True)


def test_conflicting_codes_are_a_case_problem(tmp_path):
    p = _project(tmp_path)
    import zipfile
    q = tmp_path / "two.qdpx"
    with zipfile.ZipFile(p) as z, zipfile.ZipFile(q, "w") as w:
        for n in z.namelist():
            data = z.read(n)
            if n == "project.qde":       # case 1 also gets document 3 (coded 'yes') next to its own (coded 'no')
                data = data.replace(b'<SourceRef targetGUID="s1"/>', b'<SourceRef targetGUID="s1"/><SourceRef targetGUID="s3"/>')
            w.writestr(n, data)
    with pytest.raises(InputError, match=r"case 'case 1', column 'recaptured': its codes give more than one value: no, yes"):
        import_qda(q, "variables: {year: dissolution_year}\ngroups: {recaptured: recaptured}\n")


def test_classification_sheet_tsv_and_formula_cells(tmp_path):
    sheet = tmp_path / "cases.tsv"
    sheet.write_text("Company\tSupplier\tCustomer\tYear of break-up\tRegion\n"
                     "A Ltd\t=HYPERLINK(\"x\")\tB Corp\t2010\tUnassigned\n"
                     "C Ltd\tC Ltd\tD Corp\t2012\tNot Applicable\n", encoding="utf-8")
    prj = read_classification(sheet)
    assert [c["variables"]["Region"] for c in prj.cases] == [None, None]
    m = tmp_path / "m.yaml"
    m.write_text("variables: {Supplier: supplier, Customer: customer, Year of break-up: dissolution_year}\n")
    assert main(["import-nvivo", str(sheet), "--mapping", str(m), "-o", str(tmp_path / "out")]) == 0
    raw = (tmp_path / "out" / "cases.csv").read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw              # protected against formula injection
    back = read_cases(tmp_path / "out" / "cases.csv")
    assert back.supplier[0] == '=HYPERLINK("x")' and list(back.dissolution_year) == [2010, 2012]
    assert (tmp_path / "out" / "unmapped.csv").read_text(encoding="utf-8").splitlines()[1:] == ["variable,Region,2"]


def test_cli_import_qdpx(tmp_path, capsys):
    project, mapping = example_qda()
    out = tmp_path / "cases"
    assert main(["import-qdpx", str(project), "--mapping", str(mapping), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 cases" in text and "code 'mood': coded 1 time(s)" in text and "variable 'Transcript checked': held by 3 case(s)" in text
    assert main(["validate", str(out / "cases.csv")]) == 0
    before = (out / "cases.csv").read_bytes()
    assert main(["import-qdpx", str(project), "--mapping", str(mapping), "-o", str(out)]) == 1      # no --force
    assert (out / "cases.csv").read_bytes() == before
    assert main(["import-qdpx", "example", "-o", str(out), "--force"]) == 0
    assert main(["import-qdpx", str(project), "-o", str(tmp_path / "x")]) == 1                      # no mapping
    assert "give the mapping file" in capsys.readouterr().err


def test_broken_project_files(tmp_path):
    (tmp_path / "a.qdpx").write_text("not a zip")
    with pytest.raises(InputError, match=r"a.qdpx: 1 problem\n  file: is not a REFI-QDA project"):
        read_qdpx(tmp_path / "a.qdpx")
    with zipfile.ZipFile(tmp_path / "b.qdpx", "w") as z:
        z.writestr("project.qde", '<?xml version="1.0"?>\n<Project xmlns="urn:QDA-XML:project:1.0">\n<Cases>\n</Project>')
    with pytest.raises(InputError, match=r"project.qde line 4: is not well-formed XML"):
        read_qdpx(tmp_path / "b.qdpx")
    assert validate_qde(tmp_path / "b.qdpx")[0].rule.startswith("is not well-formed XML")
    with zipfile.ZipFile(tmp_path / "c.qdpx", "w") as z:
        z.writestr("other.xml", "<x/>")
    with pytest.raises(InputError, match="has no project.qde"):
        read_qdpx(tmp_path / "c.qdpx")
    with pytest.raises(InputError, match="has no project.qde"):
        import_qda(tmp_path / "c.qdpx", "groups: {recaptured: recaptured}\n")


def test_mapping_file_any_extension_and_wrong_shape(tmp_path):
    p = tmp_path / "mapping.txt"
    p.write_text("groups: {recaptured: recaptured}\n")
    assert read_mapping(p).groups == {"recaptured": "recaptured"}
    assert read_mapping(str(p)).groups == {"recaptured": "recaptured"}
    q = tmp_path / "list.yaml"
    q.write_text("- recaptured\n- reasons\n")
    with pytest.raises(InputError, match=r"list.yaml: 1 problem\n  file: must be a mapping with the sections"):
        read_mapping(q)

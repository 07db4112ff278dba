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

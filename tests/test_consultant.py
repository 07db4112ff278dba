"""The consultant's job end to end: a 15-customer XLSX list and an assumptions file through `winback portfolio`
and `winback assess`, in English and Chinese."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from winback_research.assess import open_case
from winback_research.cases import write_cases
from winback_research.client import latin_words
from winback_research.datasets import load_example

WINBACK = str(Path(sys.executable).with_name("winback"))
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def winback(*args, cwd=None):
    return subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=cwd, env=ENV)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    d = tmp_path_factory.mktemp("client")
    study = load_example("study26")
    write_cases(open_case(study.iloc[:15]), d / "lost.xlsx")
    assert winback("template", "--assumptions", "-o", str(d / "a.yaml")).returncode == 0
    text = (d / "a.yaml").read_text().replace("illustrative: true", "illustrative: false")
    text = text.replace("#  C01:\n#    special_design_cost: 40000\n#    horizon_years: 8",
                        "  SYN2019-003:\n    special_design_cost: 900000\n  SYN2019-007:\n    horizon_years: 10")
    (d / "a.yaml").write_text(text)
    return d, study


def test_ranking_uses_the_assumptions(client):
    d, study = client
    r = winback("portfolio", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(d / "a.yaml"),
                "-o", str(d / "rank.xlsx"), "--report", str(d / "rank.html"))
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook
    ws = load_workbook(d / "rank.xlsx").worksheets[0]
    head = [c.value for c in ws[1]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert ws.title == "Ranking" and ws.freeze_panes == "C2" and len(rows) == 15
    p, v = head.index("Probability of recapture"), head.index("Expected value (thousand EUR)")
    assert all(isinstance(row[p], float) for row in rows) and all(isinstance(row[v], float) for row in rows)   # numbers, not text
    assert ws.cell(2, p + 1).number_format == "0%"
    # the ranking is not revenue x margin x probability: customer SYN2019-003 needs special designs worth 900k
    lost = pd.read_excel(d / "lost.xlsx")
    naive = (lost.revenue_before * lost.margin_before).rank(ascending=False, method="first").astype(int).tolist()
    by_id = {row[1]: row[0] for row in rows}
    assert [by_id[c] for c in lost.case_id] != naive
    assert by_id["SYN2019-003"] == 15
    html = (d / "rank.html").read_text()
    assert html.index('id="ranking"') < html.index('id="case1"')           # the ranking first
    assert "How to read this report" in html and 'class="banner"' in html


def test_chinese_all_the_way(client):
    d, study = client
    r = winback("portfolio", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(d / "a.yaml"),
                "-o", str(d / "rank_zh.xlsx"), "--report", str(d / "rank_zh.html"), "--lang", "zh")
    assert r.returncode == 0, r.stderr
    lost = pd.read_excel(d / "lost.xlsx")
    data = {w for c in ("case_id", "customer", "supplier") for v in lost[c].astype(str) for w in re.findall(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]", v)}
    from winback_research.report import _versions
    note = next(line for line in (d / "a.yaml").read_text().splitlines() if line.startswith("note:"))   # the consultant's own words
    data |= set(re.findall(r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]", note[5:])) | {"a.yaml", "study26"} | set(study.case_id)
    assert latin_words((d / "rank_zh.html").read_text(), data | set(_versions())) == []
    from openpyxl import load_workbook
    wb = load_workbook(d / "rank_zh.xlsx")
    assert wb.sheetnames == ["排名", "输入与来源", "说明"]
    head = " ".join(str(c.value) for c in wb.worksheets[0][1])
    assert re.findall(r"[A-Za-z]{2,}", head) == ["EUR", "EUR", "EUR"]         # headers Chinese, the currency code aside
    assert "合成" in r.stderr                                                 # the terminal note, in Chinese too


def test_one_customer_of_a_list(client):
    d, _ = client
    r = winback("assess", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(d / "a.yaml"))
    assert r.returncode == 1 and "--case ID" in r.stderr and "--all" in r.stderr
    r = winback("assess", str(d / "lost.xlsx"), "--case", "SYN2019-003", "--against", "study26", "--assumptions", str(d / "a.yaml"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["case_id"] == "SYN2019-003" and "synthetic" in out["note"]
    src = {i["input"]: i["source"] for i in out["inputs"]}
    assert src["special_design_cost"] == "assumptions_customer" and src["revenue_before"] == "case_file"
    assert out["sensitivity"] and out["sensitivity"][0]["input"]
    r = winback("assess", str(d / "lost.xlsx"), "--case", "NOPE", "--against", "study26")
    assert r.returncode == 1 and "no case with id 'NOPE'" in r.stderr


def test_assumptions_errors_name_line_and_key(tmp_path, client):
    d, _ = client
    (tmp_path / "bad.yaml").write_text("defaults:\n  horizon_yeras: 5\n  discount_rate: 3\n  discount_rate: 0.1\ncustomers:\n  SYN2019-999: {horizon_years: 2}\n")
    r = winback("portfolio", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(tmp_path / "bad.yaml"), "-o", str(tmp_path / "r.csv"))
    assert r.returncode == 1
    assert "line 4, column 'defaults.discount_rate': is given twice" in r.stderr      # a duplicate key is never resolved silently
    assert not (tmp_path / "r.csv").exists()
    (tmp_path / "bad.yaml").write_text("defaults:\n  horizon_yeras: 5\n  discount_rate: 3\ncustomers:\n  SYN2019-999: {horizon_years: 2}\n")
    r = winback("portfolio", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(tmp_path / "bad.yaml"), "-o", str(tmp_path / "r.csv"))
    assert "did you mean 'horizon_years'" in r.stderr and "3 is above 1" in r.stderr
    r2 = winback("portfolio", str(d / "lost.xlsx"), "--against", "study26", "--assumptions", str(tmp_path / "ok.yaml"), "-o", str(tmp_path / "r.csv"))
    assert r2.returncode == 1 and "no such assumptions file" in r2.stderr

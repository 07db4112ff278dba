"""The Chinese study report has no English words in it: every visible Latin word is a symbol, a unit, a name of a
method's author or of software, or a name from the data."""
import re

from winback_research.client import latin_words
from winback_research.conditions import qca_data
from winback_research.datasets import load_example
from winback_research.report import REPORT_SETTINGS, _versions, build_report

WORD = r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]"


def test_chinese_study_report_has_no_english_words():
    study = load_example("study26")
    page = build_report(study, lang="zh").html
    data = {w for c in ("case_id", "customer", "supplier", "customer_industry", "supplier_industry") if c in study
            for v in study[c].dropna().astype(str) for w in re.findall(WORD, v)}
    qd = qca_data(study, REPORT_SETTINGS["conditions"])
    symbols = set(REPORT_SETTINGS["conditions"]) | {qd.attrs["outcome"]} | {f"M{i}" for i in range(1, 20)}  # QCA's symbols, defined in the report's table
    # before: 'exact', 'finite', codes such as dialogue_level and occasional, English quality findings, 'package version'
    provenance = set(re.findall(WORD, study.attrs.get("generator", "")))          # the call that generated the data, quoted as code
    assert latin_words(page, data | symbols | provenance | set(_versions()) | {"study26"}) == []
    assert "对话达到的最高层级 ≥ 高层管理" in page                  # a QCA rule in words

"""Small studies degrade gracefully: every analysis that can run does, the others say why in one plain line."""
import json

import pytest

from winback_research.cli import main
from winback_research.datasets import load_example
from winback_research.cases import write_cases


@pytest.fixture(scope="module")
def study():
    return load_example("study26")


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10])
def test_analyze_and_report_on_n_cases(study, tmp_path, capsys, monkeypatch, n):
    # Before: with 2 or 3 cases `analyze` printed only the Firth error (no factor table) and `report` put
    # "ValueError: zero-size array to reduction operation minimum" into the report.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    f = write_cases(study.iloc[:n], tmp_path / f"s{n}.csv")
    assert main(["analyze", str(f), "--json"]) == 0
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err, cap.err
    out = json.loads(cap.out)
    assert out["factor_table"] is not None                      # the table runs on any number of cases
    if n < 10: assert "needs" in out["not_computed"]["Firth model"]
    if n in (1, 3, 10):                                         # the report on a few sizes (each takes seconds)
        html = tmp_path / f"r{n}.html"
        assert main(["report", str(f), "-o", str(html)]) == 0
        page = html.read_text(encoding="utf-8")
        assert "Traceback" not in page and "Error:" not in page and "zero-size array" not in page

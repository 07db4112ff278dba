"""Tests of the installed package: codebook, case files, bundled studies."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from winback_research import codebook, datasets
from winback_research.cases import CaseFileError, read_cases, write_cases
from winback_research.codebook import VARIABLES, datapackage, template_columns
from winback_research.core import InputError
from winback_research.datasets import load_example

ROOT = Path(__file__).resolve().parents[1]


def test_model_terms_of_study26_unchanged():
    """The generating indicators of the bundled studies, as they were before the terms moved into the codebook."""
    sums = datasets.generative_terms(load_example("study26")).sum().astype(int).to_dict()
    assert sums == {"rca_done": 20, "cba_done": 15, "dialogue_top": 15, "accommodation_fit": 16, "ties": 12,
                    "investments_high": 13, "structural_change": 12, "controllable_or_price": 16, "executive_conflict": 5}
    assert datasets.generative_terms(load_example("brextech_rilf")).iloc[0].tolist() == [1.0] * 9


def test_terms_still_importable_from_datasets():
    """Until the callers switch to the codebook, datasets re-exports the codebook's definitions."""
    assert datasets.FIT is codebook.FIT
    assert datasets.with_terms is codebook.with_terms and datasets.generative_terms is codebook.generative_terms
    assert list(datasets.DEFAULT_EFFECTS)[1:] == list(codebook.MODEL_TERMS)


def test_three_mistakes_reported_together(tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text("case_id,supplier,customer,dissolution_year,recaptured,recapture_year,share_of_wallet\n"
                 "A1,S,C,2009,yes,2012,0.5\n"
                 "A2,S,C,2010,Yes,2012,0.5\n"          # mistake 1: category spelling
                 "A3,S,C,2011,no,,1.7\n"               # mistake 2: share out of range
                 "A4,S,C,2012,yes,2010,0.4\n")         # mistake 3: years out of order
    with pytest.raises(CaseFileError) as e:
        read_cases(f)
    msgs = [str(p) for p in e.value.problems]
    assert msgs == ["row 3, column 'recaptured': 'Yes' is not one of: yes, partial, no (did you mean 'yes'?)",
                    "row 4, column 'share_of_wallet': 1.7 must be between 0 and 1",
                    "row 5, column 'recapture_year': recapture_year 2010 is before dissolution_year 2012"]
    assert str(e.value).startswith("cases.csv: 3 problems")
    assert isinstance(e.value, InputError)


def test_model_term_column_rejected(tmp_path):
    """A model term is derived: a case file that stores one is rejected, like any derived variable."""
    f = tmp_path / "t.csv"
    f.write_text("case_id,supplier,customer,dissolution_year,dialogue_level,dialogue_top\nA1,S,C,2009,top,yes\n")
    with pytest.raises(CaseFileError, match="column 'dialogue_top': is derived from dialogue_level"):
        read_cases(f)


def test_input_never_overwritten(tmp_path):
    f = tmp_path / "study.csv"
    write_cases(load_example("study26"), f)
    before = f.read_bytes()
    with pytest.raises(FileExistsError):
        write_cases(load_example("study26"), f)
    assert f.read_bytes() == before


def test_formula_injection_in_exports(tmp_path):
    df = load_example("brextech_rilf")
    df.loc[0, "supplier"] = '=HYPERLINK("http://evil.example","x")'
    write_cases(df, tmp_path / "x.csv")
    assert "'=HYPERLINK" in (tmp_path / "x.csv").read_text()


def test_datapackage_matches_template():
    names = [f["name"] for f in datapackage("x")["resources"][0]["schema"]["fields"]]
    assert names == template_columns()


# A property: whatever a malformed table holds, reading it yields a typed table or a CaseFileError
# listing problems, never any other exception.
_cols = st.sampled_from([v.name for v in VARIABLES] + ["bogus", "relationship_stage", "dialogue_top", "case_id"])
_cell = st.one_of(st.just(""), st.sampled_from(["yes", "no", "2009", "0.5", "15%", "none", "top", "NO", "0123",
                                                "=1+1", "price;price", "-3", "1e400", "nan", "  "]),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cols=st.lists(_cols, min_size=1, max_size=8), data=st.data())
def test_malformed_tables_only_give_reports(tmp_path_factory, cols, data):
    nrows = data.draw(st.integers(0, 4))
    rows = [[data.draw(_cell) for _ in cols] for _ in range(nrows)]
    f = tmp_path_factory.mktemp("prop") / "t.csv"
    pd.DataFrame(rows, columns=cols).to_csv(f, index=False)
    try:
        df = read_cases(f)
    except CaseFileError as e:
        assert e.problems and all(p.rule for p in e.problems)
    else:
        assert isinstance(df, pd.DataFrame)


def test_examples_load_from_installed_wheel(tmp_path):
    """The bundled data ship inside the wheel and load from it, away from the checkout."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "w"), str(ROOT)],
                   check=True)
    whl = next((tmp_path / "w").glob("winback_research-*.whl"))
    assert "winback_research/data/brextech_rilf.yaml" in zipfile.ZipFile(whl).namelist()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(tmp_path / "site"), str(whl)], check=True)
    code = ("import winback_research, sys; assert 'site' in winback_research.__file__, winback_research.__file__;"
            "from winback_research.datasets import load_example;"
            "print(len(load_example('brextech_rilf')), len(load_example('study26')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "26"]

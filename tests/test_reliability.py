"""Tests of the installed winback_research.reliability against published reliability examples."""
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from winback_research.reliability import agreement, align_coders, disagreements

REF = Path(__file__).resolve().parent / "reference" / "stats"
KR = json.loads((REF / "kalpha_krippendorff2011.json").read_text())["examples"]["krippendorff2011_4coders_12units"]


def _kripp_tables():
    m = pd.read_csv(REF / "kalpha_krippendorff2011_4coders_12units.csv", index_col="coder")
    return {c: pd.DataFrame({"case_id": m.columns, "x": row.to_numpy(float)}) for c, row in m.iterrows()}


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_2011_example_C(level):
    # Krippendorff (2011) 'Computing Krippendorff's Alpha-Reliability': 0.743 / 0.815 / 0.849 / 0.797
    a = agreement(_kripp_tables(), levels={"x": level}).to_frame().iloc[0]
    exact = float(Fraction(KR["exact"][level]["alpha_exact_fraction"]))
    assert a.k_alpha == pytest.approx(exact, rel=1e-12)
    assert round(a.k_alpha, 3) == KR["published"][level]
    assert a.n_units == 11          # unit 12 has a single rating and is not pairable


def _pair_tables(table):
    a, b = zip(*[(i, j) for i in range(len(table)) for j in range(len(table)) for _ in range(table[i][j])])
    ids = [f"u{k}" for k in range(len(a))]
    return {"a": pd.DataFrame({"case_id": ids, "x": np.array(a, float)}),
            "b": pd.DataFrame({"case_id": ids, "x": np.array(b, float)})}


def test_cohen_kappa_and_se_sas():
    # SAS PROC FREQ printout recorded in statsmodels/stats/tests/test_inter_rater.py (TestUnweightedCohens):
    # Kappa 0.4842, ASE 0.1380, 95% CI 0.2137-0.7547, two-sided p (H0 ASE) 0.0011
    r = agreement(_pair_tables([[0, 4, 1], [0, 8, 0], [0, 1, 5]]), levels={"x": "nominal"}).to_frame().iloc[0]
    assert (r.kappa, r.kappa_se, r.kappa_low, r.kappa_high) == pytest.approx((0.4842, 0.1380, 0.2137, 0.7547), abs=5e-5)
    assert r.kappa_p == pytest.approx(0.0011, abs=5e-5)
    assert r.kappa_method.startswith("Cohen")


def test_fleiss_kappa_diagnoses():
    # Fleiss (1971) 30 patients x 6 raters (R irr::diagnoses); irr::kappam.fleiss: kappa 0.4302445, z 17.65183
    d = np.array([[4,4,4,4,4,4],[2,2,2,5,5,5],[2,3,3,3,3,5],[5,5,5,5,5,5],[2,2,2,4,4,4],[1,1,3,3,3,3],
                  [3,3,3,3,5,5],[1,1,3,3,3,4],[1,1,4,4,4,4],[5,5,5,5,5,5],[1,4,4,4,4,4],[1,2,4,4,4,4],
                  [2,2,2,3,3,3],[1,4,4,4,4,4],[2,2,4,4,4,5],[3,3,3,3,3,5],[1,1,1,4,5,5],[1,1,1,1,1,2],
                  [2,2,4,4,4,4],[1,3,3,5,5,5],[5,5,5,5,5,5],[2,4,4,4,4,4],[2,2,4,5,5,5],[1,1,4,4,4,4],
                  [1,4,4,4,4,5],[2,2,2,2,2,4],[1,1,1,1,5,5],[2,2,4,4,4,4],[1,3,3,3,3,3],[5,5,5,5,5,5]])
    tabs = {f"r{j}": pd.DataFrame({"case_id": range(30), "dx": d[:, j].astype(float)}) for j in range(6)}
    r = agreement(tabs, levels={"dx": "nominal"}).to_frame().iloc[0]
    assert r.kappa == pytest.approx(0.4302445, abs=5e-8)
    assert r.kappa / r.kappa_se == pytest.approx(17.65183, abs=5e-5)


def _typed_coders():
    ids = pd.array(["C1", "C2", "C3", "C4"], dtype="string")
    lvl = lambda v: pd.Categorical(v, categories=["operational", "middle", "top"], ordered=True)
    a = pd.DataFrame({"case_id": ids, "dialogue_level": lvl(["top", "middle", "top", None]),
                      "accommodations": pd.array(["price_reduction;none", "none", "it_system_change;price_reduction",
                                                  "none"], dtype="string")})
    b = pd.DataFrame({"case_id": ids, "dialogue_level": lvl(["top", "top", "top", "middle"]),
                      "accommodations": pd.array(["price_reduction;none", "none", "price_reduction;it_system_change",
                                                  "price_reduction"], dtype="string")})
    return {"a": a, "b": b}


def test_disagreements_sets_and_missing():
    d = disagreements(_typed_coders())
    assert d[["case_id", "variable", "kind"]].values.tolist() == [
        ["C2", "dialogue_level", "values differ"], ["C4", "dialogue_level", "not coded by all"],
        ["C4", "accommodations", "values differ"]]
    assert list(d.columns) == ["case_id", "variable", "kind", "a", "b", "consensus"]


def test_multi_per_option_and_levels():
    f = agreement(_typed_coders()).to_frame()
    assert f[f.variable == "accommodations"].option.tolist() == ["price_reduction", "it_system_change", "none"]
    assert f.set_index("variable").loc["dialogue_level", "level"] == "ordinal"


def test_alignment_errors_listed():
    t = _typed_coders()
    with pytest.raises(ValueError) as e:
        align_coders({"a": t["a"].iloc[:2], "b": pd.concat([t["b"], t["b"].iloc[:1]])})
    msg = str(e.value)
    assert "coder tables: 2 problems" in msg and "duplicate case_id C1" in msg and "missing case(s) C3, C4" in msg


def test_second_coding_errors_listed():
    from winback_research.datasets import load_example
    from winback_research.reliability import simulate_second_coding
    with pytest.raises(ValueError) as e:
        simulate_second_coding(load_example("study26"), error_rate=2, variables=["rca_don", "share_of_wallet"])
    msg = str(e.value)
    assert "simulate_second_coding: 3 problems" in msg and "error_rate must be between 0 and 1" in msg and "'rca_don' is not a codebook variable" in msg

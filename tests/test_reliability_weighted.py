"""The installed winback_research.reliability: weighted kappa, Gwet's AC1, bootstrap and clipped intervals."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from winback_research.reliability import agreement

REF = Path(__file__).resolve().parent / "reference" / "stats"
WK = json.loads((REF / "kappa_weighted_gwet_ac1.json").read_text())


def _pairs(table):
    return np.array([(i, j) for i in range(len(table)) for j in range(len(table)) for _ in range(table[i][j])]).T


def _two(a, b, **kw):
    return {k: pd.DataFrame({"case_id": range(len(a)), "x": pd.Series(x, **kw)}) for k, x in (("a", a), ("b", b))}


def test_weighted_kappa_sas():
    # SAS PROC FREQ weighted kappa (Cicchetti-Allison = linear), recorded in statsmodels test_inter_rater.py
    ref = WK["weighted_kappa"]["sas_table10_linear"]
    a, b = _pairs(ref["table"]).astype(float)
    r = agreement(_two(a, b), levels={"x": "ordinal"}).to_frame().iloc[0]
    p = ref["published"]
    assert (r.kappa_linear, r.kappa_linear_se, r.kappa_linear_low, r.kappa_linear_high, r.kappa_linear_p) == pytest.approx(
        (p["kappa"], p["ase"], p["ci95_low"], p["ci95_high"], p["p_two_sided"]), abs=5e-5)


def test_weighted_kappa_r_irr():
    # R irr::kappa2(anxiety[,2:3], "equal" / "squared"), recorded in statsmodels test_inter_rater.py
    ref = WK["weighted_kappa"]["irr_anxiety_raters2_3"]
    r = agreement(_two(ref["rater2"], ref["rater3"], dtype=float), levels={"x": "ordinal"}).to_frame().iloc[0]
    for wt in ("linear", "quadratic"):
        assert r[f"kappa_{wt}"] == pytest.approx(ref["published"][wt]["kappa"], abs=5e-7)
        assert r[f"kappa_{wt}_p"] == pytest.approx(ref["published"][wt]["p"], abs=5e-7)


def test_gwet_ac1_irrcac():
    # R irrCAC: gwet.ac1.table(cont3x3abstractors) 0.8493305; gwet.ac1.raw(cac.raw4raters) 0.77544
    ref = WK["gwet_ac1"]
    a, b = _pairs(ref["irrCAC_cont3x3abstractors"]["table"]).astype(float)
    r = agreement(_two(a, b), levels={"x": "nominal"}).to_frame().iloc[0]
    assert r.gwet_ac1 == pytest.approx(ref["irrCAC_cont3x3abstractors"]["published"]["ac1"], abs=5e-8)
    m = pd.read_csv(REF / ref["irrCAC_cac_raw4raters"]["data_file"], index_col="coder")
    tabs = {c: pd.DataFrame({"case_id": m.columns, "x": row.to_numpy(float)}) for c, row in m.iterrows()}
    r = agreement(tabs, levels={"x": "nominal"}).to_frame().iloc[0]
    assert r.gwet_ac1 == pytest.approx(ref["irrCAC_cac_raw4raters"]["published"]["ac1"], abs=5e-6)


def test_intervals_clipped_and_fleiss_bootstrap():
    a, b = _pairs([[3, 0, 0], [1, 3, 0], [0, 0, 3]]).astype(float)   # Wald upper ends 1.13 / 1.10 / 1.07 unclipped
    r = agreement(_two(a, b), levels={"x": "ordinal"}).to_frame().iloc[0]
    assert (r.kappa_high, r.kappa_linear_high, r.kappa_quadratic_high) == (1.0, 1.0, 1.0)
    dist = np.array(WK["gwet_ac1"]["irrCAC_distrib6raters"]["distribution"])   # 15 subjects x 6 raters
    raw = np.array([[k for k in range(5) for _ in range(row[k])] for row in dist]).T.astype(float)
    tabs = {f"r{j}": pd.DataFrame({"case_id": range(15), "x": raw[j]}) for j in range(6)}
    ag = agreement(tabs, levels={"x": "nominal"}, n_boot=500, seed=3)
    f = ag.to_frame().iloc[0]
    assert f.kappa == pytest.approx(WK["gwet_ac1"]["irrCAC_distrib6raters"]["published"]["fleiss_kappa"], abs=5e-8)
    assert -1 <= f.kappa_low < f.kappa < f.kappa_high <= 1
    assert "500 resamples, seed 3" in f.kappa_method and "500 resamples, seed 3" in ag.method
    pd.testing.assert_frame_equal(ag.to_frame(), agreement(tabs, levels={"x": "nominal"}, n_boot=500, seed=3).to_frame())

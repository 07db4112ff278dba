"""QCA engine against R QCA 3.25 reference results and against a brute-force implementation.

References (tests/reference/qca/, see its README): R package QCA 3.25 (Dusa) with admisc 0.39.1 on R 4.2.2,
run on the Lipset data bundled with QCA (LC crisp, LF fuzzy, LR raw); the exact R calls are in each JSON's
`r_call`.
"""
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from winback_research.conditions import qca_data
from winback_research.core import InputError, Result, WinbackError
from winback_research.qca import decode_rows, pof, super_subset, truth_table
from winback_research.qca_calibrate import calibrate
from winback_research.qca_minimize import compare_with_r, covers, minimal_covers, minimize

REF = Path(__file__).parent / "reference" / "qca"
load_ref = lambda name: json.loads((REF / f"{name}.json").read_text())
load_data = lambda name: pd.read_csv(REF / "data" / f"{name}.csv", index_col=0)


@pytest.fixture(scope="module")
def LC(): return load_data("LC")


@pytest.fixture(scope="module")
def LF(): return load_data("LF")


# --- R QCA 3.25 reference results -------------------------------------------------------------------

@pytest.mark.parametrize("name, data, incl_cut, include", [
    ("min_LC_cons", "LC", 1, ""),     # minimize(truthTable(LC, outcome = "SURV"))
    ("min_LC_pars", "LC", 1, "?"),    # ... include = "?"
    ("min_LF_cons", "LF", 0.8, ""),   # minimize(truthTable(LF, outcome = "SURV", incl.cut = 0.8))
    ("min_LF_pars", "LF", 0.8, "?"),  # ... include = "?"
])
def test_minimize_matches_R(name, data, incl_cut, include):
    ref = load_ref(name)["result"]
    tt = truth_table(load_data(data), "SURV", incl_cut=incl_cut)
    assert [tt.config_string(r) for r in tt.positive] == ref["initials"]
    assert tt.negative == ref["negatives"]
    sol = minimize(tt, include=include)
    assert compare_with_r(sol, ref, eps=1e-6) == []
    assert sol.complete


def test_intermediate_matches_R(LF):
    # minimize(truthTable(LF, "SURV", incl.cut = 0.8), include = "?", dir.exp = c(DEV, URB, LIT, IND, STB))
    ref = load_ref("min_LF_int")["result"]
    sol = minimize(truth_table(LF, "SURV", incl_cut=0.8), include="?", dir_exp="DEV, URB, LIT, IND, STB")
    assert compare_with_r(sol.parsimonious, ref) == []
    pair = ref["i.sol"]["C1P1"]
    assert [p.label for p in sol.pairs] == ["C1P1"]
    assert compare_with_r(sol.pairs[0], pair) == []
    assert list(sol.extra["EC"].index) == [30]
    assert sol.extra["c_model"] == pair["c.sol"] and sol.extra["p_model"] == pair["p.sol"]
    f = sol.fit(0)
    assert f.loc["M1", "inclS"] == pytest.approx(0.865947611710324, abs=1e-9)
    assert f.loc["DEV*URB*LIT*STB", "covU"] == pytest.approx(0.377934272300469, abs=1e-9)
    assert str(sol.expression()) == "DEV*URB*LIT*STB + DEV*LIT*~IND*STB -> SURV"


def test_printout_like_R(LC, LF):
    assert str(minimize(truth_table(LC, "SURV")).expression()) == "DEV*~URB*LIT*STB + DEV*LIT*IND*STB <-> SURV"
    sol = minimize(truth_table(LF, "SURV", incl_cut=0.8), include="?")
    assert isinstance(sol, Result)
    lines = str(sol.summary()).splitlines()   # R: model, then inclS PRI covS covU per term, three decimals
    assert lines[1] == "M1: DEV*~IND + URB*STB -> SURV"
    assert lines[2].split() == ["term", "inclS", "PRI", "covS", "covU"]
    assert lines[3].split() == ["DEV*~IND", "0.815", "0.721", "0.284", "0.194"]
    assert repr(sol) == sol.summary().as_text()


def test_necessity_matches_R(LC):
    # superSubset(LC, outcome = "SURV")
    ref = load_ref("nec_LC_superSubset")["result"]["incl.cov"]
    res = super_subset(LC, "SURV")
    assert list(res.table.index) == ref["rownames"]
    for c in ("inclN", "RoN", "covN"):
        assert res.table[c].to_numpy() == pytest.approx(ref["columns"][c], abs=1e-9)


def test_calibration_matches_R():
    inc = load_ref("cal_ragin_income_direct")["result"]
    assert calibrate(inc["x"], thresholds="e=2500, c=5000, i=20000") == pytest.approx(inc["idm095"], abs=1e-12)
    assert calibrate(inc["x"], thresholds=[2500, 5000, 20000], log_odds=3) == pytest.approx(inc["idm0953"], abs=1e-12)
    cr = load_ref("cal_crisp_thresholds")["result"]
    assert calibrate(cr["x"], "crisp", 550).tolist() == cr["one"]
    assert calibrate(cr["x"], "crisp", [550, 850]).tolist() == cr["two"]


def test_LF_is_LR_calibrated_with_fsqca_logodds3():
    # R QCA's bundled LF equals LR calibrated with log-odds 3, rounded to 2 decimals (anchors by grid search)
    LR, LF = load_data("LR"), load_data("LF")
    anchors = dict(DEV=(400, 550, 900), URB=(25, 50, 65), LIT=(50, 75, 90), IND=(20, 30, 40),
                   STB=(15, 9.5, 5), SURV=(-9, 0, 10))
    for c, a in anchors.items():
        assert calibrate(LR[c], thresholds=a, log_odds=3, digits=2).tolist() == LF[c].tolist(), c


def test_pof_matches_R(LF):
    ic = load_ref("min_LF_pars")["result"]["IC"]
    r = pof("DEV*~IND + URB*STB", LF, "SURV")
    assert r["covU"].iloc[:2].to_numpy() == pytest.approx(ic["incl.cov"]["columns"]["covU"], abs=1e-9)
    assert r.loc["expression", "PRI"] == pytest.approx(ic["sol.incl.cov"]["columns"]["PRI"][0], abs=1e-9)


# --- errors a user can act on: one error path across the QCA modules -------------------------------

def test_errors_are_winback_errors(LC, LF):
    with pytest.raises(InputError) as e:      # every problem of the case table at once
        truth_table(LC.assign(K=1, SURV=0), "SURV", ["DEV", "K", "FOO"])
    assert len(e.value.problems) == 3 and str(e.value).startswith("truth_table: 3 problems")
    with pytest.raises(InputError, match="dir_exp: unknown condition"):
        minimize(truth_table(LF, "SURV", incl_cut=0.8), include="?", dir_exp="DEV, FOO")
    with pytest.raises(WinbackError, match="anchors must be ordered"):
        calibrate([1, 2, 3], thresholds=[2, 1, 3])
    with pytest.raises(InputError, match="qca_data: 3 problems"):   # a lower-case name, two missing columns
        qca_data(pd.DataFrame({"case_id": ["a"]}), {"TOP": "dialogue_level >= boss"}, ("won", "won_back"))
    assert issubclass(WinbackError, ValueError)   # callers catching ValueError keep working


# --- properties against a brute-force 3^k implementation -------------------------------------------

def brute_primes(pos, off, k, allowed=None):
    "All prime implicants by listing every cube (3^k); off = forbidden rows, or allowed = the only rows allowed."
    rows = decode_rows(np.arange(1, 2**k + 1), [2] * k)
    cubes = np.array(list(itertools.product([-1, 0, 1], repeat=k)))
    inside = covers(cubes, rows)
    if allowed is None: ok = ~inside[:, [r - 1 for r in off]].any(1) if off else np.ones(len(cubes), bool)
    else: ok = ~inside[:, [r - 1 for r in range(1, 2**k + 1) if r not in allowed]].any(1)
    impl = ok & inside[:, [r - 1 for r in pos]].any(1)
    imp = {tuple(c) for c in cubes[ok]}
    def prime(c):
        return not any(tuple(-1 if i == j else v for i, v in enumerate(c)) in imp for j in range(k) if c[j] >= 0)
    return {tuple(c) for c in cubes[impl] if prime(c)}


def brute_models(chart):
    n = chart.shape[0]
    for size in range(1, n + 1):
        found = [c for c in itertools.combinations(range(n), size) if chart[list(c)].any(0).all()]
        if found: return sorted(found)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(2, 5), n=st.integers(4, 40), seed=st.integers(0, 10**6))
def test_minimize_equals_brute_force(k, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, (n, k))
    y = rng.integers(0, 2, n)
    d = pd.DataFrame(X, columns=[f"C{j}" for j in range(k)], index=[f"c{i}" for i in range(n)]).assign(Y=y)
    if (d.iloc[:, :k].nunique() == 1).any() or y.sum() == 0: return
    tt = truth_table(d, "Y", incl_cut=0.7)
    if not tt.positive: return
    pos, neg = tt.positive, tt.negative + tt.contradictions
    for include in ("", "?"):
        if include == "?" and not neg: continue
        sol = minimize(tt, include=include)
        want = brute_primes(pos, neg, k) if include else brute_primes(pos, None, k, allowed=set(pos))
        assert {tuple(c) for c in sol._codes} == want
        assert sorted(sol._models) == brute_models(covers(sol._codes, decode_rows(pos, [2] * k)))
        assert sol.complete
        for m in sol._models:   # every model covers every positive row and no negative row
            cov = covers(sol._codes[list(m)], decode_rows(list(range(1, 2**k + 1)), [2] * k)).any(0)
            assert cov[np.array(pos) - 1].all() and not cov[np.array(neg, int) - 1].any()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_intermediate_between_conservative_and_parsimonious(seed):
    rng = np.random.default_rng(seed)
    k, n = 4, 12
    d = pd.DataFrame(rng.integers(0, 2, (n, k)), columns=list("ABCD")).assign(Y=rng.integers(0, 2, n))
    if (d[list("ABCD")].nunique() == 1).any() or d.Y.sum() == 0: return
    tt = truth_table(d, "Y")
    if not tt.positive or not tt.negative: return
    sol = minimize(tt, include="?", dir_exp="A, B, ~C")
    allr = decode_rows(list(range(1, 17)), [2] * 4)
    for p in sol.pairs:
        ec = set(p.extra["EC"].index)
        for m in p._models:   # covers the positives, uses only positives and easy counterfactuals
            cov = set(np.nonzero(covers(p._codes[list(m)], allr).any(0))[0] + 1)
            assert set(tt.positive) <= cov <= set(tt.positive) | ec


def test_minimal_covers_equal_brute_force():
    # the notebook checks method='dfs' against method='milp'; here both against an exhaustive search
    rng = np.random.default_rng(7)
    for _ in range(30):
        c = rng.random((14, 10)) < 0.3
        c[rng.integers(0, 14, 10), np.arange(10)] = True
        assert minimal_covers(c) == (brute_models(c), True)


def test_xy_plot_escapes_labels(LF, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    d = LF.rename(index={"BE": "$x^2$"})
    ax = minimize(truth_table(d, "SURV", incl_cut=0.8), include="?").plot()
    assert any(t.get_text() == r"\$x^2\$" for t in ax.texts)
    ax.figure.canvas.draw()
    plt.close("all")

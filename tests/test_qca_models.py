"""QCA model search: tied models counted and capped, R's listing order, row_dom / all_sol, names, six-anchor
calibration, and the conservative and intermediate solutions against brute force.

Brute force here: prime implicants by listing all 3^k cubes, minimum covers by listing every set of prime
implicants by size, irredundant covers by listing every subset. References from R QCA 3.25 (Dusa) are the
JSON files in tests/reference/qca/ (see test_qca.py); hand computations from R's formulas cite the R source.
"""
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from winback_research.core import InputError, WinbackError
from winback_research.qca import check_sets, decode_rows, parse_expr, truth_table
from winback_research.qca_calibrate import calibrate
from winback_research.qca_minimize import (cover_search, covers, minimal_covers, minimize,
                                           prime_implicants, row_dominated, sort_primes)

REF = Path(__file__).parent / "reference" / "qca"
load_ref = lambda name: json.loads((REF / f"{name}.json").read_text())
load_data = lambda name: pd.read_csv(REF / "data" / f"{name}.csv", index_col=0)


def all_rows(k): return decode_rows(np.arange(1, 2 ** k + 1), [2] * k)


def brute_primes(k, allowed, pos):
    "Prime implicants inside the set `allowed` (1-based rows) covering a row of `pos`, from all 3^k cubes."
    cubes = np.array(list(itertools.product([-1, 0, 1], repeat=k)))
    inside = covers(cubes, all_rows(k))
    ok = ~inside[:, [r - 1 for r in range(1, 2 ** k + 1) if r not in set(allowed)]].any(1)
    imp = {tuple(c) for c in cubes[ok]}
    keep = ok & inside[:, [r - 1 for r in pos]].any(1)
    return {tuple(c) for c in cubes[keep]
            if not any(tuple(-1 if i == j else v for i, v in enumerate(c)) in imp for j in range(k) if c[j] >= 0)}


def brute_covers(chart):
    "All minimum covers of a boolean chart (PIs x rows), by listing sets of PIs by size."
    n = chart.shape[0]
    for size in range(1, n + 1):
        found = [c for c in itertools.combinations(range(n), size) if chart[list(c)].any(0).all()]
        if found: return sorted(found)
    return [()]


def brute_irredundant(chart):
    "Every irredundant cover (each PI covers a row no other chosen PI covers), fewer PIs first."
    n, out = chart.shape[0], []
    for size in range(1, n + 1):
        for c in itertools.combinations(range(n), size):
            sub = chart[list(c)]
            if sub.any(0).all() and all((sub[i] & ~np.delete(sub, i, 0).any(0)).any() for i in range(size)):
                out.append(c)
    return out


def model_sets(sol):
    return {frozenset(tuple(sol._codes[i]) for i in m) for m in sol._models}


def cube_sets(primes, models):
    return {frozenset(primes[i] for i in m) for m in models}


# --- the cover search ----------------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(n=st.integers(2, 11), m=st.integers(1, 8), p=st.floats(0.15, 0.6), dup=st.booleans(), seed=st.integers(0, 10**6))
def test_cover_search_equals_brute_force(n, m, p, dup, seed):
    rng = np.random.default_rng(seed)
    c = rng.random((n, m)) < p
    c[rng.integers(0, n, m), np.arange(m)] = True
    if dup: c = np.vstack([c, c[:2]])           # interchangeable PIs
    want = brute_covers(c)
    for ties in ("dfs", "milp"):
        cs = cover_search(c, None, ties)
        assert (cs.models, cs.complete, cs.count, cs.exact) == (want, True, len(want), True)
        cs = cover_search(c, 2, ties, count=True)        # capped list, exact count
        assert set(cs.models) <= set(want) and len(cs.models) == min(2, len(want))
        assert (cs.count, cs.exact, cs.complete) == (len(want), True, len(want) <= 2)
        assert cover_search(c, 0, ties).count == len(want)
    assert cover_search(c, None, all_sol=True).models == brute_irredundant(c)


def test_independent_blocks_multiply():
    # two 4-cycles, one with a doubled PI: 2 x 3 minimum covers of size 4, counted without listing
    cyc = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]], bool)
    two = np.zeros((9, 8), bool); two[:4, :4] = cyc; two[4:8, 4:] = cyc; two[8] = two[4]
    cs = cover_search(two, max_models=0)
    assert (cs.count, cs.exact, cs.size, cs.models) == (6, True, 4, [])
    assert cover_search(two, None).models == brute_covers(two)
    ms, done = minimal_covers(two, 3)
    assert len(ms) == 3 and not done and set(ms) <= set(brute_covers(two))


def test_row_dominance_is_R_row_dom():
    rng = np.random.default_rng(11)
    for _ in range(50):
        c = rng.random((8, 6)) < 0.4
        dom = row_dominated(c)
        for i in range(8):   # dominated: rows a proper subset of another PI's rows
            assert dom[i] == any((c[i] <= c[j]).all() and c[j].sum() > c[i].sum() for j in range(8) if j != i)


# --- prime implicants, the conservative and the intermediate solutions against brute force -------------

def test_qmc_equals_subset_search():
    rng = np.random.default_rng(5)
    for k in (2, 4, 6, 8):
        for _ in range(8):
            rows = np.nonzero(rng.random(2 ** k) < 0.35)[0] + 1
            if not len(rows): continue
            pos = decode_rows(rows[: max(1, len(rows) // 2)], [2] * k); allr = decode_rows(rows, [2] * k)
            a = {tuple(c) for c in prime_implicants(pos, allr, [2] * k, "allow", algorithm="qmc")}
            b = {tuple(c) for c in prime_implicants(pos, allr, [2] * k, "allow", algorithm="subsets")}
            assert a == b == brute_primes(k, set(rows.tolist()), rows[: max(1, len(rows) // 2)].tolist())


def test_transversals_equal_subset_search():
    rng = np.random.default_rng(8)
    for levels in ([2] * 4, [2] * 6, [3, 2, 2], [3, 3, 2, 2]):
        total = int(np.prod(levels))
        for _ in range(8):
            r = rng.permutation(total)[: max(2, total // 3)] + 1
            p, f = decode_rows(r[: len(r) // 2], levels), decode_rows(r[len(r) // 2:], levels)
            a = {tuple(c) for c in prime_implicants(p, f, levels, algorithm="transversals")}
            b = {tuple(c) for c in prime_implicants(p, f, levels, algorithm="subsets")}
            assert a == b
            if levels == [2] * len(levels):
                assert a == brute_primes(len(levels), set(range(1, total + 1)) - set(r[len(r) // 2:].tolist()),
                                         r[: len(r) // 2].tolist())


def relax(tc, tp, exp):
    "R's rule for individual expectations, written out: drop a free literal whose condition expects the other value."
    return tuple(-1 if (tp[j] < 0 and tc[j] >= 0 and exp.get(j) is not None and exp[j] != tc[j]) else tc[j]
                 for j in range(len(tc)))


@settings(max_examples=40, deadline=None)
@given(k=st.integers(3, 5), n=st.integers(6, 30), seed=st.integers(0, 10**6))
def test_conservative_and_intermediate_equal_brute_force(k, n, seed):
    rng = np.random.default_rng(seed)
    names = [f"C{j}" for j in range(k)]
    d = pd.DataFrame(rng.integers(0, 2, (n, k)), columns=names).assign(Y=rng.integers(0, 2, n))
    if (d[names].nunique() == 1).any() or d.Y.sum() == 0: return
    tt = truth_table(d, "Y", incl_cut=0.7)
    pos, neg = tt.positive, tt.negative + tt.contradictions
    if not pos or not neg: return
    cons = minimize(tt, max_models=None)
    primes = brute_primes(k, set(pos), pos)
    assert {tuple(c) for c in cons._codes} == primes
    pl = sorted(primes)
    assert model_sets(cons) == cube_sets(pl, brute_covers(covers(np.array(pl), decode_rows(pos, [2] * k))))
    exp = {0: 1, 1: 1, 2: 0}                                   # C0, C1, ~C2
    sol = minimize(tt, include="?", dir_exp="C0, C1, ~C2", max_models=None)
    known = set(tt.table.index[tt.table.OUT != "?"])
    space = all_rows(k)
    for p in sol.pairs:
        cm = [tuple(c) for c in sol.conservative._codes[list(sol.conservative._models[sol.conservative.models.index(p.extra["c_model"])])]]
        pm = [tuple(c) for c in sol.parsimonious._codes[list(sol.parsimonious._models[sol.parsimonious.models.index(p.extra["p_model"])])]]
        sa = {r for r in range(1, 2 ** k + 1) if r not in known and covers(np.array(pm), space[[r - 1]]).any()}
        rel = [relax(tc, tp, exp) for tc in cm for tp in pm if all(b < 0 or b == a for a, b in zip(tc, tp))]
        ec = {r for r in sa if rel and covers(np.array(rel), space[[r - 1]]).any()}
        assert set(p.extra["EC"].index) == ec and set(p.extra["DC"].index) == sa - ec
        ip = sorted(brute_primes(k, set(pos) | ec, pos))
        assert {tuple(c) for c in p._codes} == set(ip)
        assert model_sets(p) == cube_sets(ip, brute_covers(covers(np.array(ip), decode_rows(pos, [2] * k))))


# --- R's listing order, the arrow, include, names --------------------------------------------------------

def test_listing_order_like_R():
    # R QCA 3.25: PI chart rows of min_LF_cons.json (URB before ~URB) and min_LC_pars.json (~IND before STB)
    LC, LF = load_data("LC"), load_data("LF")
    for name, data, ic, inc in [("min_LF_cons", LF, 0.8, ""), ("min_LC_pars", LC, 1, "?"), ("min_LC_cons", LC, 1, "")]:
        sol = minimize(truth_table(data, "SURV", incl_cut=ic), include=inc)
        assert sol.primes == load_ref(name)["result"]["PIchart"]["rows"]
    assert sort_primes([[1, -1], [0, -1], [-1, 1], [-1, 0]]).tolist() == [[0, -1], [1, -1], [-1, 0], [-1, 1]]


def test_arrow_follows_sol_cov():
    # R's print.QCA_min: '<->' iff the solution's covS reaches sol.cov (default 1)
    LC, LF = load_data("LC"), load_data("LF")
    lc = minimize(truth_table(LC, "SURV"))
    assert lc.fit(0).loc["M1", "covS"] == 1 and str(lc.expression()).endswith("<-> SURV")
    lf = minimize(truth_table(LF, "SURV", incl_cut=0.8), include="?")
    assert lf.fit(0).loc["M1", "covS"] < 1 and str(lf.expression()).endswith(" -> SURV")
    assert str(minimize(truth_table(LF, "SURV", incl_cut=0.8), include="?", sol_cov=0.5).expression()).endswith("<-> SURV")


def test_include_spellings_and_errors():
    tt = truth_table(load_data("LC"), "SURV")
    assert minimize(tt, include="?C").models == minimize(tt, include="?, C").models == minimize(tt, include="?").models
    with pytest.raises(InputError, match="include must contain only"):
        minimize(tt, include="?X")
    with pytest.raises(InputError, match="ties must be"):
        minimize(tt, ties="fast")


def test_names_that_are_not_identifiers():
    LC = load_data("LC").rename(columns={"DEV": "DEV-1", "URB": "Bürger", "LIT": "lit rate"})
    sol = minimize(truth_table(LC, "SURV"))
    assert str(sol.expression()) == "DEV-1*~Bürger*lit rate*STB + DEV-1*lit rate*IND*STB <-> SURV"
    assert "DEV-1*~Bürger" in repr(sol) and "DEV-1*~Bürger" in sol._repr_html_()
    e = parse_expr(str(sol.expression()), conditions=list(LC.columns))
    assert np.allclose(e.membership(LC), sol.membership().iloc[:, -1])
    with pytest.raises(InputError, match="named more than once"):
        check_sets(pd.concat([LC, LC[["STB"]]], axis=1), "SURV")
    taut = minimize(truth_table(pd.DataFrame({"A": [0, 1, 1], "B": [0, 0, 1], "Y": [1, 1, 1]}), "Y"), include="?")
    assert taut.models == [["1"]] and repr(taut).count("1 <-> Y") == 1


def test_count_and_time_limit_in_the_printout():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (400, 9))
    d = pd.DataFrame(X, columns=[f"C{j}" for j in range(9)]).assign(Y=rng.integers(0, 2, 400))
    tt = truth_table(d, "Y", incl_cut=0.6)
    sol = minimize(tt, include="?", max_models=3)
    note = sol.summary().notes[-1]
    assert not sol.complete and note.startswith("Models: 3 models listed") and "max_models = 3" in note
    with pytest.raises(WinbackError, match="prime implicants"):
        minimize(tt, include="?", time_limit=1e-9)


# --- calibration: six anchors are always piecewise in R --------------------------------------------------

def test_six_anchors_piecewise_like_R():
    # QCA R/calibrate.R, 6 thresholds: piecewise whatever `logistic` says; by hand for e1=1, c1=3, i1=4, i2=6, c2=7, e2=9:
    # x=2 -> ((1-2)/(1-3))/2 = .25, x=3.5 -> 1 - ((4-3.5)/(4-3))/2 = .75, x=6.5 -> .75, x=8 -> ((9-8)/(9-7))/2 = .25
    x = np.array([0, 2, 3, 3.5, 5, 6.5, 7, 8, 10.])
    want = [0, .25, .5, .75, 1, .75, .5, .25, 0]
    assert calibrate(x, thresholds=[1, 3, 4, 6, 7, 9]) == pytest.approx(want)
    assert calibrate(x, thresholds=[1, 3, 4, 6, 7, 9], logistic=False) == pytest.approx(want)
    assert calibrate(x, thresholds="e1=1, c1=3, i1=4, i2=6, c2=7, e2=9", below=2)[1] == pytest.approx(.125)


def test_decreasing_exponents_and_ecdf_like_R():
    # QCA R/calibrate.R, 3 thresholds, decreasing (e=6 > c=4 > i=2), not logistic: i < x <= c -> 1 - ((i-x)/(i-c))^above/2,
    # c < x <= e -> ((e-x)/(e-c))^below/2; with below=2: x=3 -> .75, x=5 -> (1/2)^2/2 = .125
    x = np.arange(11.)
    assert calibrate(x, thresholds=[6, 4, 2], logistic=False, below=2)[[3, 5]] == pytest.approx([.75, .125])
    # ecdf=TRUE, e=2, c=5, i=8: F over the 7 values 2..8, F(5) = 4/7; x=3 -> (2/7)/(4/7)/2, x=6 -> 1 - (2/7)/(3/7)/2
    got = calibrate(x, thresholds=[2, 5, 8], logistic=False, ecdf=True)
    assert got[[2, 3, 5, 6, 8]] == pytest.approx([0, .25, .5, 2 / 3, 1])


def test_indirect_and_TFR():
    # TFR (R: pmax(0, (E(x) - E(1)) / (1 - E(1)))) by hand: x = (1, 1, 2, 3, 4, 5), E(1) = 2/6, E(3) = 4/6 -> .5
    assert calibrate(np.array([1, 1, 2, 3, 4, 5.]), method="TFR") == pytest.approx([0, 0, .25, .5, .75, 1])
    # indirect: the fractional logit solves the binomial score equations for the interval codes 0, .333, .667, 1
    x = np.arange(1, 13.)
    fs = calibrate(x, method="indirect", thresholds=[3, 6, 9])
    y = np.select([x > 9, x > 6, x > 3], [1, .667, .333], 0)
    X = np.column_stack([np.ones(12), np.log(x), np.sqrt(x), x, x ** 2])
    assert X.T @ (y - fs) == pytest.approx(np.zeros(5), abs=1e-3)

"""Tests of the installed winback_research.crosscase against published values and independent computations."""
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from winback_research.core import InputError, Summary
from winback_research.crosscase import binary_outcome, factor_table, odds_ratio_2x2, trend_test

REF = Path(__file__).resolve().parent / "reference" / "stats"


def _cases():
    "Small hand-built case table (synthetic) with the dtypes of a validated case table."
    rec = ["yes", "yes", "partial", "no", "no", "yes", None, "no", "yes", "no", "partial", "no"]
    return pd.DataFrame({
        "case_id": pd.array([f"T{i}" for i in range(12)], dtype="string"),
        "recaptured": pd.Categorical(rec, categories=["yes", "partial", "no"]),
        "rca_done": pd.array([1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, None], dtype="boolean"),
        "dialogue_level": pd.Categorical(["top", "top", "middle", "operational", "middle", "top", "top",
                                          "operational", "middle", "operational", "top", "middle"],
                                         categories=["operational", "middle", "top"], ordered=True),
        "accommodations": pd.array(["price_reduction;it_system_change", "price_reduction", "none", "none",
                                    "it_system_change", "price_reduction", None, "none", "price_reduction",
                                    "it_system_change", "price_reduction;technical_support", "none"], dtype="string"),
    })


def test_fisher_tea_exact_values():
    tea = json.loads((REF / "fisher_tea.json").read_text())["tables"]["TeaTasting"]
    r = odds_ratio_2x2(tea["cells"])
    ex = tea["exact"]  # 50-digit mpmath values; R fisher.test agrees to 2.6e-3 (uniroot tolerance)
    assert r["odds_ratio"] == pytest.approx(ex["or_cond_mle"], rel=1e-9)
    assert (r["or_low"], r["or_high"]) == pytest.approx((ex["ci_lo"], ex["ci_hi"]), rel=1e-8)
    assert r["p_fisher"] == pytest.approx(ex["p_two_sided_fisher"], rel=1e-12)
    # hand calculation: null probabilities of a = 0..4 are (1, 16, 36, 16, 1)/70
    assert r["p_central"] == pytest.approx(34 / 70, rel=1e-12) and r["p_mid"] == pytest.approx(18 / 70, rel=1e-12)


def test_trend_r_prop_trend_test():
    # R stats::prop.trend.test help example; R prints X-squared = 8.2249, df = 1, p-value = 0.004132
    r = trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert r["chisq"] == pytest.approx(8.2249, abs=5e-5)
    assert r["p_asymptotic"] == pytest.approx(0.004132, abs=5e-7)


@pytest.mark.parametrize("x,n", [([0, 2, 3], [3, 4, 3]), ([1, 1, 4], [4, 3, 5]), ([3, 1, 0, 2], [3, 3, 2, 4])])
def test_trend_exact_equals_enumeration(x, n):
    lab = np.repeat(np.arange(1, len(n) + 1), n)
    S, T0 = sum(x), sum((i + 1) * xi for i, xi in enumerate(x))
    ET = S * lab.mean()
    Ts = np.array([lab[list(c)].sum() for c in itertools.combinations(range(len(lab)), S)])
    assert trend_test(x, n)["p_exact"] == pytest.approx(np.mean(np.abs(Ts - ET) >= abs(T0 - ET) - 1e-9), rel=1e-12)


def test_binary_outcome_and_errors():
    c = _cases()
    y = binary_outcome(c)
    assert int(y.isna().sum()) == 1 and int(y.sum()) == 6
    assert int(binary_outcome(c, partial_as_success=False).sum()) == 4
    bad = c.assign(recaptured=c.recaptured.astype(object).where(c.index != 2, "Yes"))
    with pytest.raises(ValueError, match="case T2, column 'recaptured': 'Yes' is not one of"):
        binary_outcome(bad)


def test_factor_table_counts_and_adjustment():
    c = _cases()
    ft = factor_table(c)
    f = ft.to_frame()
    assert (ft.n, ft.n_dropped) == (11, 1)
    known = c[c.recaptured.notna()]
    rec = known.recaptured.isin(["yes", "partial"])
    top = f[(f.factor == "dialogue_level") & (f.level == "top")].iloc[0]
    is_top = known.dialogue_level == "top"
    assert (top.n, top.recaptured, top.n_rest, top.recaptured_rest) == (
        is_top.sum(), (is_top & rec).sum(), (~is_top).sum(), (~is_top & rec).sum())
    pr = f[(f.factor == "accommodations") & (f.level == "price_reduction")].iloc[0]
    assert (pr.n, pr.recaptured) == (5, 5) and pr.odds_ratio == math.inf and pr.zero_cell
    rca = f[f.factor == "rca_done"].iloc[0]
    assert rca.n_missing == 1 and rca.n + rca.n_rest == 10
    # Holm across the family, recomputed by hand
    p = f.p_value.to_numpy()
    order = np.argsort(p)
    holm = np.minimum(1, np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order]))
    assert f.p_holm.to_numpy()[order] == pytest.approx(holm)
    sm = ft.summary()
    assert isinstance(sm, Summary) and "<table" in ft._repr_html_() and f"adjust {len(f)} p-values" in str(sm)
    assert repr(ft) == sm.as_text() and json.loads(sm.as_json())["tables"][0]["rows"]
    assert f[["estimate", "ci_low", "ci_high"]].equals(f[["odds_ratio", "or_low", "or_high"]].set_axis(["estimate", "ci_low", "ci_high"], axis=1))


def test_outcome_never_a_factor_on_the_bundled_study():
    # Before: with no factor list the table took every column, and won_back (derived from the outcome) came out
    # with an odds ratio of about 713, the only row to survive Holm/BH, among 70 p-values that included constants.
    datasets = pytest.importorskip("winback_research.datasets")
    s = datasets.load_example("study26")
    ft = factor_table(s)
    f = ft.to_frame()
    assert not set(f.factor) & {"won_back", "recaptured", "recapture_year", "years_to_recapture", "revenue_after",
                                "data_origin", "names_disguised", "case_id", "supplier", "coder"}
    assert ft.n + ft.n_dropped == len(s) and len(ft.trend) >= 1
    with pytest.raises(ValueError, match="known only once the outcome is known"):
        factor_table(s, factors=["rca_done", "won_back"])


def test_factor_table_errors_listed_together():
    with pytest.raises(InputError) as e:
        factor_table(_cases(), factors=["rca_don", "case_id"])
    assert "factor_table: 2 problems" in str(e.value) and len(e.value.problems) == 2 and "'rca_don' is not in the case table" in str(e.value)


def test_forest_plot(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    assert factor_table(_cases()).plot(ax=ax) is ax
    assert ax.get_xscale() == "log"
    plt.close(fig)

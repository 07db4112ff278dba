"""Tests of the installed winback_research.models against R logistf 1.26.1 and closed-form results."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from winback_research.core import InputError
from winback_research.models import check_separation, compare, firth_logit, predict_recapture

REF = Path(__file__).resolve().parent / "reference" / "stats"
SEX2 = pd.read_csv(REF / "sex2.csv")
LOGISTF = json.loads((REF / "firth_sex2.json").read_text())   # logistf 1.26.1, R 4.2.2
FULL = "case ~ age + oc + vic + vicl + vis + dia"


@pytest.fixture(scope="module")
def fit():
    return firth_logit(SEX2, FULL)


def _ref(term):
    return LOGISTF["terms"]["(Intercept)" if term == "Intercept" else term]


@pytest.mark.parametrize("col,key", [("estimate", "coef"), ("se", "se_logistf_1_26"), ("ci_low", "ci_lower_pl"),
                                     ("ci_high", "ci_upper_pl"), ("chisq", "plr_chisq"), ("p_value", "p_plr")])
def test_matches_logistf_sex2(fit, col, key):
    for _, row in fit.to_frame().iterrows():
        assert row[col] == pytest.approx(_ref(row.term)[key], rel=1e-4), row.term


def test_global_test_and_loglik(fit):
    g = LOGISTF["global"]
    assert fit.loglik == pytest.approx(g["loglik_penalized_full"], rel=1e-8)
    assert fit.global_test["chisq"] == pytest.approx(g["lr_stat"], rel=1e-4)
    assert fit.global_test["p_value"] == pytest.approx(g["lr_p"], rel=1e-4)
    assert (fit.n, fit.n_events) == (239, 130)


def test_separation_sex2_dia_quasi(fit):
    sep = check_separation(SEX2, FULL)
    assert sep.kind == "quasi-complete" and sep.terms == ["dia"]
    assert fit.separation.terms == ["dia"]
    assert fit.to_frame().set_index("term").loc["dia", "ml_estimate"] == "+inf"
    text = str(fit.summary())
    assert "dia" in text and "not valid" in text and "Events per variable" in text and sep.message in text


def test_compare_nested_reproduces_logistf(fit):
    small = firth_logit(SEX2, "case ~ age + oc + vic + vicl + vis")
    t = compare(small, fit)
    assert t.df == 1 and t.chisq == pytest.approx(_ref("dia")["plr_chisq"], rel=1e-4)
    g = compare(firth_logit(SEX2, "case ~ 1"), fit)
    assert g.df == 6 and g.chisq == pytest.approx(LOGISTF["global"]["lr_stat"], rel=1e-4)
    with pytest.raises(ValueError, match="not nested"):
        compare(fit, small)


def test_predict_profile_at_origin_is_intercept_ci(fit):
    zero = pd.DataFrame({v: [0] for v in ["age", "oc", "vic", "vicl", "vis", "dia"]})
    p = predict_recapture(fit, zero)
    i = _ref("Intercept")
    assert p.p[0] == pytest.approx(expit(i["coef"]), rel=1e-5)
    assert (p.p_low[0], p.p_high[0]) == pytest.approx((expit(i["ci_lower_pl"]), expit(i["ci_upper_pl"])), rel=1e-5)
    w = predict_recapture(fit, SEX2.head(4), method="wald")
    X = fit._X.head(4).to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov_params().to_numpy(), X))
    assert w.p_high.to_numpy() == pytest.approx(expit(X @ fit.params.to_numpy() + 1.959963985 * se), rel=1e-7)


def test_case_table_dtypes_and_missing():
    rng = np.random.default_rng(3)
    n = 26
    cases = pd.DataFrame({
        "rca_done": pd.array(rng.random(n) < .5, dtype="boolean"),
        "dialogue_level": pd.Categorical(rng.choice(["operational", "middle", "top"], n),
                                         categories=["operational", "middle", "top"], ordered=True),
        "recaptured": pd.Categorical(rng.choice(["yes", "partial", "no"], n), categories=["yes", "partial", "no"]),
    })
    cases.loc[2, "rca_done"] = pd.NA
    cases.loc[5, "recaptured"] = np.nan
    f = firth_logit(cases, "recaptured ~ rca_done + dialogue_level")
    assert f.n_dropped == 2 and f.n == 24
    assert f.terms == ["Intercept", "rca_done", "dialogue_level[T.middle]", "dialogue_level[T.top]"]
    p = predict_recapture(f, cases.head(3))
    assert p.p.isna().tolist() == [False, False, True]
    assert ((p.p_low < p.p) & (p.p < p.p_high)).iloc[:2].all()


def test_errors_name_the_problem():
    d = pd.DataFrame({"recaptured": ["yes", "no", "no"], "x": [1, 0, 1], "acc": ["a;b", "a", "none"]})
    with pytest.raises(InputError, match="2 problems"):
        firth_logit(d, "recaptured ~ z + acc", types={"acc": "multi"})
    with pytest.raises(ValueError, match="left-hand side"):
        firth_logit(d, "won ~ x")


def test_on_bundled_study():
    datasets = pytest.importorskip("winback_research.datasets")
    s = datasets.load_example("study26")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        f = firth_logit(s, "recaptured ~ rca_done + dialogue_level", min_epv=0)   # 3.3 events per variable: warned elsewhere
    assert not f.frame[["p_value", "ci_low", "ci_high"]].isna().any().any()

"""Tests of winback_research.survival against R survival output and statsmodels."""
import json
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.duration.survfunc import survdiff

from winback_research.core import SHARED_COLUMNS, InputError, Result, Summary
from winback_research.survival import cox_ph, kaplan_meier, logrank_test, time_to_recapture

REF = Path(__file__).parent / "reference" / "stats"

# R survival package dataset `aml` (Miller 1981, Survival Analysis, p. 49)
AML = pd.DataFrame({
    "time":   [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12})


def test_km_matches_r_survfit_aml():
    # R: summary(survfit(Surv(time, status) ~ x, data = aml)), group x=Maintained, conf.type="log"
    km = kaplan_meier(AML, "time", "status", group="x")
    ours = km.table.query("group == 'Maintained' and n_event > 0")
    assert ours.n_risk.tolist() == [11, 10, 8, 7, 5, 4, 2]
    assert ours.survival.to_numpy() == pytest.approx([0.909, 0.818, 0.716, 0.614, 0.491, 0.368, 0.184], abs=6e-4)
    assert ours.std_err.to_numpy() == pytest.approx([0.0867, 0.1163, 0.1397, 0.1526, 0.1642, 0.1627, 0.1535], abs=6e-5)
    assert ours.ci_low.to_numpy() == pytest.approx([0.7541, 0.6192, 0.4884, 0.3769, 0.2549, 0.1549, 0.0359], abs=6e-5)
    assert ours.ci_high.to_numpy() == pytest.approx([1.0, 1.0, 1.0, 0.999, 0.946, 0.875, 0.944], abs=6e-4)
    # R print(survfit(...)): median 31 (0.95LCL 18, UCL NA) and 23 (8, NA)
    assert km.medians["median"].tolist() == [31.0, 23.0]
    assert km.medians["median_ci_low"].tolist() == [18.0, 8.0]
    assert km.medians["median_ci_high"].isna().all()





def test_logrank_matches_r_and_statsmodels():
    # R: survdiff(Surv(time, status) ~ x, data = aml): O 7/11, E 10.69/7.31, Chisq= 3.4 on 1 df, p= 0.07
    lr = logrank_test(AML, "time", "status", "x")
    assert lr.table.observed.tolist() == [7, 11]
    assert lr.table.expected.to_numpy() == pytest.approx([10.69, 7.31], abs=5e-3)
    assert lr.df == 1 and lr.chi2 == pytest.approx(3.4, abs=0.05) and lr.p_value == pytest.approx(0.07, abs=0.005)
    assert lr.chi2 == pytest.approx(survdiff(AML.time, AML.status, AML.x)[0], rel=1e-10)



def test_cox_matches_r_coxph_efron_rossi():
    # R survival 3.5-3: coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio,
    # data = carData::Rossi), Efron ties; values in tests/reference/stats/cox_rossi.json
    ref = json.loads((REF / "cox_rossi.json").read_text())
    rossi = pd.read_csv(REF / "rossi_carData.csv")
    cx = cox_ph(rossi, "fin + age + race + wexp + mar + paro + prio", "week", "arrest")
    names = {"fin[T.yes]": "fin", "race[T.other]": "race", "wexp[T.yes]": "wexp",
             "mar[T.not married]": "mar", "paro[T.yes]": "paro", "age": "age", "prio": "prio"}
    tab = cx.table.set_index("term")
    for term, var in names.items():
        r = ref["efron"]["coefficients"][var]
        assert tab.coef[term] == pytest.approx(r["coef_R_coding"], rel=1e-4)
        assert tab.se[term] == pytest.approx(r["se"], rel=1e-4)
        assert tab.p_value[term] == pytest.approx(r["p"], rel=1e-4)
        assert [tab.hr_ci_low[term], tab.hr_ci_high[term]] == pytest.approx(r["hr_ci95_R_coding"], rel=1e-4)
    assert (cx.n, cx.events) == (432, 114)
    assert cx.lr_test["stat"] == pytest.approx(ref["efron"]["lr_test"]["stat"], rel=1e-6)
    # published (Fox & Weisberg appendix): fin coef -0.37942, exp(coef) 0.68426, se 0.19138
    assert tab.hr["fin[T.yes]"] == pytest.approx(0.68426, abs=1e-5)


def test_cox_lifelines_coding_flips_race_and_mar():
    ref = json.loads((REF / "cox_rossi.json").read_text())["efron"]["coefficients"]
    rossi = pd.read_csv(REF / "rossi_lifelines.csv")
    tab = cox_ph(rossi, ["fin", "age", "race", "wexp", "mar", "paro", "prio"], "week", "arrest").table.set_index("term")
    for var, r in ref.items():
        assert tab.coef[var] == pytest.approx(r["coef_lifelines_coding"], rel=1e-4)
        assert tab.se[var] == pytest.approx(r["se"], rel=1e-4)



def _cases():
    return pd.DataFrame({
        "dissolution_year": pd.array([2009, 2010, 2011, 2012, None], dtype="Int64"),
        "reapproach_year": pd.array([2012, 2011, None, 2013, 2016], dtype="Int64"),
        "recapture_year": pd.array([2012, None, None, 2014, None], dtype="Int64"),
        "observed_year": pd.array([2019, 2018, 2018, 2018, 2018], dtype="Int64"),
        "recaptured": pd.array(["yes", "no", None, "partial", "no"], dtype="string")},
        index=["RILF", "b", "c", "d", "e"])




def test_time_to_recapture_lists_all_problems():
    bad = _cases()
    bad["recaptured"] = pd.array(["yes", "maybe", None, "partial", "no"], dtype="string")
    bad["recapture_year"] = pd.array([2008, None, None, 2014, None], dtype="Int64")
    with pytest.raises(InputError, match="case table: 2 problems") as e:
        time_to_recapture(bad)
    assert isinstance(e.value, ValueError) and [p.column for p in e.value.problems] == ["recapture_year", "recaptured"]
    assert "'maybe' is not one of" in str(e.value) and "2008 is before dissolution_year 2009" in str(e.value)


def test_results_share_the_result_api():
    km = kaplan_meier(AML, "time", "status", group="x")
    cx = cox_ph(pd.read_csv(REF / "rossi_lifelines.csv"), ["fin", "prio"], "week", "arrest")
    for r in (km, logrank_test(AML, "time", "status", "x"), cx, time_to_recapture(_cases())):
        assert isinstance(r, Result) and isinstance(r.summary(), Summary) and repr(r) == r.summary().as_text()
    assert {"estimate", "ci_low", "ci_high"} <= set(km.to_frame()) and set(SHARED_COLUMNS) <= set(cx.to_frame())

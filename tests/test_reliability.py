"""Tests of the installed winback_research.reliability against published reliability examples."""
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from winback_research.reliability import (BLANK, agreement, align_coders, apply_consensus, coded_variables,
                                          disagreements, simulate_second_coding)

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
    assert list(d.columns) == ["case_id", "variable", "kind", "a", "label_a", "b", "label_b", "consensus"]
    assert d.label_b.tolist() == ["Top management", "Middle management", "Price reduction"]
    assert d.label_a.tolist()[1] == "(not coded)" and set(d.consensus) == {""}


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
    with pytest.raises(ValueError) as e:
        simulate_second_coding(load_example("study26"), error_rate=2, variables=["rca_don", "share_of_wallet"])
    msg = str(e.value)
    assert "simulate_second_coding: 3 problems" in msg and "error_rate must be between 0 and 1" in msg and "'rca_don' is not a codebook variable" in msg


# ---- from the consensus list to one case table ------------------------------------------------------------------

def _ev_jl(seed=1):
    from winback_research.datasets import load_example
    study = load_example("study26")
    ev = study.assign(coder=pd.array(["EV"] * len(study), dtype="string"),
                      rca_done_evidence=pd.array(["board minutes"] * len(study), dtype="string"))
    jl = simulate_second_coding(ev, error_rate=0.1, seed=seed, coder="JL")
    jl["rca_done_evidence"] = pd.array(["phone call"] * len(jl), dtype="string")   # free text differs by design
    return study, ev, jl


def test_only_coded_variables_compared_and_coders_named():
    study, ev, jl = _ev_jl()
    d = disagreements([ev, jl])
    assert list(d.columns[3:7]) == ["EV", "label_EV", "JL", "label_JL"]
    compared = set(d.variable)
    assert compared <= set(coded_variables(ev))
    assert not compared & {"rca_done_evidence", "n_accommodations", "won_back", "relationship_stage", "coder"}
    assert agreement([ev, jl], n_boot=0).coders == ["EV", "JL"]
    assert "rca_done_evidence" not in set(agreement([ev, jl], n_boot=0).frame.variable)
    anon = [study, simulate_second_coding(study, 0.1, seed=1)]
    anon[1].attrs.pop("coder")
    assert list(align_coders(anon)) == ["coder1", "coder2"]
    named = [study.copy(), study.copy()]
    named[0].attrs["coder"], named[1].attrs["coder"] = "a", "b"     # the CLI's file name stems
    assert list(align_coders(named)) == ["a", "b"]


def test_disagreement_codes_and_labels():
    _, ev, jl = _ev_jl()
    d = disagreements([ev, jl])
    boo = d[d.variable.isin(["rca_done", "cba_done", "team_mix", "reapproached", "cause_controllable"])]
    assert len(boo) and set(boo.EV) | set(boo.JL) <= {"yes", "no"} and set(boo.label_EV) <= {"Yes", "No"}
    zh = disagreements([ev, jl], lang="zh")
    assert set(zh.loc[boo.index, "label_JL"]) <= {"是", "否"}


@pytest.mark.parametrize("winner", ["EV", "JL"])
def test_consensus_round_trip(winner):
    # reference: the consensus that sides with one coder everywhere reproduces that coder's table
    _, ev, jl = _ev_jl()
    d = disagreements([ev, jl])
    assert len(d) > 5
    out = apply_consensus([ev, jl], d.assign(consensus=d[winner].fillna(BLANK)))
    ref = {"EV": ev, "JL": jl}[winner]
    cmp = coded_variables(ev)
    pd.testing.assert_frame_equal(out[cmp], ref[cmp])
    assert "coder" not in out.columns
    pd.testing.assert_frame_equal(out.drop(columns="rca_done_evidence"), ref.drop(columns=["coder", "rca_done_evidence"]))
    assert (out.rca_done_evidence == "board minutes").all()      # not compared: from the first coder's table
    assert out.attrs["consensus"]["n_disagreements"] == len(d)


def test_consensus_blank_and_written_csv(tmp_path):
    from winback_research.cases import read_cases, write_cases
    study, ev, jl = _ev_jl()
    jl.loc[0, "dialogue_level"] = None
    d = disagreements([ev, jl])
    assert d[(d.case_id == study.case_id[0]) & (d.variable == "dialogue_level")].kind.tolist() == ["not coded by all"]
    d.assign(consensus=d.JL.fillna(BLANK)).to_csv(tmp_path / "resolved.csv", index=False)
    write_cases(ev, tmp_path / "EV.csv"); write_cases(jl, tmp_path / "JL.csv")
    tabs = [read_cases(tmp_path / f"{c}.csv") for c in ("EV", "JL")]
    out = apply_consensus(tabs, pd.read_csv(tmp_path / "resolved.csv"))    # pandas types the codes as it likes
    assert pd.isna(out.loc[0, "dialogue_level"])
    cmp = coded_variables(ev)
    pd.testing.assert_frame_equal(out[cmp], tabs[1][cmp])


def test_consensus_refused_all_at_once():
    study, ev, jl = _ev_jl()
    d = disagreements([ev, jl]).reset_index(drop=True)
    d["consensus"] = d.JL
    boo = d.index[d.variable.isin(["rca_done", "cba_done", "team_mix", "reapproached", "cause_controllable"])][0]
    d.loc[[0, 1], "consensus"] = ["", None]
    d.loc[boo, "consensus"] = "maybe"
    extra = pd.DataFrame({"case_id": [study.case_id[0]], "variable": ["start_year"], "consensus": ["1850"]})
    with pytest.raises(ValueError) as e:
        apply_consensus([ev, jl], pd.concat([d, extra]))
    msg = str(e.value)
    assert "apply_consensus: 4 problems" in msg and msg.count("has no consensus (values differ: EV ") == 2
    assert "'maybe' is not a valid consensus: it is not yes or no" in msg
    assert "'1850' is a consensus where the coders do not disagree" in msg


def test_consensus_must_validate_as_case_table():
    study, ev, jl = _ev_jl()
    won = study.index[study.recaptured.astype("string") == "yes"][0]
    jl.loc[won, "recaptured"] = "partial"; jl.loc[won, "recapture_year"] = study.recapture_year[won] + 1
    d = disagreements([ev, jl])
    cid = study.case_id[won]

    def settle(rec, year):
        c, at = d.JL.copy(), d.case_id == cid
        c[at & (d.variable == "recaptured")], c[at & (d.variable == "recapture_year")] = rec, year
        return d.assign(consensus=c)
    with pytest.raises(ValueError, match="'2500' is not a valid consensus: it must be between 1900 and 2100"):
        apply_consensus([ev, jl], settle("yes", "2500"))
    with pytest.raises(ValueError) as e:
        apply_consensus([ev, jl], settle("no", str(study.recapture_year[won])))
    assert "does not validate as a case table" in str(e.value) and f"case {cid}" in str(e.value)
    out = apply_consensus([ev, jl], settle("no", BLANK))
    assert out.loc[won, "recaptured"] == "no" and pd.isna(out.loc[won, "recapture_year"])
    assert not out.loc[won, "won_back"]                             # derived variables follow the consensus

"""The installed `winback` command, run as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

WINBACK = str(Path(sys.executable).parent / "winback")


def winback(*args, cwd=None):
    return subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=cwd)


def test_validate_bad_file_exit_1(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("case_id,supplier,customer,dissolution_year,recaptued\nA,S,C,20O9,yes\n")
    r = winback("validate", str(f))
    assert r.returncode == 1
    assert "column 'recaptued': is not a codebook variable (did you mean 'recaptured'?)" in r.stderr
    assert "row 2, column 'dissolution_year': '20O9' is not a whole number" in r.stderr


def test_example_validate_roundtrip(tmp_path):
    for name, dst in (("study26", "s.xlsx"), ("brextech_rilf", "b_yaml")):
        assert winback("example", name, "-o", str(tmp_path / dst)).returncode == 0
        r = winback("validate", "--json", str(tmp_path / dst))
        assert r.returncode == 0, r.stdout + r.stderr
        assert json.loads(r.stdout)[str(tmp_path / dst)]["valid"] is True


def test_codebook_and_template(tmp_path):
    r = winback("codebook", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["variables"][0]["variable"] == "case_id"
    assert winback("template", "-o", str(tmp_path / "t.csv")).returncode == 0
    assert winback("template", "-o", str(tmp_path / "t.csv")).returncode == 1   # never overwrites silently


def test_help_has_examples():
    for cmd in ("validate", "codebook", "template", "example", "analyze", "agreement", "qca", "assess", "portfolio", "report", "publish", "demo"):
        r = winback(cmd, "--help")
        assert r.returncode == 0 and "example:" in r.stdout


def test_cli_starts_without_heavy_imports():
    code = "import sys; from winback_research import cli; cli.build_parser(); print(sorted(m for m in ('pandas','scipy','matplotlib','statsmodels') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


def test_agreement_two_coders(tmp_path):
    from winback_research.cases import write_cases
    from winback_research.datasets import load_example
    from winback_research.reliability import simulate_second_coding
    study = load_example("study26")
    write_cases(study, tmp_path / "a.csv")
    write_cases(simulate_second_coding(study, error_rate=0.1, seed=1), tmp_path / "b.csv")
    r = winback("agreement", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(tmp_path / "todo.csv"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["agreement"] and len(out["disagreements"]) > 0
    assert (tmp_path / "todo.csv").exists()


def test_portfolio_bad_row_is_named(tmp_path):
    f = tmp_path / "lost.csv"
    f.write_text("case_id,supplier,customer,dissolution_year,reason_primary,revenue_before,margin_before,currency\n"
                 "L1,Us,Alpha,2024,price,1200000,0.2,EUR\n"
                 "L2,Us,Beta,2024,pricing,800000,0.25,EUR\n"
                 "L3,Us,Gamma,2023,neglect,900000,1.25,EUR\n")
    r = winback("portfolio", str(f), "--against", "study26", "-o", str(tmp_path / "rank.csv"))
    assert r.returncode == 1
    assert "row 3, column 'reason_primary': 'pricing' is not one of" in r.stderr
    assert "row 4, column 'margin_before': 1.25 must be between 0 and 1" in r.stderr
    assert not (tmp_path / "rank.csv").exists()      # nothing written when the input is invalid


def test_portfolio_ranks(tmp_path):
    f = tmp_path / "lost.csv"
    f.write_text("case_id,supplier,customer,dissolution_year,reason_primary,cause_controllable,personal_ties,revenue_before,margin_before,currency\n"
                 "L1,Us,Alpha,2024,price,yes,regular,1200000,0.2,EUR\n"
                 "L2,Us,Beta,2024,customer_strategy_change,no,none,800000,0.25,EUR\n")
    r = winback("portfolio", str(f), "--against", "study26", "-o", str(tmp_path / "rank.csv"), "--report", str(tmp_path / "rank.html"))
    assert r.returncode == 0, r.stderr
    import pandas as pd
    rank = pd.read_csv(tmp_path / "rank.csv")
    assert rank["Rank"].tolist() == [1, 2] and set(rank["Case id"]) == {"L1", "L2"}
    assert (tmp_path / "rank.html").stat().st_size > 1000
    # no costs of the attempt were given: no customer gets a verdict, and the output says what is missing, in words
    assert (rank["Verdict"] == "no verdict (inputs missing)").all() and rank["Missing inputs"].str.contains("One-off cost: process changes").all()
    assert "no verdict" in r.stdout and "SYNTHETIC" in r.stderr and "synthetic" in rank["Note"].iloc[0].lower()


def test_analyze_study26_tests_no_outcome_derived_row():
    # Before: the default factor family held won_back (OR about 713, p about 0), constants and identifiers.
    r = winback("analyze", "study26", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    factors = {row["factor"] for row in out["factor_table"]}
    assert not factors & {"won_back", "recaptured", "recapture_year", "years_to_recapture", "revenue_after",
                          "profit_after", "data_origin", "names_disguised", "case_id"}
    assert out["excluded"]["won_back"] == "role 'outcome'" and out["synthetic"] is True
    assert out["firth_partial_as_failure"] is not None and any("events per variable" in w for w in out["warnings"])

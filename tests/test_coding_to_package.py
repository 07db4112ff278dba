"""Two coders' files through agreement and consensus to a published data package that Frictionless accepts."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

WINBACK = str(Path(sys.executable).parent / "winback")


def run(*args, cwd):
    r = subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_two_coders_to_a_valid_data_package(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    from winback_research.datasets import load_example
    from winback_research.cases import write_cases
    from winback_research.reliability import simulate_second_coding
    study = load_example("study26")
    write_cases(study, tmp_path / "EV.csv")
    write_cases(simulate_second_coding(study, error_rate=0.1, seed=3), tmp_path / "JL.csv")
    run("agreement", "EV.csv", "JL.csv", "-o", "to_resolve.csv", cwd=tmp_path)
    rows = list(csv.DictReader((tmp_path / "to_resolve.csv").open(encoding="utf-8")))
    assert rows and {"EV", "JL", "consensus"} <= set(rows[0])               # coders named from their files
    for r in rows: r["consensus"] = r["JL"] or "blank"                        # the meeting agreed with JL everywhere
    with (tmp_path / "resolved.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0])); w.writeheader(); w.writerows(rows)
    run("consensus", "EV.csv", "JL.csv", "--resolved", "resolved.csv", "-o", "agreed.csv", cwd=tmp_path)
    run("publish", "agreed.csv", "--name", "agreed-study", "-o", "pkg", cwd=tmp_path)
    report = frictionless.validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

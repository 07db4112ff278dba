"""The installed `winback` command, run as a user runs it."""
import json
import shutil
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
    for cmd in ("validate", "codebook", "template", "example", "demo"):
        r = winback(cmd, "--help")
        assert r.returncode == 0 and "example:" in r.stdout


def test_cli_starts_without_heavy_imports():
    code = "import sys; from winback_research import cli; cli.build_parser(); print(sorted(m for m in ('pandas','scipy','matplotlib','statsmodels') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr

"""Outputs under attack: formula injection through CR/LF, blanks and full-width forms; XLSX exports of names that
XML cannot hold; terminal text; no-overwrite as one atomic step; --force never over an input or a non-file;
temporary files removed on failure; the toolkit's own exports validate again (each was a finding of the
hostile-input run)."""
import errno
import os
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from winback_research.cases import read_cases, write_cases
from winback_research.datasets import load_example
from winback_research.safeio import (OutputExistsError, UnsafeOutputError, atomic_write, protect_cell, terminal_text,
                                     unprotect_cell, write_table)

WINBACK = str(Path(sys.executable).parent / "winback")


def winback(*args, cwd=None):
    return subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("value", ["\r=1+1", "\n=1+1", " =1+1", "\t=1+1", "＝1+1", "＋1", "－1", "＠A1", "\u3000=1", "-1+2"])
def test_every_formula_start_is_protected(value):
    assert protect_cell(value) == "'" + value and unprotect_cell(protect_cell(value)) == value


def test_plain_numbers_stay_numbers(tmp_path):
    assert protect_cell("-50000.0") == "-50000.0" and protect_cell(-50000.0) == -50000.0
    write_table(pd.DataFrame({"v": ["-50000.0"], "n": [-5.5]}), tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws["A2"].value == "-50000.0" and ws["B2"].value == -5.5 and ws["B2"].data_type == "n"


def test_cr_in_csv_is_quoted_so_no_row_starts_a_formula(tmp_path):
    write_table(pd.DataFrame({"supplier": ["\r=1+1", "x"], "n": [1, 2]}), tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert b'"\'\r=1+1"' in raw
    for line in raw.replace(b"\r\n", b"\n").split(b"\n"):     # a reader splitting on any line break: no line is a formula
        assert not line.lstrip().startswith(b"=")


def test_xlsx_export_of_control_characters_does_not_crash(tmp_path):
    write_table(pd.DataFrame({"supplier": ["a\x1bb", "=\x07"]}), tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert [ws["A2"].value, ws["A3"].value] == ["a\\x1bb", "'=\\x07"]


def test_terminal_text_escapes_ansi_osc_and_bidi():
    s = "\x1b]8;;http://evil\x07click\x1b]8;;\x07 \x1b[2J \u202etxt.exe"
    out = terminal_text(s)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert out == "\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07 \\x1b[2J \\u202etxt.exe"


def test_two_writers_of_a_new_file_cannot_both_win(tmp_path):
    target, barrier, results = tmp_path / "out.csv", threading.Barrier(8), []

    def write(i):
        try:
            with atomic_write(target) as f:
                f.write(f"writer {i}\n")
                barrier.wait(timeout=30)                       # every writer is past the check before any finishes
            results.append(("wrote", i))
        except OutputExistsError:
            results.append(("refused", i))
    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    winners = [i for r, i in results if r == "wrote"]
    assert len(winners) == 1 and target.read_text() == f"writer {winners[0]}\n"
    assert not list(tmp_path.glob(".out.csv.*"))              # no temporary file left behind


@pytest.mark.parametrize("kind", ["fifo", "symlink to fifo", "device", "symlink to device", "folder"])
def test_force_never_replaces_a_non_file(tmp_path, kind):
    target = tmp_path / "out.csv"
    if kind == "fifo": os.mkfifo(target)
    elif kind == "symlink to fifo": os.mkfifo(tmp_path / "p"); os.symlink(tmp_path / "p", target)
    elif kind == "device": target = Path(os.devnull)
    elif kind == "symlink to device": os.symlink(os.devnull, target)
    else: target.mkdir()
    with pytest.raises(UnsafeOutputError, match="not a regular file"):
        with atomic_write(target, overwrite=True) as f: f.write("x")
    assert not list(tmp_path.glob(".out.csv.*"))


def test_force_never_replaces_an_input_by_any_spelling(tmp_path):
    src = tmp_path / "study.csv"
    write_cases(load_example("study26"), src)
    before = src.read_bytes()
    os.symlink(src, tmp_path / "link.csv")
    for out in (src, tmp_path / "sub" / ".." / "study.csv", tmp_path / "link.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(UnsafeOutputError, match="inputs"):
            write_cases(load_example("study26"), out, overwrite=True, inputs=[str(src)])
    assert src.read_bytes() == before


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_temporary_file_removed_on_interrupt(tmp_path, exc):
    with pytest.raises(exc):
        with atomic_write(tmp_path / "a.txt") as f:
            f.write("half"); raise exc()
    assert list(tmp_path.iterdir()) == []


def test_full_disk_leaves_nothing_and_keeps_the_old_file(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("old")

    def full(fd): raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        with atomic_write(tmp_path / "a.txt", overwrite=True) as f: f.write("new")
    assert (tmp_path / "a.txt").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("name", ["study26", "brextech_rilf"])
@pytest.mark.parametrize("fmt", [".csv", ".xlsx", ""])
def test_bundled_studies_round_trip_through_every_format(tmp_path, name, fmt):
    df = load_example(name)
    write_cases(df, tmp_path / f"out{fmt}")
    back = read_cases(tmp_path / f"out{fmt}")
    cols = [c for c in df.columns if c in back.columns and not c.endswith("_evidence")]
    pd.testing.assert_frame_equal(back[cols].reset_index(drop=True), df[cols].reset_index(drop=True), check_dtype=False, check_categorical=False)


def test_example_to_a_folder_validates_again(tmp_path):
    r = winback("example", "study26", "-o", str(tmp_path / "study") + "/")
    assert r.returncode == 0, r.stderr
    assert not any(".nan" in p.read_text() for p in (tmp_path / "study").iterdir())
    r = winback("validate", str(tmp_path / "study"))
    assert r.returncode == 0, r.stderr


def test_publish_writes_negative_money_as_a_number_and_cr_survives(tmp_path):
    df = load_example("brextech_rilf")
    df["cba_expected_value"] = pd.array([-50000.0] * len(df), dtype="Float64")
    df["notes"] = pd.array(["line one\rline two"] * len(df), dtype="string")
    write_cases(df, tmp_path / "in.csv")
    r = winback("publish", str(tmp_path / "in.csv"), "--name", "x", "-o", str(tmp_path / "pkg"))
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "pkg" / "cases.csv").read_text(encoding="utf-8")
    assert "'-50000.0" not in text and "-50000.0" in text
    back = read_cases(tmp_path / "pkg" / "cases.csv")
    assert (back["notes"] == "line one\rline two").all() and (back["cba_expected_value"] == -50000.0).all()

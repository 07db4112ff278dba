"""The command line's output policy and error paths, run as a user runs them (each was a traceback or a silent surprise)."""
import subprocess
import sys
from pathlib import Path

WINBACK = str(Path(sys.executable).parent / "winback")


def winback(*args, cwd=None):
    return subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=cwd)


def test_example_into_a_missing_folder_is_an_error(tmp_path):
    r = winback("example", "study26", "-o", str(tmp_path / "nope" / "x.csv"))
    assert r.returncode == 1 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "nope").exists()                   # no folder created silently


def test_existing_output_names_the_flag_and_force_never_replaces_an_input(tmp_path):
    a = tmp_path / "a.csv"
    assert winback("example", "study26", "-o", str(a)).returncode == 0
    r = winback("example", "study26", "-o", str(a))
    assert r.returncode == 1 and "--force" in r.stderr
    before = a.read_bytes()
    r = winback("agreement", str(a), str(a), "-o", str(a), "--force")
    assert r.returncode == 1 and "Traceback" not in r.stderr and a.read_bytes() == before


def test_pdf_that_exists_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "r.pdf").write_text("mine")
    r = winback("report", "study26", "-o", str(tmp_path / "r.html"), "--pdf")
    assert r.returncode == 1 and "Traceback" not in r.stderr and (tmp_path / "r.pdf").read_text() == "mine"


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    r = winback("demo", "-o", str(tmp_path))
    assert r.returncode == 1 and "--force" in r.stderr and (tmp_path / "keep.txt").read_text() == "mine"


def test_os_errors_are_one_line(tmp_path):
    r = winback("publish", "study26", "--name", "s", "-o", "/proc/winback-test")
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_closed_pipe_ends_quietly():
    # the JSON (about 75 KB) is larger than a pipe's buffer, so the writer meets the closed pipe
    p = subprocess.run(f'"{WINBACK}" analyze study26 --json | head -c 10 > /dev/null', shell=True,
                       capture_output=True, text=True)
    assert "BrokenPipeError" not in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_concurrent_writers_without_force_exactly_one_wins(tmp_path):
    out = tmp_path / "same.csv"
    procs = [subprocess.Popen([WINBACK, "example", "study26", "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(6)]
    results = [(p.wait(), p.stdout.read(), p.stderr.read()) for p in procs]
    assert sorted(code for code, _, _ in results) == [0, 1, 1, 1, 1, 1]
    assert all("Traceback" not in err for _, _, err in results)
    assert not list(tmp_path.glob(".same.csv.*"))                 # no temporary file left behind


def test_force_over_a_fifo_is_refused(tmp_path):
    import os
    os.mkfifo(tmp_path / "pipe.csv")
    r = winback("example", "study26", "-o", str(tmp_path / "pipe.csv"), "--force")
    assert r.returncode == 1 and "named pipe" in r.stderr and "Traceback" not in r.stderr


HOSTILE = {   # file name -> content; each used to end in a traceback, a hang or a silent change
    "year20.csv": "case_id,supplier,customer,dissolution_year\nC1,S,C,12345678901234567890\n",
    "huge_revenue.csv": "case_id,supplier,customer,dissolution_year,revenue_before\nC1,S,C,2009,1e308\n",
    "header_only.csv": "case_id,supplier,customer,dissolution_year\n",
    "ragged.csv": "case_id,supplier,customer,dissolution_year\nC1,Smith, Jones,C,2009\n",
    "dup.yaml": "case_id: C1\nsupplier: S\ncustomer: C\ndissolution_year: 2009\nrecaptured: yes\nrecaptured: no\n",
    "deep.yaml": "case_id: " + "[" * 20_000 + "]" * 20_000 + "\n",
}


def test_hostile_files_are_problems_in_every_command(tmp_path):
    for name, text in HOSTILE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        for args in (["validate", str(tmp_path / name)], ["analyze", str(tmp_path / name)]):
            r = winback(*args)
            assert r.returncode == 1 and "Traceback" not in r.stderr and name in r.stderr, (name, args, r.stderr)


def test_semicolon_file_is_read_with_a_note(tmp_path):
    (tmp_path / "semi.csv").write_text("case_id;supplier;customer;dissolution_year\nC1;Müller, Söhne;C;2009\n", encoding="utf-8")
    r = winback("validate", str(tmp_path / "semi.csv"))
    assert r.returncode == 0 and "separated by semicolons" in r.stdout

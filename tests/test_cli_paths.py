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

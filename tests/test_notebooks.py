"""Run every notebook in nbs/ (modules and tutorials) as a test, the way `nbdev-test` does."""
from pathlib import Path

import pytest
from nbdev.test import test_nb as run_notebook

NBS = Path(__file__).resolve().parents[1] / "nbs"
NOTEBOOKS = sorted(p for p in NBS.rglob("*.ipynb")
                   if not any(part.startswith(("_", ".")) for part in p.relative_to(NBS).parts))


def test_notebooks_found():
    assert NOTEBOOKS, f"no notebooks under {NBS.name}/"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[str(p.relative_to(NBS)) for p in NOTEBOOKS])
def test_notebook_runs(nb, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ok, secs = run_notebook(nb, skip_flags=["notest", "slow"], showerr=True)
    assert ok, f"{nb.relative_to(NBS.parent)} failed (see the cell error printed above)"

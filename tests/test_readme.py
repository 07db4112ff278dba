"""Every `winback` command the README shows runs, in the README's order, in a fresh folder."""
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WINBACK = str(Path(sys.executable).parent / "winback")


def readme_commands()->list:
    "The `winback ...` lines of the README's bash blocks, without their trailing comments."
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    out = []
    for b in blocks:
        for line in b.splitlines():
            line = line.strip()
            if line.startswith("winback "): out.append(re.sub(r"\s+#\s.*$", "", line))
    return out


def test_readme_has_commands():
    cmds = readme_commands()
    assert len(cmds) >= 10 and all(c.startswith("winback ") for c in cmds)


@pytest.fixture(scope="module")
def your_files(tmp_path_factory):
    "The files a user brings: a coded study, two coders' codings of it and their resolved disagreements, a list of lost customers, an order history, QDA exports, a filled exit record."
    from winback_research.datasets import load_example
    from winback_research.cases import write_cases
    from winback_research.assess import open_case
    from winback_research.reliability import disagreements, simulate_second_coding
    d = tmp_path_factory.mktemp("readme")
    study = load_example("study26")
    write_cases(study, d / "cases.csv")
    second = simulate_second_coding(study, error_rate=0.1, seed=1)
    write_cases(study, d / "coder_a.csv")
    write_cases(second, d / "coder_b.csv")
    # the coders' meeting: every disagreement resolved (here in favour of coder_a)
    a, b = study.copy(), second.copy()
    a.attrs["coder"], b.attrs["coder"] = "coder_a", "coder_b"
    dis = disagreements([a, b])
    dis["consensus"] = dis["coder_a"].where(dis["coder_a"].notna(), "blank")
    dis.to_csv(d / "resolved.csv", index=False)
    write_cases(open_case(study.iloc[:4]), d / "lost_customers.csv")
    from winback_research.orders import write_example_orders
    write_example_orders(d)      # an order history: orders.parquet, wallet.csv, events.csv
    import shutil
    from winback_research.qda import example_qda
    project, mapping = example_qda()   # a QDA project and its mapping; a classification sheet of the same cases
    shutil.copy(project, d / "interviews.qdpx"); shutil.copy(mapping, d / "mapping.yaml")
    import openpyxl
    wb = openpyxl.Workbook()
    for r in [["Company", "Supplier", "Customer", "Year of break-up"], ["Gulf Pumps", "Gulf Pumps", "Riyadh Water", 2011]]:
        wb.active.append(r)
    wb.save(d / "classification.xlsx")
    (d / "filled_exit.yaml").write_text("exit_id: EX-1\nsupplier: Acme\ncustomer: Beta\nexit_year: 2021\nreason_primary: price\n"
                                        "reasons_given: Two price rises in one year.\n", encoding="utf-8")
    return d


def test_every_readme_command_runs(your_files, monkeypatch):
    # Before: `winback qca study26.csv --conditions rca_done "TOP=dialogue_level >= top" --include "?"` failed
    # (no positive rows) and `winback example brextech_rilf -o rilf.yaml` failed (a single YAML file was refused).
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for cmd in readme_commands():
        args = shlex.split(cmd)[1:]
        if "--pdf" in args and not (shutil.which("chromium") or shutil.which("chromium-browser")): args.remove("--pdf")
        r = subprocess.run([WINBACK, *args], capture_output=True, text=True, cwd=your_files)
        assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"

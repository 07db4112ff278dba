"""Run every benchmark in bench/ (files named bench_*.py), one after another: `python bench/run.py`."""
import runpy
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = []
sys.path.insert(0, str(here))
for f in sorted(here.glob("bench_*.py")):
    print(f"\n=== {f.name}")
    try:
        runpy.run_path(str(f), run_name="__main__")
    except SystemExit as e:
        if e.code: failed.append(f.name)
    except Exception as e:  # keep going; report at the end
        print(f"{f.name} failed: {e!r}")
        failed.append(f.name)
sys.exit(1 if failed else 0)

"""Scale: time and memory of the main steps for studies of 100, 1,000 and 10,000 simulated cases, each size in a
fresh process (so the peak memory is that size's own): writing and reading the case file, the factor table
(its trend tests exact: enumerated up to crosscase.TREND_ENUMERATE_MAX_N cases, a Monte Carlo estimate
above), the Firth model under both codings of a partial recapture, and the study report.
Goal (the 10,000-case issue): near-linear growth; the report on 10,000 cases under 60 s and 2 GB.
Run: python bench/bench_scale.py            (all sizes)
     python bench/bench_scale.py 1000       (one size)
"""
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

SIZES = (100, 1_000, 10_000)
MODEL = "recaptured ~ rca_done + dialogue_top + cause_controllable"


def _peak_mb():
    "Peak resident memory of this process so far, in MB (Linux reports KB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_size(n):
    "Time each step for `n` cases; print one line per step: seconds and the process's peak memory so far."
    warnings.simplefilter("ignore")
    from winback_research.cases import Limits, read_cases, write_cases
    from winback_research.codebook import with_terms
    from winback_research.crosscase import factor_table
    from winback_research.datasets import simulate_cases
    from winback_research.models import firth_both_codings

    def step(name, f):
        t = time.perf_counter()
        try: out, note = f(), ""
        except Exception as e: out, note = None, f"  failed: {type(e).__name__}: {str(e)[:80]}"
        print(f"{n:>7,} {name:<28} {time.perf_counter() - t:8.2f} s {_peak_mb():8.0f} MB{note}", flush=True)
        return out

    study = step("simulate_cases", lambda: simulate_cases(n, seed=1))
    with tempfile.TemporaryDirectory() as d:
        step("write_cases (csv)", lambda: write_cases(study, Path(d) / "s.csv"))
        step("read_cases (csv)", lambda: read_cases(Path(d) / "s.csv", limits=Limits(rows=max(n, 100_000))))
    step("factor_table (exact trend)", lambda: factor_table(study, exact_trend=True))
    step("firth_both_codings", lambda: firth_both_codings(with_terms(study), MODEL))

    def report():
        from winback_research.report import build_report
        return build_report(study)
    step("build_report", report)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        one_size(int(sys.argv[1]))
    else:
        print(f"{'cases':>7} {'step':<28} {'time':>10} {'peak memory':>11}")
        for n in SIZES:
            subprocess.run([sys.executable, __file__, str(n)], check=False)

"""Power analysis speed: the fast simulation path against the full case-table path, measured in the same run.

The baseline draws each study as a validated-free typed case table (`simulate_cases`) and derives the
generating indicators from it (`generative_terms`); the fast path (`simulate_terms`) draws only the
indicators and the outcome. Both then run the same Fisher and Firth detections. Goal: a 26-case power
curve with 500 simulations per size is interactive (seconds, not minutes).
Run: python bench/bench_power.py
"""
import time

from timing import best_of

import numpy as np

from winback_research.datasets import generative_terms, simulate_cases, simulate_terms
from winback_research.design import detect_once, power_by_simulation

N, SIMS = 26, 100


def baseline():
    for s in range(SIMS):
        d = simulate_cases(N, seed=s, validate=False)
        x = {k: v.fillna(0).to_numpy(float) for k, v in generative_terms(d).items()}
        y = d["won_back"].astype(float).to_numpy()
        detect_once(x, y, "rca_done", "fisher"); detect_once(x, y, "rca_done", "firth")


def fast():
    rng = np.random.default_rng(0)
    for _ in range(SIMS):
        x, y = simulate_terms(N, rng)
        detect_once(x, y, "rca_done", "fisher"); detect_once(x, y, "rca_done", "firth")




if __name__ == "__main__":
    tb, tf = best_of(baseline), best_of(fast)
    print(f"{SIMS} studies of {N} cases, Fisher + Firth each:")
    print(f"  baseline (case tables)  {tb:7.3f} s  ({1e3 * tb / SIMS:.1f} ms/study)")
    print(f"  fast path               {tf:7.3f} s  ({1e3 * tf / SIMS:.1f} ms/study)   speed-up x{tb / tf:.1f}")
    t = time.perf_counter()
    power_by_simulation([26, 40, 60, 80, 120], n_sims=500, seed=1, progress=False)
    print(f"  full power curve (5 sizes x 500 studies, Fisher + Firth): {time.perf_counter() - t:.1f} s")

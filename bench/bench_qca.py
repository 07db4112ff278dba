"""Speed of the QCA engine: exact parsimonious solutions for 8..16 conditions x 1,000 cases.

Run:  python bench/bench_qca.py [--quick] [--noise 0.01]

Data (seeded): 1,000 cases, k random crisp conditions, outcome = C0*C1 + ~C2*C3 (truth table incl_cut = 1);
with --noise 0.01, 1 % of outcomes flipped (every flipped case becomes a row that must be covered, which makes
the prime-implicant chart a hard set-cover problem: expect complete=False at the 20 s time limit).
Baselines measured in the same run: (a) the truth-table step itself, (b) a naive prime-implicant search that
lists all 3^k cubes (k <= 10 only; its result is checked against ours).
"""
import itertools
import sys
import time

import numpy as np
import pandas as pd

from winback_research.qca import decode_rows, truth_table
from winback_research.qca_minimize import covers, minimize, prime_implicants


def make_data(k, n=1000, noise=0.0, seed=0):
    rng = np.random.default_rng(seed + k)
    X = rng.integers(0, 2, (n, k))
    y = ((X[:, 0] & X[:, 1]) | ((1 - X[:, 2]) & X[:, 3])).astype(float)
    flip = rng.random(n) < noise
    y[flip] = 1 - y[flip]
    d = pd.DataFrame(X, columns=[f"C{j}" for j in range(k)])
    d["Y"] = y
    return d


def naive_primes(pos, neg, k):
    "Baseline: test every one of the 3^k cubes, then keep the maximal ones."
    cubes = np.array(list(itertools.product([-1, 0, 1], repeat=k)))
    ok = ~covers(cubes, neg).any(1) & covers(cubes, pos).any(1) if len(neg) else covers(cubes, pos).any(1)
    imp = {tuple(c) for c in cubes[~covers(cubes, neg).any(1)]} if len(neg) else {tuple(c) for c in cubes}
    return [c for c in cubes[ok] if not any(tuple(-1 if i == j else v for i, v in enumerate(c)) in imp
                                            for j in range(k) if c[j] >= 0)]


def timed(f):
    t = time.perf_counter(); r = f(); return r, time.perf_counter() - t


def main(quick=False, noise=0.0):
    ks = (8, 10, 12) if quick else (8, 10, 12, 14, 16)
    print(f"{'k':>3} {'pos':>5} {'neg':>5} {'PIs':>6} {'models':>6} {'complete':>8} {'tt s':>7} {'PIs s':>7} "
          f"{'solve s':>8} {'solve/tt':>8} {'naive PIs s':>11} {'speed-up':>8}")
    for k in ks:
        d = make_data(k, noise=noise)
        tt, t_tt = timed(lambda: truth_table(d, "Y"))
        pos, neg = decode_rows(tt.positive, tt.levels), decode_rows(tt.negative + tt.contradictions, tt.levels)
        pis, t_pi = timed(lambda: prime_implicants(pos, neg, tt.levels))
        sol, t_sol = timed(lambda: minimize(tt, include="?", time_limit=20))
        naive, speed = "-", "-"
        if k <= 10:
            nv, t_nv = timed(lambda: naive_primes(pos, neg, k))
            assert {tuple(c) for c in nv} == {tuple(c) for c in pis}
            naive, speed = f"{t_nv:.3f}", f"{t_nv / t_pi:.0f}x"
        print(f"{k:>3} {len(tt.positive):>5} {len(tt.negative):>5} {len(pis):>6} {len(sol.models):>6} "
              f"{str(sol.complete):>8} {t_tt:>7.3f} {t_pi:>7.3f} {t_sol:>8.3f} {t_sol / t_tt:>8.1f} {naive:>11} {speed:>8}")


if __name__ == "__main__":
    noise = float(sys.argv[sys.argv.index("--noise") + 1]) if "--noise" in sys.argv else 0.0
    print(f"QCA parsimonious solution, 1,000 cases, outcome C0*C1 + ~C2*C3, {noise:.0%} outcomes flipped")
    main(quick="--quick" in sys.argv, noise=noise)

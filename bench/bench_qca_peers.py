"""QCA solutions side by side with setqca 0.2.0: every data shape of the speed table, each solution type.

Run:  python bench/bench_qca_peers.py [--quick] [--reps 1] [--peer-timeout 100]

setqca is run in its own environment (never a dependency of this package): create it once with
    python -m venv build/.venv-bench && build/.venv-bench/bin/pip install setqca==0.2.0
(or point SETQCA_PYTHON at any Python that has setqca 0.2.0). When it is absent, its columns say so and
only this toolkit's times, R QCA's fixed times and the brute-force checks are printed.

Data (seeded, written out below): conditions are Bernoulli(0.5); `planted` outcome = C0*~C1*C2 + C3*C4 +
~C5*C6*C7 (a 3-term DNF over 8 conditions); `noisy` = planted with 5 % of the outcomes flipped; `random` =
Bernoulli(0.5) outcome; `fuzzy` = uniform memberships, outcome = the same DNF with min/max plus N(0, 0.1)
noise, clipped to [0, 1]. Every truth table uses incl_cut 0.8; the intermediate solution expects every
condition present. A time is the best of `--reps` runs of truth table + minimisation, end to end, measured
in the same run for both toolkits. R QCA 3.25's times are fixed anchors (measured once, same shapes).

The table also says how many tied models exist: this toolkit lists at most 256 (its default) and says
whether the list is complete; a count that is only a lower bound is retried once, untimed, with
count=True and a 30 s limit (marked '*'). R QCA's times are those of the issue's table ('-' where it was
not measured); '>100' means no answer within 100 s.

Checks (asserted): where setqca is complete (fewer than its 256-model cap), its models equal ours that
have the fewest literals (setqca keeps only the ties with the fewest literals; we keep every minimum
cover, as R does); when our list was capped, every model is listed once more, untimed, for that check.
On the small shapes (8 conditions) the prime implicants and the model lists equal a brute-force search
(all 3^k cubes; all minimum covers by re-solving a MILP with no-good cuts). setqca's intermediate solution pools the easy counterfactuals over all parsimonious models
(Ragin & Sonnett) while R QCA, and this toolkit, work per (conservative, parsimonious) model pair, so the
intermediate model sets are compared with this toolkit's engine run on setqca's own easy counterfactuals.
"""
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

PLANTED = ((0, 1), (1, 0), (2, 1)), ((3, 1), (4, 1)), ((5, 0), (6, 1), (7, 1))   # (condition, value) per term

# (shape, k, n, solution, R QCA 3.25 seconds or None for "no answer in 100 s", or '' when not measured)
ROWS = [
    ("planted", 10, 200, "conservative", None),
    ("planted", 12, 1000, "conservative", 46),
    ("planted", 14, 1000, "conservative", 5.2),
    ("planted", 16, 1000, "conservative", None),
    ("planted", 8, 200, "conservative", 0.93),
    ("random", 10, 200, "parsimonious", 2.2),
    ("noisy", 10, 200, "parsimonious", 0.47),
    ("planted", 12, 26, "parsimonious", None),
    ("planted", 12, 1000, "parsimonious", None),
    ("planted", 12, 26, "intermediate", ''),
    ("planted", 10, 200, "intermediate", ''),
    ("noisy", 10, 200, "intermediate", ''),
    ("planted", 14, 1000, "intermediate", ''),
    ("fuzzy", 8, 100, "intermediate", ''),
    ("planted", 20, 30, "parsimonious", ''),      # many conditions, few cases: memory and prime implicants
]
QUICK = [r for r in ROWS if r[1] * (r[2] > 500) < 13]


def make_data(shape, k, n, seed=2026):
    "Seeded case table: conditions C0..C{k-1} and outcome Y (see the module docstring)."
    rng = np.random.default_rng([seed, k, n, ("planted", "noisy", "random", "fuzzy").index(shape)])
    if shape == "fuzzy":
        X = rng.random((n, k))
        y = np.max([np.min([X[:, j] if v else 1 - X[:, j] for j, v in t], axis=0) for t in PLANTED], axis=0)
        y = np.clip(y + rng.normal(0, 0.1, n), 0, 1)
    else:
        X = rng.integers(0, 2, (n, k)).astype(float)
        if shape == "random": y = rng.integers(0, 2, n).astype(float)
        else:
            y = np.max([np.min([X[:, j] == v for j, v in t], axis=0) for t in PLANTED], axis=0).astype(float)
            if shape == "noisy":
                flip = rng.random(n) < 0.05
                y[flip] = 1 - y[flip]
    d = pd.DataFrame(X, columns=[f"C{j}" for j in range(k)], index=[f"c{i}" for i in range(n)])
    d["Y"] = y
    return d


def term_set(expr):
    "A model as a set of terms, each a set of literals (order-free)."
    return frozenset(frozenset(t.strip().split("*")) for t in expr.split("+"))


# --- the setqca side: runs inside setqca's own environment -------------------------------------------

def setqca_worker():
    "Read one request (JSON on stdin), time setqca on it, print JSON: seconds, models, truncated."
    from setqca import build_truth_table
    from setqca.counterfactuals import classify_counterfactuals, coerce_expectations
    from setqca.minimize.qmc import minimize as sminimize
    req = json.loads(sys.stdin.read())
    d = pd.DataFrame(req["data"])
    conds = [c for c in d.columns if c != "Y"]
    cap = 256

    def run():
        tt = build_truth_table(d, outcome="Y", conditions=conds, inclusion_cutoff=0.8)
        on, w = tt.positive_minterms, len(conds)
        if req["solution"] == "conservative": return sminimize(on, width=w, max_solutions=cap), None
        pars = sminimize(on, dont_cares=tt.remainder_minterms, width=w, max_solutions=cap)
        if req["solution"] == "parsimonious": return pars, None
        cf = classify_counterfactuals(tt, pars, coerce_expectations({c: "+" for c in conds}, tt.conditions))
        return sminimize(on, dont_cares=set(cf.admitted), width=w, max_solutions=cap), sorted(cf.admitted)

    best = float("inf")
    for _ in range(req["reps"]):
        t = time.perf_counter(); sols, ec = run(); best = min(best, time.perf_counter() - t)
    print(json.dumps(dict(seconds=best, models=[s.as_expression(tuple(conds)) for s in sols],
                          truncated=len(sols) >= cap, ec=ec)))


def setqca_python():
    "The Python of setqca's own environment, or None."
    here = Path(__file__).resolve().parent
    for p in (os.environ.get("SETQCA_PYTHON"), here.parent / "build" / ".venv-bench" / "bin" / "python"):
        if p and Path(p).exists():
            ok = subprocess.run([str(p), "-c", "import setqca"], capture_output=True).returncode == 0
            if ok: return str(p)
    return None


def run_setqca(py, d, solution, reps, timeout):
    "setqca's time and models on one case table (None when it gives no answer within `timeout` seconds)."
    req = json.dumps(dict(data={c: d[c].tolist() for c in d.columns}, solution=solution, reps=reps))
    try:
        r = subprocess.run([py, __file__, "--setqca-worker"], input=req, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired: return None
    if r.returncode: return dict(error=r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
    return json.loads(r.stdout)


# --- this toolkit, brute force, and the table ------------------------------------------------------------

def ours(d, solution, reps):
    "This toolkit's best time, solution object."
    from winback_research.qca import truth_table
    from winback_research.qca_minimize import minimize
    conds = [c for c in d.columns if c != "Y"]
    kw = dict(include="?", dir_exp=", ".join(conds)) if solution == "intermediate" else \
        dict(include="?" if solution == "parsimonious" else "")
    best, sol = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        sol = minimize(truth_table(d, "Y", incl_cut=0.8), **kw)
        best = min(best, time.perf_counter() - t)
    return best, sol


def brute_models(pos, allowed, k):
    "All minimum covers of `pos` by the prime implicants inside `allowed` (0-based minterms): primes by listing all 3^k cubes, covers by re-solving a MILP with one no-good cut per cover."
    from scipy.optimize import Bounds, LinearConstraint, milp
    from winback_research.qca_minimize import covers
    rows = np.array(list(itertools.product([0, 1], repeat=k)))
    cubes = np.array(list(itertools.product([-1, 0, 1], repeat=k)))
    inside = covers(cubes, rows)
    ok = ~inside[:, sorted(set(range(2 ** k)) - set(allowed))].any(1)
    imp = {tuple(c) for c in cubes[ok]}
    prime = [c for c in cubes[ok & inside[:, pos].any(1)]
             if not any(tuple(-1 if i == j else v for i, v in enumerate(c)) in imp for j in range(k) if c[j] >= 0)]
    A = covers(np.array(prime), rows[pos]).T.astype(float)
    n = A.shape[1]; base = LinearConstraint(A, lb=1, ub=np.inf); opts = dict(integrality=np.ones(n), bounds=Bounds(0, 1))
    best = round(milp(np.ones(n), constraints=[base], **opts).fun)
    cuts, found = [], set()
    while len(found) < 5000:
        cons = [base, LinearConstraint(np.ones((1, n)), lb=best, ub=best)] + \
               ([LinearConstraint(np.array(cuts), lb=-np.inf, ub=best - 1)] if cuts else [])
        r = milp(np.zeros(n), constraints=cons, **opts)
        if r.status != 0: break
        sel = np.nonzero(r.x > 0.5)[0]; found.add(frozenset(tuple(prime[i]) for i in sel))
        cut = np.zeros(n); cut[sel] = 1; cuts.append(cut)
    return {tuple(p) for p in prime}, found


def check_brute(sol, solution, k):
    "Primes and minimum covers against brute force for the conservative and parsimonious solutions and every intermediate pair."
    tt = sol.tt
    pos = [r - 1 for r in tt.positive]
    if solution == "conservative": parts = [(sol, pos)]
    elif solution == "parsimonious":
        parts = [(sol, [r - 1 for r in range(1, 2 ** k + 1) if r not in set(tt.negative) | set(tt.contradictions)])]
    else: parts = [(p, pos + [r - 1 for r in p.extra["EC"].index]) for p in sol.pairs[:8]]
    for s, allowed in parts:
        primes, models = brute_models(pos, allowed, k)
        assert {tuple(c) for c in s._codes} == primes
        if s.complete: assert code_sets(s) == models
        else: assert code_sets(s) <= models


def count_of(sol, solution):
    "The number of tied models: exact, '>=N' when the search stopped, '?' when pairs of an intermediate solution were capped; a lower bound is retried untimed with count=True (30 s), marked '*'."
    from winback_research.qca_minimize import minimize
    if sol.count_exact: return f"{sol.n_models:,}"
    if sol.cover.stopped == "pairs": return "?"
    c = minimize(sol.tt, include="" if solution == "conservative" else "?", max_models=0, count=True, time_limit=30)
    return f"{c.n_models:,}*" if c.count_exact else f">={max(c.n_models, sol.n_models):,}"


def code_sets(sol):
    "The models of a solution as sets of cubes (tuples)."
    return {frozenset(tuple(sol._codes[i]) for i in m) for m in sol._models}


def literals(m): return sum(len(t) for t in m)



def main(quick=False, reps=1, timeout=100):
    from winback_research.qca_minimize import minimize
    py = setqca_python()
    print("QCA solutions: this toolkit vs setqca 0.2.0 (same run) and R QCA 3.25 (fixed anchors, seconds)")
    if py is None:
        print("note: setqca is not installed in its own environment (build/.venv-bench or SETQCA_PYTHON); "
              "its columns are left empty")
    head = (f"{'data':<16} {'solution':<13} {'ours s':>8} {'setqca s':>9} {'ratio':>7} {'R s':>6} "
            f"{'models':>7} {'count':>13} {'complete':>8} {'setqca models':>13} {'check':<20}")
    print(head); print("-" * len(head))
    slower = []
    for shape, k, n, solution, r_time in (QUICK if quick else ROWS):
        d = make_data(shape, k, n)
        t, sol = ours(d, solution, reps)
        check = []
        if k <= 8:
            check_brute(sol, solution, k); check.append("brute force =")
        sq = run_setqca(py, d, solution, reps, timeout) if py else None
        if py is None: sq_t, sq_m, ratio = "absent", "-", "-"
        elif sq is None: sq_t, sq_m, ratio = f">{timeout:g}", "-", "-"
        elif "error" in sq: sq_t, sq_m, ratio = "error", "-", "-"; check.append("setqca: " + sq["error"][:40])
        else:
            sq_t, ratio = f"{sq['seconds']:.3f}", f"{t / sq['seconds']:.2f}"
            sq_m = f"{len(sq['models'])}{'+' if sq['truncated'] else ''}"
            theirs = {term_set(m) for m in sq["models"]}
            ref = sol
            if solution == "intermediate":       # our engine on setqca's own easy counterfactuals
                allowed = set(sol.tt.positive) | {e + 1 for e in sq["ec"]}
                keep_out = set(sol.tt.negative) | set(sol.tt.contradictions) | allowed
                ref = minimize(sol.tt, include="?", exclude=[r for r in range(1, 2 ** k + 1) if r not in keep_out])
            full = ""
            if not sq["truncated"] and not ref.complete:    # our list was capped: list every model, untimed
                try:
                    ref = minimize(ref.tt, max_models=None, time_limit=120, **({"include": "?"} if solution != "conservative" else {}),
                                   **({"exclude": ref.settings["exclude"]} if solution == "intermediate" else {}))
                    full = " (all listed, untimed)"
                except Exception: pass                     # too many models to list: no comparison
            if not sq["truncated"] and ref.complete:
                mine_sq = [term_set(" + ".join(m)) for m in ref.models]
                fewest = min(map(literals, mine_sq))
                assert theirs == {m for m in mine_sq if literals(m) == fewest}, (shape, k, n, solution)
                check.append("setqca =" + full)
            if t > sq["seconds"] * 1.1: slower.append(f"{shape} {k}x{n} {solution}")
        r_s = "-" if r_time == '' else (">100" if r_time is None else f"{r_time:g}")
        print(f"{shape + f' {k}x{n}':<16} {solution:<13} {t:>8.3f} {sq_t:>9} {ratio:>7} {r_s:>6} "
              f"{len(sol.models):>7} {count_of(sol, solution):>13} {str(sol.complete):>8} {sq_m:>13} {', '.join(check):<20}", flush=True)
    print("ratio = ours / setqca (below 1: this toolkit is faster); models = minimum covers listed (max_models = 256), "
          "count = how many exist (R's definition: every minimum cover; '*' counted untimed with count=True); setqca models: its fewest-literal ties, '+' when "
          "it stopped at its cap of 256")
    if slower: print("slower than setqca on:", "; ".join(slower))


if __name__ == "__main__":
    if "--setqca-worker" in sys.argv: setqca_worker()
    else:
        reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 1
        to = float(sys.argv[sys.argv.index("--peer-timeout") + 1]) if "--peer-timeout" in sys.argv else 100
        main(quick="--quick" in sys.argv, reps=reps, timeout=to)

"""Order history at scale: per-customer monthly signals (spine, margins, cost-to-serve, baselines, z-scores, CUSUMs)
and CUSUM alerts from 10 million order lines of 50,000 simulated customers over five years, written once in Ibis
and run on DuckDB, against the plain pandas implementation of the same signals (`signals._pandas_signals`).
The orders are generated to Parquet first (not timed); each engine then runs in its own process, so its peak
resident memory (resource.getrusage) is its own.
Goal: DuckDB under 10 s and 1.5 GB on two cores, at least 3 times faster than pandas.
Run: python bench/bench_orders.py                    (10M lines)
     python bench/bench_orders.py --lines 1000000    (a quicker run)
     python bench/bench_orders.py --lines 1000000 --spark   (adds local Spark, two cores)
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

LINES_PER_CUSTOMER = 185     # what simulate_orders(rhythm_p=RHYTHM) makes on average over five years
RHYTHM = (0.7, 0.2, 0.1, 0.0)


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine, path):
    "Run one engine on the Parquet file; print one JSON line: seconds, peak MB, rows of signals, alerts."
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    if engine == "pandas":
        from winback_research.orders import _read_parquet
        from winback_research.signals import _pandas_signals
        o = _read_parquet(path)
        s = _pandas_signals(o, "month")
        fired = (s.filter(like="cusum_") > 5).to_numpy().any(axis=1).sum()      # periods with an alert level
        rows, n_alerts = len(s), int(fired)
    else:
        from winback_research.orders import connect, read_orders
        from winback_research.signals import period_signals, alerts
        con = connect(engine, **({"memory_limit": "1GB"} if engine == "duckdb" else {}))
        o = read_orders(path, con=con)
        s = period_signals(o, "month", ordered=False)   # stored, then aggregated: no sort needed
        if engine == "duckdb": s = con.create_table("signals", s)   # computed once, read by the alerts
        rows = con.execute(s.count())
        n_alerts = len(con.to_pyarrow(alerts(s)))
    print(json.dumps(dict(engine=engine, seconds=time.perf_counter() - t, peak_mb=_peak_mb(), rows=rows, alerts=n_alerts)))


def make(n, path):
    "Simulate `n` customers over five years and write their order lines to Parquet."
    from winback_research.orders import simulate_orders
    t = time.perf_counter()
    sim = simulate_orders(n_customers=int(n), years=5, seed=2026, rhythm_p=RHYTHM)
    sim.orders.to_parquet(path, index=False)
    print(f"{len(sim.orders):,} order lines, {int(n):,} customers, 5 years (generated and written in {time.perf_counter() - t:.1f} s, not timed)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--spark", action="store_true", help="also time local Spark (needs pyspark and Java)")
    ap.add_argument("--engines", default="duckdb,pandas", help="comma-separated: duckdb, pandas, spark")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--make", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(*a.child)
    if a.make: return make(*a.make)
    n = max(50, round(a.lines / LINES_PER_CUSTOMER))
    with tempfile.TemporaryDirectory() as d:
        path = str(Path(d) / "orders.parquet")
        # generated in its own process: a child forked from a large parent would inherit its peak memory (ru_maxrss)
        p = subprocess.run([sys.executable, __file__, "--make", str(n), path], capture_output=True, text=True, check=True)
        print(p.stdout.strip())
        res = {}
        for engine in a.engines.split(",") + (["spark"] if a.spark and "spark" not in a.engines else []):
            p = subprocess.run([sys.executable, __file__, "--child", engine, path], capture_output=True, text=True)
            if p.returncode:
                print(f"{engine}: failed\n{p.stderr[-2000:]}"); continue
            r = json.loads(p.stdout.strip().splitlines()[-1]); res[engine] = r
            note = "; the peak is the Python driver's, the Spark JVM is not counted" if engine == "spark" else ""
            print(f"{engine:7s} {r['seconds']:7.1f} s  {r['peak_mb']:7.0f} MB peak  ({r['rows']:,} customer-months{note})")
    if "duckdb" in res and "pandas" in res:
        dk, pd_ = res["duckdb"], res["pandas"]
        print(f"pandas / DuckDB: time {pd_['seconds'] / dk['seconds']:.1f}x, memory {pd_['peak_mb'] / dk['peak_mb']:.1f}x")
        ok = dk["seconds"] < 10 and dk["peak_mb"] < 1536 and pd_["seconds"] / dk["seconds"] >= 3
        print(f"goal (DuckDB < 10 s, < 1.5 GB, >= 3x pandas) at {a.lines:,} lines: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()

"""Signals: the Ibis expressions against an independent pandas version and Page's CUSUM loop; alerts against planted truth; Spark equals DuckDB."""
import shutil

import numpy as np
import pandas as pd
import pytest

from winback_research.core import InputError
from winback_research.orders import connect, read_orders, read_events, simulate_orders
from winback_research.signals import (period_signals, alerts, evaluate_alerts, trajectories_svg, _pandas_signals, INDICATORS,
                                      UPWARD, FROM_EVENTS)

CHECK = ["quantity", "n_orders", "revenue", "cost", "margin", "mean_order_size", "margin_rate", "margin_rate_3",
         "revenue_growth", "cost_growth", "margin_trend", "referrals", "resolution_days"] + \
        [f"{p}_{n}" for n in INDICATORS for p in ("z", "cusum")] + [f"{n}_base" for n in INDICATORS]


@pytest.fixture(scope="module")
def sim():
    return simulate_orders(n_customers=120, years=4, seed=5)


@pytest.fixture(scope="module")
def con():
    return connect()


def _as_float(df):
    return df[CHECK].apply(lambda c: c.astype(float)).reset_index(drop=True)


def page(z, k=0.5, up=False):
    "Page (1954): S_t = max(0, S_{t-1} - z_t - k) for a fall (+z_t for a rise), periods without a z-score skipped."
    S, out = 0.0, []
    for v in z:
        S = S if v != v else max(0.0, S + (v if up else -v) - k)
        out.append(S)
    return np.array(out)


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_ibis_equals_pandas_reference(sim, con, period):
    got = con.execute(period_signals(read_orders(sim.orders, con=con), period, events=read_events(sim.events, con=con)))
    ref = _pandas_signals(sim.orders, period, sim.events)
    assert list(got.customer_id) == list(ref.customer_id) and list(pd.to_datetime(got.period)) == list(pd.to_datetime(ref.period))
    pd.testing.assert_frame_equal(_as_float(got), _as_float(ref), rtol=1e-9, atol=1e-9)
    assert got.dog.tolist() == ref.dog.tolist()


def test_cusum_window_form_equals_page_recursion(sim, con):
    got = con.execute(period_signals(read_orders(sim.orders, con=con), events=read_events(sim.events, con=con)))
    assert got.z_resolution.notna().sum() > 0
    for _, g in got.groupby("customer_id"):
        for n in INDICATORS:
            np.testing.assert_allclose(g[f"cusum_{n}"].to_numpy(float), page(g[f"z_{n}"].to_numpy(float), up=n in UPWARD), atol=1e-9)


def test_without_events_the_event_indicators_are_silent(sim, con):
    got = con.execute(period_signals(read_orders(sim.orders, con=con)))
    for n in FROM_EVENTS:
        assert got[f"z_{n}"].isna().all() and got[f"{n}_base"].isna().all() and (got[f"cusum_{n}"] == 0).all()
    ref = _pandas_signals(sim.orders, "month")
    pd.testing.assert_frame_equal(_as_float(got), _as_float(ref), rtol=1e-9, atol=1e-9)


def test_unordered_signals_hold_the_same_rows(sim, con):
    o = read_orders(sim.orders, con=con)
    a = con.execute(period_signals(o))
    b = con.execute(period_signals(o, ordered=False)).sort_values(["customer_id", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def _customer(months, per_month, qty=100.0):
    "A hand-made customer: `per_month[i]` orders of about `qty` in month i."
    from decimal import Decimal
    rng = np.random.default_rng(0)
    days = pd.date_range("2021-01-01", periods=months, freq="MS")
    rows = [(d + pd.Timedelta(days=i), qty + rng.normal(0, 5)) for d, n in zip(days, per_month) for i in range(n)]
    df = pd.DataFrame({"customer_id": "X", "order_date": [r[0].date() for r in rows], "quantity": [r[1] for r in rows], "currency": "EUR"})
    df["revenue"] = [Decimal(f"{q * 10:.2f}") for q in df.quantity]
    df["cost"] = [Decimal(f"{q * 7:.2f}") for q in df.quantity]
    return days, df


def test_slower_complaint_resolution_fires_upward(con):
    # complaints resolved in 5-7 days for two years, then one that takes 40 days
    days, df = _customer(30, [4] * 30)
    opened = list(days[1:25:3]) + [days[26]]
    took = [5, 6, 7, 5, 6, 7, 5, 6, 40]
    ev = pd.DataFrame([(d.date(), "complaint_opened", f"K{i}") for i, d in enumerate(opened)] +
                      [((d + pd.Timedelta(days=t)).date(), "complaint_resolved", f"K{i}") for i, (d, t) in enumerate(zip(opened, took))],
                      columns=["date", "kind", "complaint_id"]).assign(customer_id="X")
    s = period_signals(read_orders(df, con=con), events=read_events(ev, con=con))
    a = con.execute(alerts(s))
    r = a[a.indicator == "resolution"]
    assert len(r) == 1 and pd.Timestamp(r.fired.iloc[0]) == (days[26] + pd.Timedelta(days=40)).to_period("M").start_time
    assert r.value.iloc[0] == 40 and r.change.iloc[0] > 5                 # against a mean of 5.9 days
    assert a[a.indicator == "volume"].empty                              # the orders did not move


def test_a_year_without_orders_matches_the_reference(con):
    # twelve empty months: the baseline is all zeros, its standard deviation exactly 0 (pandas' running variance is not)
    days, df = _customer(40, [5] * 20 + [0] * 14 + [5] * 6)
    got = con.execute(period_signals(read_orders(df, con=con)))
    ref = _pandas_signals(df, "month")
    assert (got.volume_sd == 0).sum() >= 2
    pd.testing.assert_frame_equal(_as_float(got), _as_float(ref), rtol=1e-9, atol=1e-9)


def test_zero_rows_and_money(sim, con):
    got = con.execute(period_signals(read_orders(sim.orders, con=con), "month"))
    first = pd.to_datetime(got.groupby("customer_id").period.min()).dt.to_period("M")
    last = pd.to_datetime(got.period).dt.to_period("M").max()
    assert (got.groupby("customer_id").size() == (last - first).map(lambda d: d.n) + 1).all()
    assert (got.n_orders == 0).sum() > 0 and got.loc[got.n_orders == 0, "quantity"].eq(0).all()
    assert got.revenue.map(type).eq(type(sim.orders.revenue.iloc[0])).all()       # decimal, not float
    assert sum(got.revenue) == sum(sim.orders.revenue.tolist())


def test_a_planted_decline_is_flagged_after_it_starts(con):
    # a hand-made customer: 24 months of 10 orders of 100, then 12 months of 4 orders of 50
    days = pd.date_range("2021-01-01", periods=36, freq="MS")
    rows = [(d + pd.Timedelta(days=i), 100.0 if d < days[24] else 50.0) for d in days for i in range(10 if d < days[24] else 4)]
    rng = np.random.default_rng(0)
    from decimal import Decimal
    df = pd.DataFrame({"customer_id": "X", "order_date": [r[0].date() for r in rows],
                       "quantity": [r[1] + rng.normal(0, 5) for r in rows], "currency": "EUR"})
    df["revenue"] = [Decimal(f"{q * 10:.2f}") for q in df.quantity]
    df["cost"] = [Decimal(f"{q * 7:.2f}") for q in df.quantity]
    a = con.execute(alerts(period_signals(read_orders(df, con=con))))
    vol = a[a.indicator == "volume"]
    assert len(vol) == 1 and pd.Timestamp(vol.fired.iloc[0]) == days[24] and vol.change.iloc[0] < -0.5
    fr = a[a.indicator == "frequency"]
    assert pd.Timestamp(fr.since.iloc[0]) == days[24]
    assert a[a.indicator == "margin_rate"].empty                         # the margin rate did not move


def test_alerts_recall_on_planted_truth(con):
    big = simulate_orders(n_customers=300, years=5, seed=99)
    s = period_signals(read_orders(big.orders, con=con))
    res = pd.concat([con.execute(alerts(s, rule=r)).assign(rule=r) for r in ("cusum", "z")])
    ev = evaluate_alerts(res, big.truth, years=5).set_index(["rule", "indicator"])
    assert ev.loc[("cusum", "volume"), "recall"] > 0.6
    assert ev.loc[("cusum", "volume"), "false_alarms_per_100_customer_years"] < 2
    assert ev.loc[("cusum", "margin_rate"), "recall"] > 0.4


def test_as_of_sees_only_the_past(sim, con):
    s = period_signals(read_orders(sim.orders, con=con))
    full = con.execute(alerts(s))
    early = con.execute(alerts(s, as_of="2023-06-30"))
    assert (pd.to_datetime(early.fired) <= "2023-06-30").all()
    keep = full[pd.to_datetime(full.fired) <= "2023-06-30"]
    assert len(keep) == len(early)
    with pytest.raises(InputError, match="'cusum' or 'z'"):
        alerts(s, rule="ewma")


def test_trajectories_svg(sim, con):
    s = con.execute(period_signals(read_orders(sim.orders, con=con)))
    a = con.execute(alerts(period_signals(read_orders(sim.orders, con=con))))
    svg = trajectories_svg(s, a, a.customer_id.unique()[:4].tolist())
    assert "<svg" in svg


def _spark_ready():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'winback-research[spark]')"
    if shutil.which("java") is None:
        return "Java is not installed"
    return ""


@pytest.mark.slow
@pytest.mark.skipif(bool(_spark_ready()), reason=_spark_ready() or "ok")
def test_spark_equals_duckdb():
    sim = simulate_orders(n_customers=1000, years=5, seed=3)     # about 100k order lines
    assert len(sim.orders) > 90_000
    duck = connect()
    spark = connect("spark")
    a = duck.execute(period_signals(read_orders(sim.orders, con=duck), events=read_events(sim.events, con=duck)))
    b = spark.execute(period_signals(read_orders(sim.orders, con=spark), events=read_events(sim.events, con=spark)))
    b = b.sort_values(["customer_id", "period"]).reset_index(drop=True)
    assert list(a.customer_id) == list(b.customer_id)
    assert list(pd.to_datetime(a.period)) == list(pd.to_datetime(b.period))
    pd.testing.assert_frame_equal(_as_float(a), _as_float(b), rtol=1e-9, atol=1e-9)
    x = duck.execute(alerts(period_signals(read_orders(sim.orders, con=duck))))
    y = spark.execute(alerts(period_signals(read_orders(sim.orders, con=spark))))
    key = ["customer_id", "indicator", "fired"]
    assert x.sort_values(key)[key].astype(str).values.tolist() == y.sort_values(key)[key].astype(str).values.tolist()

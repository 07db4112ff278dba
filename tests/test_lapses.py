"Lapses, lifetimes, recaptures, stages and BG/NBD: against a hand-computed fixture, a pandas reference and published values."
import numpy as np
import pandas as pd
import pytest

from winback_research import lapses as L
from winback_research.cli import main
from winback_research.core import InputError
from winback_research.orders import read_orders, simulate_orders


def _orders(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    df["order_date"] = pd.to_datetime(df.order_date).dt.date
    df["quantity"] = 1.0; df["revenue"] = df.revenue * 100; df["cost"] = df.revenue * 6 // 10; df["currency"] = "EUR"
    return read_orders(df, minor_units=True)


@pytest.fixture(scope="module")
def fixture():
    return _orders([("A", "2024-01-01", 100), ("A", "2024-01-11", 100), ("A", "2024-01-21", 100), ("A", "2024-01-31", 100),
                    ("A", "2024-08-18", 50), ("B", "2024-03-01", 30), ("B", "2024-04-10", 30), ("B", "2024-04-10", 5)])


@pytest.fixture(scope="module")
def sim():
    return simulate_orders(n_customers=120, years=4, seed=7)


# --- a pandas reference implementation (independent of the Ibis code) -------------------------
def ref_thresholds(df, q=0.95, min_gaps=4, factor=2.0, min_days=90):
    d = df.assign(order_date=pd.to_datetime(df.order_date)).groupby(["customer_id", "order_date"], as_index=False).size()
    d["gap"] = d.groupby("customer_id").order_date.diff().dt.days
    pooled = np.quantile(d.gap.dropna(), q)
    rows = []
    for c, g in d.groupby("customer_id"):
        gaps = g.gap.dropna().to_numpy()
        own = np.quantile(gaps, q) if len(gaps) else 0.0
        w = len(gaps) / (len(gaps) + min_gaps)
        rows.append((c, max(factor * (w * own + (1 - w) * pooled), min_days)))
    return pd.DataFrame(rows, columns=["customer_id", "threshold_days"]).set_index("customer_id").threshold_days


def ref_lifetimes(df, thr, as_of):
    d = df.assign(order_date=pd.to_datetime(df.order_date), revenue=df.revenue.astype(float))
    d = d[d.order_date <= as_of].groupby(["customer_id", "order_date"], as_index=False).revenue.sum()
    out = {}
    for c, g in d.groupby("customer_id"):
        dates, rev = list(g.order_date), list(g.revenue)
        life = [1]
        for a, b in zip(dates, dates[1:]): life.append(life[-1] + ((b - a).days > thr[c]))
        life = np.array(life); rev = np.array(rev)
        lapsed = (as_of - dates[-1]).days > thr[c]
        n = life.max()
        out[c] = dict(n_lifetimes=n, first_end=max(x for x, l in zip(dates, life) if l == 1), first_revenue=rev[life == 1].sum(),
                      second_start=min((x for x, l in zip(dates, life) if l == 2), default=pd.NaT),
                      second_revenue=rev[life == 2].sum() if n > 1 else np.nan,
                      status="recaptured" if n > 1 else "lost" if lapsed else "active")
    return pd.DataFrame.from_dict(out, orient="index")


def test_hand_fixture(fixture):
    th = L.lapse_thresholds(fixture, q=0.5, factor=2, min_days=0).execute().set_index("customer_id")
    assert th.threshold_days.tolist() == pytest.approx([20.0, 32.0])      # 2*(0.5*10+0.5*10), 2*(0.2*40+0.8*10)
    lt = L.lifetimes(fixture, as_of="2024-06-01", thresholds=L.lapse_thresholds(fixture, q=0.5, factor=2, min_days=0)).execute().set_index("customer_id")
    assert lt.status.tolist() == ["lost", "recaptured"]
    assert lt.dormancy_days.tolist() == [122, 40]
    assert lt.first_revenue.tolist() == [400.0, 30.0]


def test_against_pandas_reference(sim):
    t = read_orders(sim.orders)
    got = L.lapse_thresholds(t).execute().set_index("customer_id").threshold_days
    ref = ref_thresholds(sim.orders)
    pd.testing.assert_series_equal(got.sort_index(), ref.sort_index(), check_names=False, rtol=1e-9)
    as_of = pd.Timestamp("2024-06-30")
    lt = L.lifetimes(t, as_of=as_of).execute().set_index("customer_id").sort_index()
    rl = ref_lifetimes(sim.orders, ref, as_of).sort_index()
    assert (lt.n_lifetimes.to_numpy() == rl.n_lifetimes.to_numpy()).all()
    assert (lt.status.to_numpy() == rl.status.to_numpy()).all()
    assert np.allclose(lt.first_revenue.to_numpy(float), rl.first_revenue.to_numpy(float))
    assert np.allclose(lt.second_revenue.to_numpy(float), rl.second_revenue.to_numpy(float), equal_nan=True)
    assert (pd.to_datetime(lt.first_end) == pd.to_datetime(rl.first_end)).all()


def test_recovers_planted_lapses(sim):
    lt = L.lifetimes(read_orders(sim.orders)).execute().set_index("customer_id")
    tr = sim.truth
    lapsed = set(tr.customer_id[tr.kind == "lapse"]) - set(tr.customer_id[tr.kind == "recapture"])
    back = set(tr.customer_id[tr.kind == "recapture"])
    quiet = set(tr.customer_id[tr.kind.isin(["none", "dog", "margin_squeeze"])])
    assert (lt.loc[sorted(lapsed), "status"] == "lost").mean() >= 0.9
    assert (lt.loc[sorted(back), "status"] == "recaptured").mean() >= 0.9
    assert (lt.loc[sorted(quiet), "status"] == "active").all()


def _coded(path, out):
    "The list after a salesperson has coded the reason of each break-up (the order history cannot say why)."
    df = pd.read_csv(path, dtype=str)
    df["reason_primary"], df["cause_controllable"] = "neglect", "yes"
    df.to_csv(out, index=False)
    return out


def test_lost_list_into_cli(sim, tmp_path, capsys):
    lt = L.lifetimes(read_orders(sim.orders))
    cases = L.lost_customer_list(lt, tmp_path/"lost.csv", currency="EUR", data_origin="synthetic", supplier="Synthetic supplier")
    assert len(cases) > 0 and cases.recaptured.isna().all()
    assert main(["validate", str(tmp_path/"lost.csv")]) == 0
    coded = _coded(tmp_path/"lost.csv", tmp_path/"lost_coded.csv")
    assert main(["portfolio", str(coded), "--against", "study26", "-o", str(tmp_path/"ranking.csv")]) == 0
    ranking = pd.read_csv(tmp_path/"ranking.csv")
    assert len(ranking) == len(cases)
    first = str(cases.case_id.iloc[0])
    assert main(["assess", str(coded), "--case", first, "--against", "study26"]) == 0
    assert first in capsys.readouterr().out


def test_uncoded_lost_list_into_portfolio(sim, tmp_path):
    L.lost_customer_list(L.lifetimes(read_orders(sim.orders)), tmp_path/"lost.csv", currency="EUR", data_origin="synthetic")
    assert main(["portfolio", str(tmp_path/"lost.csv"), "--against", "study26", "-o", str(tmp_path/"ranking.csv")]) == 0


def test_recaptures_feed_survival(sim):
    from winback_research.survival import kaplan_meier, time_to_recapture
    cf = L.case_fields(L.lifetimes(read_orders(sim.orders)), currency="EUR", data_origin="synthetic")
    from winback_research.cases import parse_table
    cases = parse_table(cf, "lapses")
    rt = time_to_recapture(cases)
    assert rt.n == len(cases) and rt.n_dropped == 0
    assert int(rt.data.event.sum()) == int((cases.recaptured == "yes").sum())
    km = kaplan_meier(rt.data, "duration", "event")
    assert km.to_frame().survival.min() < 1                 # some lapsed customers came back


def test_stages_and_wallet_case_fields(sim):
    t = read_orders(sim.orders)
    st = L.wallet_stages(t, _wallet(sim)).execute()
    assert set(st.stage.dropna()) <= set(L.STAGES)
    assert (st.skipped <= st.stage_rank.notna()).all()
    tm = L.stage_transitions(st)
    assert list(tm.index) == list(L.STAGES) and tm.to_numpy().sum() > 0
    cf = L.case_fields(L.lifetimes(t), wallet=_wallet(sim), orders=t, currency="EUR")
    sow = pd.to_numeric(cf.share_of_wallet)
    assert sow.notna().any() and sow.between(0, 1).all()


def _wallet(sim):
    import ibis
    return ibis.memtable(sim.wallet[["customer_id", "period_start", "wallet"]].assign(wallet=sim.wallet.wallet.astype(float)))


def test_bad_arguments(fixture):
    with pytest.raises(InputError, match="2 problems"):
        L.lapse_thresholds(fixture, q=2, factor=-1)
    with pytest.raises(InputError, match="is not a date"):
        L.lifetimes(fixture, as_of="soon")


def test_bgnbd_cdnow_matches_fader_hardie_lee_2005():
    # Fader, Hardie & Lee (2005), Marketing Science 24(2), p. 279: r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4
    # (CDNOW sample, 2,357 customers, 39-week calibration, weeks)
    rfm = L.rfm_summary(L.read_cdnow(), "1997-09-30").execute()
    assert len(rfm) == 2357 and int(rfm.x.sum()) == 2457
    fit = L.fit_bgnbd(rfm)
    assert list(fit.params.values()) == pytest.approx([0.243, 4.414, 0.793, 2.426], abs=2e-3)
    assert fit.loglik == pytest.approx(-9582.4, abs=0.5)
    assert fit.p_alive(0, 0, 39) == 1.0


def test_run_signals(sim, tmp_path):
    res = L.run_signals(sim.orders, wallet=sim.wallet[["customer_id", "period_start", "wallet"]], out=tmp_path/"out")
    for n in ("alerts.csv", "lifetimes.csv", "lost_customers.csv", "stages.csv", "report.html"): assert (tmp_path/"out"/n).exists()
    page = (tmp_path/"out"/"report.html").read_text()
    assert f"{res['counts']['customers']} customers" in page and page.count("<svg") == 1
    al = pd.read_csv(tmp_path/"out"/"alerts.csv")
    drawn = L._recent(al, sim.orders.order_date.max())[1]
    assert len(drawn) == 9 and page.count("<g id=\"axes_") == 9 and all(f"<td>{c}</td>" in page for c in drawn)   # a panel and rows each
    lost = pd.read_csv(tmp_path/"out"/"lost_customers.csv")
    assert len(lost) == res["counts"]["lost"]
    assert main(["validate", str(tmp_path/"out"/"lost_customers.csv")]) == 0
    with pytest.raises(Exception, match="not overwriting"):
        L.run_signals(sim.orders, out=tmp_path/"out")
    L.run_signals(sim.orders, out=tmp_path/"out", force=True)


def _spark_ready():
    import shutil
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'winback-research[spark]')"
    return "" if shutil.which("java") else "Java is not installed"


@pytest.mark.slow
@pytest.mark.skipif(bool(_spark_ready()), reason=_spark_ready() or "ok")
def test_spark_equals_duckdb():
    from winback_research.orders import connect
    sim = simulate_orders(n_customers=60, years=3, seed=3)
    spark = connect("spark")
    a = L.lifetimes(read_orders(sim.orders, con=spark), as_of="2023-06-30").execute().set_index("customer_id").sort_index()
    b = L.lifetimes(read_orders(sim.orders), as_of="2023-06-30").execute().set_index("customer_id").sort_index()
    assert (a.status == b.status).all() and (a.n_lifetimes == b.n_lifetimes).all()
    assert np.allclose(a.threshold_days, b.threshold_days)
    assert np.allclose(a.first_revenue.astype(float), b.first_revenue.astype(float))


def test_bgnbd_equals_lifetimes_package():
    "The optional reference implementation (lifetimes 0.11.3, BetaGeoFitter) on the same summary."
    lifetimes = pytest.importorskip("lifetimes")
    rfm = L.rfm_summary(L.read_cdnow(), "1997-09-30").execute()
    ref = lifetimes.BetaGeoFitter().fit(rfm["x"], rfm["t_x"], rfm["T"]).params_
    ours = L.fit_bgnbd(rfm)
    assert list(ours.params.values()) == pytest.approx([ref["r"], ref["alpha"], ref["a"], ref["b"]], rel=1e-3)

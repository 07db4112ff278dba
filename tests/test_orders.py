"""Order history: the contract (exact money, every problem at once), the generator's planted truth, the bundled example."""
from decimal import Decimal

import pandas as pd
import pytest

from winback_research.core import InputError
from winback_research.orders import (connect, read_orders, read_events, read_wallet, simulate_orders,
                                     write_example_orders, load_example_orders)


@pytest.fixture(scope="module")
def con():
    return connect()


@pytest.fixture(scope="module")
def sim():
    return simulate_orders(n_customers=80, years=4, seed=11)


def _lines(**kw):
    df = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-01-20"]).date,
                       "quantity": [10.0, 12.0, 3.0], "revenue": [Decimal("0.10"), Decimal("0.20"), Decimal("99.99")],
                       "cost": [Decimal("0.05"), Decimal("0.05"), Decimal("70")], "currency": ["EUR"] * 3})
    return df.assign(**kw)


def test_money_is_exact_on_duckdb(con):
    o = read_orders(_lines(), con=con)
    assert str(o.schema()["revenue"]) == "decimal(18, 4)"
    # 0.1 + 0.2 is exactly 0.3 in decimal arithmetic (and 0.30000000000000004 in float)
    s = con.execute(o.filter(o.customer_id == "A").revenue.sum())
    assert s == Decimal("0.3")
    m = con.execute((o.revenue - o.cost).sum())
    assert m == Decimal("30.19")


def test_every_problem_at_once(con):
    bad = _lines(quantity=[-1.0, 2.0, 3.0], currency=["EUR", "EURO", "USD"], customer_id=["A", None, "B"])
    with pytest.raises(InputError) as e:
        read_orders(bad, con=con)
    msg = str(e.value)
    assert "must be a number ≥ 0" in msg and "'EURO' is not an ISO 4217" in msg and "'customer_id': is missing" in msg


def test_types_and_missing_columns(con):
    with pytest.raises(InputError, match="floating point money is not exact"):
        read_orders(_lines(revenue=[1.5, 2.0, 3.0]), con=con)
    with pytest.raises(InputError, match="minor_units=True"):
        read_orders(_lines(revenue=[150, 200, 300], cost=[1, 2, 3]), con=con)
    with pytest.raises(InputError) as e:
        read_orders(_lines().drop(columns=["revenue", "currency"]), con=con)
    assert "'revenue'" in str(e.value) and "'currency'" in str(e.value) and "without revenue" in str(e.value)


def test_minor_units_follow_the_currency_exponent(con):
    df = _lines(revenue=[120050, 140000, 1234], cost=[90025, 110000, 1000], currency=["EUR", "EUR", "KWD"])
    got = con.execute(read_orders(df, minor_units=True, con=con).order_by(["customer_id", "order_date"]))
    assert list(got.revenue) == [Decimal("1200.50"), Decimal("1400.00"), Decimal("1.234")]


def test_column_mapping_and_mixed_currencies(con):
    df = _lines(currency=["EUR", "USD", "EUR"]).rename(columns={"customer_id": "cust"})
    with pytest.raises(InputError, match="mixes currencies"):
        read_orders(df, columns={"cust": "customer_id"}, con=con)
    with pytest.raises(InputError, match="mapped but not in the data"):
        read_orders(df, columns={"client": "customer_id"}, con=con)


def test_files_csv_parquet_glob_untouched(con, sim, tmp_path):
    paths = write_example_orders(tmp_path / "ex", sim)
    before = {p: p.read_bytes() for p in paths}
    total = sum(sim.orders.revenue.tolist(), Decimal(0))
    assert con.execute(read_orders(str(paths[0]), con=con).revenue.sum()) == total
    sim.orders.iloc[:1000].to_csv(tmp_path / "a.csv", index=False)
    sim.orders.iloc[1000:].to_csv(tmp_path / "b.csv", index=False)
    r = read_orders(str(tmp_path / "*.csv"), con=con)
    assert str(r.schema()["cost"]) == "decimal(18, 4)" and con.execute(r.revenue.sum()) == total
    assert {p: p.read_bytes() for p in paths} == before
    with pytest.raises(InputError, match="does not exist"):
        read_orders(str(tmp_path / "nope.parquet"), con=con)
    with pytest.raises(FileExistsError):
        write_example_orders(tmp_path / "ex", sim)


def test_companion_tables(con, sim):
    w = con.execute(read_wallet(sim.wallet, con=con))
    assert len(w) == len(sim.wallet) and (sim.wallet.share.between(0, 1)).all()
    e = con.execute(read_events(sim.events, con=con))
    assert set(e.kind) <= {"referral", "complaint_opened", "complaint_resolved", "review"}
    with pytest.raises(InputError, match="is not one of"):
        read_events(sim.events.assign(kind="praise"), con=con)


def test_generator_deterministic_and_truth_consistent(sim):
    again = simulate_orders(n_customers=80, years=4, seed=11)
    pd.testing.assert_frame_equal(sim.orders, again.orders)
    pd.testing.assert_frame_equal(sim.truth, again.truth)
    assert sim.orders.attrs["synthetic"] and sim.truth.attrs["synthetic"]
    t, o = sim.truth, sim.orders
    d = pd.to_datetime(o.order_date.astype(str))
    for r in t.itertuples():
        mine = d[o.customer_id == r.customer_id]
        if r.kind == "lapse" and pd.isna(r.end):      # churned: nothing after the lapse
            assert (mine < r.start).all()
        if r.kind == "lapse" and pd.notna(r.end):     # dormant, then a second lifetime
            assert not ((mine >= r.start) & (mine < r.end)).any() and (mine >= r.end).any()
    # declines shrink volume: last year after the change against the year before it
    dec = t[t.kind == "decline"].iloc[0]
    mine = o[o.customer_id == dec.customer_id]
    dd = pd.to_datetime(mine.order_date.astype(str))
    before = mine.quantity[(dd < dec.start) & (dd >= dec.start - pd.Timedelta(days=365))].sum()
    after = mine.quantity[(dd >= dec.start) & (dd < dec.start + pd.Timedelta(days=365))].sum()
    assert after < before * 0.8


def test_bundled_example_is_the_default_simulation():
    ex = load_example_orders()
    assert ex.orders.attrs["synthetic"]
    pd.testing.assert_frame_equal(ex.orders, simulate_orders().orders)


HEADER = "customer_id,order_date,quantity,currency,revenue,cost\n"


def test_csv_bad_cells_listed_with_their_lines(con, tmp_path):
    rows = ["C0,2024-01-05,3,EUR,10.50,7"] * 3 + ["C1,2024-13-05,3,EUR,10.50,7", "C2,2024-02-01,x,EUR,abc,7",
                                                  "C3,2024-02-31,2,EUR,1.23,1", "C4,5/3/2024,2,EUR,1.23,1", "C5,2024-02-30,1,EUR,1,1"]
    p = tmp_path / "orders.csv"
    p.write_text(HEADER + "\n".join(rows) + "\n")
    before = p.read_bytes()
    with pytest.raises(InputError) as e:
        read_orders(p, con=con)
    msg = str(e.value)
    assert msg.startswith("orders.csv:")
    for line, col, val in [(5, "order_date", "2024-13-05"), (6, "quantity", "x"), (6, "revenue", "abc"), (7, "order_date", "2024-02-31")]:
        assert f"line {line}, column '{col}': '{val}'" in msg, msg
    assert "4 lines break this rule in all (3 shown)" in msg        # four bad dates, three shown
    assert p.read_bytes() == before


def test_csv_mapped_columns_and_minor_units(con, tmp_path):
    p = tmp_path / "cents.csv"
    p.write_text("cust,day,quantity,currency,revenue,cost\n00123,2024-01-05,3,EUR,1050,700\n00124,2024-01-06,1,JPY,500,400\n")
    got = con.execute(read_orders(p, columns={"cust": "customer_id", "day": "order_date"}, minor_units=True, con=con)
                      .order_by("order_date"))
    assert got.customer_id.tolist() == ["00123", "00124"]               # text, leading zeros kept
    assert got.revenue.tolist() == [Decimal("10.5000"), Decimal("500.0000")]   # cents for EUR, whole yen
    q = tmp_path / "bad_cents.csv"
    q.write_text(HEADER + "A,2024-01-05,3,EUR,10.50,7\n")
    with pytest.raises(InputError, match=r"customer .A. on 2024-01-05, column .revenue.: 10.5000 must be a whole number \(minor units\)"):
        read_orders(q, minor_units=True, con=con)


def test_csv_events_and_wallet_bad_dates(con, tmp_path):
    e = tmp_path / "events.csv"
    e.write_text("customer_id,date,kind,complaint_id,value\nA,2024-01-05,referral,,1\nA,yesterday,complaint_opened,K1,\n")
    with pytest.raises(InputError, match=r"line 3, column 'date': 'yesterday' must be a date"):
        read_events(e, con=con)
    w = tmp_path / "wallet.csv"
    w.write_text("customer_id,period_start,wallet\nA,2024-01-01,1000.00\nA,2024-04-01,lots\n")
    with pytest.raises(InputError, match=r"line 3, column 'wallet': 'lots' must be a decimal number"):
        read_wallet(w, con=con)

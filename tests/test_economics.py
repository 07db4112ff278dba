"""Tests of winback_research.economics against hand-computed values (worked example in nbs/09_economics.ipynb)."""
import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from winback_research.economics import (WinbackEconomics, appraise_winback, break_even, rank_by_expected_value,
                                        sensitivity, to_money)


def hand():
    # R = 1,000,000, m = 25%, c = 5%, I = 50,000/yr, T = 2, r = 10%, one referral of 20,000, p = 0.5, K = 100,000
    return WinbackEconomics("EUR", 1_000_000, 0.25, idle_capacity_cost=50_000, process_change_cost=40_000,
                            it_admin_cost=30_000, special_design_cost=20_000, management_time_cost=10_000,
                            price_concession=0.05, recapture_probability=0.5, relationship_years=2,
                            expected_referrals=1, referral_value=20_000, discount_rate=0.10, name="hand")


def test_hand_example_totals():
    # a(2, 10%) = 210/121; PV = 250,000 * 210/121 + 20,000 = 54,920,000/121 = 453,884.2975...
    # ENPV = 0.5 * PV - 100,000 = 126,942.1488 -> 126,942.15
    ap = appraise_winback(hand())
    assert ap.enpv == Decimal("126942.15")
    assert ap.pv_if_recaptured == Decimal("453884.30")
    assert ap.effort_cost == Decimal("100000.00")
    assert ap.breakdown.expected.tolist()[:3] == [Decimal("173553.72"), Decimal("43388.43"), Decimal("10000.00")]
    assert sum(ap.breakdown.expected) == ap.enpv
    assert ap.annuity_factor == pytest.approx(210 / 121, rel=1e-15)
    assert "EUR 126,942.15" in ap.summary()


def test_hand_example_break_evens():
    # p* = K / PV = 605/2746; c* = m - ((K/p - NV)/a - I)/R = 1/4 - 47/875 = 687/3500
    ap = appraise_winback(hand())
    assert ap.break_even_probability == pytest.approx(float(Fraction(605, 2746)), rel=1e-12)
    assert ap.break_even_concession == pytest.approx(float(Fraction(687, 3500)), rel=1e-12)
    assert break_even(hand(), "price_concession", 0, 0.99) == pytest.approx(687 / 3500, rel=1e-10)
    assert break_even(hand(), "recapture_probability", 0, 1) == pytest.approx(605 / 2746, rel=1e-10)
    # T*: a(T*) = 180,000/250,000 = 0.72 -> T* = -ln(1 - 0.072)/ln(1.1)
    assert break_even(hand(), "relationship_years", 0.01, 30) == pytest.approx(-math.log(0.928) / math.log(1.1), rel=1e-9)
    with pytest.raises(ValueError, match="no break-even"):
        break_even(hand(), "discount_rate", 0, 0.5)


def test_zero_discount_rate_and_zero_probability():
    assert appraise_winback(replace(hand(), discount_rate=0)).pv_if_recaptured == Decimal("520000.00")
    ap0 = appraise_winback(replace(hand(), recapture_probability=0))
    assert ap0.enpv == Decimal("-100000.00") and ap0.break_even_concession is None


def test_money_rounding_half_even_and_minor_units():
    assert to_money("0.125", "EUR") == Decimal("0.12")
    assert to_money("0.375", "EUR") == Decimal("0.38")
    assert to_money("2.5", "JPY") == Decimal("2")
    assert to_money("0.0005", "BHD") == Decimal("0.000")
    jp = appraise_winback(replace(hand(), currency="JPY"))
    assert jp.enpv == Decimal("126942") and jp.enpv.as_tuple().exponent == 0


def test_validation_lists_all_problems():
    with pytest.raises(ValueError) as e:
        WinbackEconomics("eur", -1, 1.5, recapture_probability=2, discount_rate=-1.5, price_concession=1)
    msg = str(e.value)
    assert "6 problem(s)" in msg
    for part in ["currency", "past_annual_revenue", "past_margin_rate", "recapture_probability", "discount_rate", "price_concession"]:
        assert part in msg


def test_sensitivity_linear_in_probability():
    s = sensitivity(hand(), {"recapture_probability": (0.3, 0.7), "referral_value": (0, 40_000)})
    t = s.to_frame().set_index("input")
    # p * 453,884.2975 - 100,000 at p = 0.3 and 0.7
    assert t.loc["recapture_probability", "enpv_low"] == Decimal("36165.29")
    assert t.loc["recapture_probability", "enpv_high"] == Decimal("217719.01")
    assert s.table.input.tolist() == ["recapture_probability", "referral_value"]
    with pytest.raises(ValueError, match="2 problem"):
        sensitivity(hand(), {"recapture_probability": (0.3, 1.4), "nonsense": (0, 1)})


def test_tornado_plot(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    ax = sensitivity(hand()).plot()
    assert len(ax.patches) == 2 * 14


def test_rank_by_expected_value():
    frame = pd.DataFrame({"name": ["a", "b"], "currency": "EUR", "past_annual_revenue": [200_000, 3_000_000],
                          "past_margin_rate": [0.3, 0.2], "process_change_cost": [10_000, 250_000],
                          "recapture_probability": [0.9, 0.1], "relationship_years": [4, 5], "discount_rate": 0.1})
    r = rank_by_expected_value(frame)
    # a: 0.9 * 200,000 * 0.3 * a(4, 10%) - 10,000 with a(4, 10%) = (1 - 1.1**-4)/0.1
    a4 = (1 - Decimal("1.1") ** -4) / Decimal("0.1")
    assert r.name.tolist() == ["a", "b"] and r["rank"].tolist() == [1, 2]
    assert r.enpv[0] == to_money(Decimal("0.9") * 60_000 * a4 - 10_000, "EUR")
    with pytest.raises(ValueError, match="different currencies"):
        rank_by_expected_value([hand(), replace(hand(), currency="USD")])
    with pytest.raises(ValueError, match="2 row"):
        rank_by_expected_value(frame.assign(recapture_probability=[1.5, -0.2]))

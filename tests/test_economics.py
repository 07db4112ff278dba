"""Tests of the installed winback_research.economics API (the hand-computed worked example is checked in nbs/09_economics.ipynb)."""
from dataclasses import replace
from decimal import Decimal

import pytest

from winback_research.core import InputError, Result, Summary
from winback_research.economics import WinbackEconomics, appraise_winback, sensitivity, to_money


def hand():
    # R = 1,000,000, m = 25%, c = 5%, I = 50,000/yr, T = 2, r = 10%, one referral of 20,000, p = 0.5, K = 100,000
    return WinbackEconomics("EUR", 1_000_000, 0.25, idle_capacity_cost=50_000, process_change_cost=40_000,
                            it_admin_cost=30_000, special_design_cost=20_000, management_time_cost=10_000,
                            price_concession=0.05, recapture_probability=0.5, relationship_years=2,
                            expected_referrals=1, referral_value=20_000, discount_rate=0.10, name="hand")


def test_money_rounding_half_even_and_minor_units():
    assert to_money("0.375", "EUR") == Decimal("0.38")
    assert to_money("0.0005", "BHD") == Decimal("0.000")
    jp = appraise_winback(replace(hand(), currency="JPY"))
    assert jp.enpv == Decimal("126942") and jp.enpv.as_tuple().exponent == 0


def test_validation_lists_all_problems():
    with pytest.raises(InputError) as e:
        WinbackEconomics("eur", -1, 1.5, recapture_probability=2, discount_rate=-1.5, price_concession=1)
    assert isinstance(e.value, ValueError) and str(e.value).startswith("WinbackEconomics('customer'): 6 problems\n")
    assert [p.column for p in e.value.problems] == ["currency", "past_annual_revenue", "past_margin_rate", "recapture_probability",
                                                    "price_concession", "discount_rate"]


def test_results_are_results_and_escape_the_customer_name():
    evil = replace(hand(), name="<img src=x onerror=alert(1)>")
    for r in (appraise_winback(evil), sensitivity(evil, {"recapture_probability": (0.3, 0.7)})):
        assert isinstance(r, Result) and isinstance(r.summary(), Summary)
        h = r._repr_html_()
        assert "<img" not in h and "&lt;img src=x onerror=alert(1)&gt;" in h
        assert "<img src=x onerror=alert(1)>" in repr(r)           # the text rendering shows the name as typed

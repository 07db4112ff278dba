"""Open research toolkit for B2B customer win-back: a case codebook, validated case files, small-N analyses (exact tests, Firth logistic regression, QCA, survival) and client-ready reports.

Modules:

- `winback_research.signals`: Per customer and period: volume, frequency, order size, margin, cost-to-serve and referrals; each customer judged against its own past with z-scores and a one-sided CUSUM; alerts scored against planted truth."""

__version__ = "0.1.0"

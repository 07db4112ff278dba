"""Report speed: building the study26 report (en, zh) and the BrexTech assessment, against a baseline
measured in the same run: the same analyses computed without rendering anything. The ratio is what
rendering (figures as SVG, HTML) costs on top of the statistics. Goal: a few seconds, not minutes.
Run: python bench/bench_report.py
"""

from timing import best_of
import warnings

warnings.simplefilter("ignore")

from winback_research.assess import open_case
from winback_research.conditions import qca_data
from winback_research.crosscase import factor_table
from winback_research.datasets import load_example, with_terms
from winback_research.models import firth_logit
from winback_research.qca import truth_table
from winback_research.qca_minimize import minimize
from winback_research.report import REPORT_CONDITIONS, REPORT_FACTORS, REPORT_MODEL, build_report
from winback_research.client import build_assessment_report
from winback_research.survival import kaplan_meier, time_to_recapture

study = load_example("study26")
brex = open_case(load_example("brextech_rilf"), as_of=2012)


def analyses_only():
    factor_table(study, "recaptured", REPORT_FACTORS)
    firth_logit(with_terms(study), REPORT_MODEL)
    qd = qca_data(study, REPORT_CONDITIONS)
    minimize(truth_table(qd, "WON", list(REPORT_CONDITIONS), incl_cut=0.8), include="?")
    d = time_to_recapture(study).data
    d["rca_done"] = d["rca_done"].astype("string").fillna("(missing)")
    kaplan_meier(d, "duration", "event", group="rca_done")




if __name__ == "__main__":
    base = best_of(analyses_only)
    rows = [("analyses only (baseline)", base),
            ("study report, English", best_of(lambda: build_report(study))),
            ("study report, Chinese", best_of(lambda: build_report(study, lang="zh"))),
            ("BrexTech assessment report", best_of(lambda: build_assessment_report(brex, study)))]
    for name, t in rows:
        print(f"  {name:30s} {t:6.2f} s   x{t / base:4.1f} of baseline")

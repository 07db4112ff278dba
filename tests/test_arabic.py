"""Arabic: reports laid out right to left with every Latin name and number isolated left to right, no English a reader
would have to read, Arabic figure labels shaped by matplotlib, templates and the codebook in Arabic that read back."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from winback_research.client import latin_words
from winback_research.codebook import CODEBOOK, DERIVED, data_dictionary, write_template
from winback_research.cases import read_cases
from winback_research.core import labels
from winback_research.exitrecord import EXIT_FIELDS, exit_template
from winback_research.report import _versions, chromium_run, find_chromium, figure_style

WINBACK = str(Path(sys.executable).with_name("winback"))
WORD = r"[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9]|[A-Za-z]"
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="headless Chromium is not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The README's main job: it writes the study report and the BrexTech assessment in every language."""
    out = tmp_path_factory.mktemp("example")
    r = subprocess.run([WINBACK, "demo", "-o", str(out), "--force"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


def _outside_isolates(page):
    """The page's visible text with everything inside <bdi> removed."""
    t = re.sub(r"<(style|script|svg|head)\b.*?</\1>", " ", page, flags=re.S)
    t = re.sub(r"<bdi\b[^>]*>.*?</bdi>", " ", t, flags=re.S)
    return re.sub(r"<[^>]+>", " ", t)


@pytest.mark.parametrize("name", ["report_ar.html", "brextech_assessment_ar.html"])
def test_arabic_report_is_right_to_left_and_isolates_every_latin_run(demo, name):
    page = (demo / name).read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    rest = _outside_isolates(page)
    # before: a break-up range '2009–2014' sat bare in Arabic text and read backwards
    assert re.findall(r"[A-Za-z0-9]+", re.sub(r"&(?:[A-Za-z]+|#\d+);", " ", rest)) == []
    assert len(re.findall(r"[\u0600-\u06ff]", rest)) > 2000          # the page is in Arabic
    assert not re.search(r"[\u0660-\u0669]", page)                    # Western digits only


def test_arabic_study_report_has_no_english_words(demo):
    page = (demo / "report_ar.html").read_text(encoding="utf-8")
    study = pd.read_csv(demo / "study26.csv", dtype=str)
    data = {w for c in ("case_id", "customer", "supplier", "customer_industry", "supplier_industry") if c in study
            for v in study[c].dropna() for w in re.findall(WORD, v)}
    symbols = {"RCA", "TOP", "FIT", "TIES", "STRUCT", "WON"} | {f"M{i}" for i in range(1, 20)}   # QCA's symbols, defined in its table
    assert latin_words(page, data | symbols | set(_versions()) | {"study26.csv"}) == []


def test_arabic_assessment_has_no_english_words(demo):
    page = (demo / "brextech_assessment_ar.html").read_text(encoding="utf-8")
    note = next(line for line in (demo / "brextech_assumptions.yaml").read_text().splitlines() if line.startswith("note:"))   # the consultant's own words
    case = pd.read_csv(demo / "brextech_2012_illustrative.csv", dtype=str)
    study = pd.read_csv(demo / "study26.csv", dtype=str)
    data = {w for t in [note[5:], *case.customer, *case.case_id, *study.case_id] for w in re.findall(WORD, t)}
    assert latin_words(page, data | set(_versions()) | {"study26.csv", "brextech_assumptions.yaml"}) == []


@needs_chromium
@pytest.mark.parametrize("name", ["report", "brextech_assessment"])
def test_arabic_report_renders_right_to_left_in_chromium(demo, name, tmp_path):
    """Screenshots of the English and the Arabic page: the title's ink sits at the left in one and at the right in the other."""
    from PIL import Image
    centre = {}
    for lang, f in (("en", f"{name}.html"), ("ar", f"{name}_ar.html")):
        shot = tmp_path / f"{name}_{lang}.png"
        chromium_run(demo / f, [f"--screenshot={shot}", "--window-size=1000,1400", "--hide-scrollbars"])
        px = np.asarray(Image.open(shot).convert("L"))
        band = px[10:70]                                              # the title
        xs = np.nonzero(band < 128)[1]
        assert xs.size > 200, f"no title drawn in {shot.name}"
        centre[lang] = xs.mean() / px.shape[1]
    assert centre["en"] < 0.4 and centre["ar"] > 0.6, centre


@pytest.mark.parametrize("fallback", [False, True])
def test_matplotlib_joins_arabic_letters(fallback):
    """Four joined seens draw as one connected shape; unshaped (matplotlib before 3.11, or reshaped twice) as four.
    Both with the report's Arabic font and with the fallback, DejaVu Sans, alone."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import ndimage
    from winback_research.report import arabic_font
    if not fallback and arabic_font() is None: pytest.skip("no Arabic font installed (Debian: fonts-noto-core)")
    with figure_style("ar"), matplotlib.rc_context({"font.family": ["DejaVu Sans"]} if fallback else {}):
        assert matplotlib.rcParams["font.family"][0] == ("DejaVu Sans" if fallback else arabic_font())
        fig = plt.figure(figsize=(3, 1), dpi=100)
        fig.text(0.5, 0.5, "سسسس", fontsize=40, ha="center", va="center")
        fig.canvas.draw()
        ink = np.asarray(fig.canvas.buffer_rgba())[..., 0] < 128
        plt.close(fig)
    assert ndimage.label(ink)[1] == 1


def test_arabic_ranking_workbook_and_report(demo, tmp_path):
    """The consultant's ranking in Arabic: sheets right to left, Arabic headers, the report right to left."""
    from openpyxl import load_workbook
    from winback_research.assess import open_case
    from winback_research.cases import write_cases
    lost = open_case(read_cases(demo / "study26.csv").iloc[:4])
    write_cases(lost, tmp_path / "lost.csv")
    r = subprocess.run([WINBACK, "portfolio", str(tmp_path / "lost.csv"), "--against", str(demo / "study26.csv"),
                        "--assumptions", str(demo / "brextech_assumptions.yaml"), "-o", str(tmp_path / "rank.xlsx"),
                        "--report", str(tmp_path / "rank.html"), "--lang", "ar"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wb = load_workbook(tmp_path / "rank.xlsx")
    assert all(ws.sheet_view.rightToLeft for ws in wb.worksheets)
    head = " ".join(str(c.value) for c in wb.worksheets[0][1])
    assert set(re.findall(r"[A-Za-z]{2,}", head)) <= {"EUR"} and re.search(r"[\u0600-\u06ff]", head)
    page = (tmp_path / "rank.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page and re.search(r"[\u0600-\u06ff]", r.stderr)   # the terminal note in Arabic too


def test_every_label_has_its_arabic():
    ar = labels("ar")
    # the label file holds exactly the keys the code asks for: none missing, none dead
    from winback_research import assess, codebook as cb, report
    from winback_research.exitrecord import EXIT_BLOCKS
    vs_cb = list(CODEBOOK.values()) + [d.variable for d in DERIVED.values()]
    want = {k for v in vs_cb + list(EXIT_FIELDS.values()) for k in v._keys()}
    want |= {f"opt:{v.name}:{o.code}" for v in vs_cb for o in v.options}
    want |= {f"block:{b}" for b in [*cb.BLOCKS, "derived"]} | {f"type:{t}" for t in cb.TYPES} | {f"level:{lv}" for lv in set(cb._LEVEL.values())}
    want |= {f"source:{k}" for k in cb._SOURCES_ZH} | {f"reason_class:{k}" for k in cb.REASON_CLASSES} | {f"advice:{a.id}" for a in assess.ADVICE}
    want |= {f"exit_block:{b}" for b in EXIT_BLOCKS} | {f"term:{t}" for t in report._TERMS} | {f"separation:{k}" for k in [*report._SEPARATION, "terms"]}
    want |= {"exit_head", "exit_head2", "km_xlabel", "km_ylabel"}
    assert set(ar) == want, (sorted(want - set(ar)), sorted(set(ar) - want))
    vs = list(CODEBOOK.values()) + [d.variable for d in DERIVED.values()] + list(EXIT_FIELDS.values())
    for v in vs:
        assert re.search(r"[\u0600-\u06ff]", v.label("ar")), v.name
        assert re.search(r"[\u0600-\u06ff]", v.describe("ar")), v.name
        for o in v.options: assert re.search(r"[\u0600-\u06ff]", v.option_label(o.code, "ar")), (v.name, o.code)
    allowed = {"ISO", "ISIC", "NACE", "FASB", "ASC", "FIT", "yes", "no", "personal_ties"}
    assert {w for t in ar.values() for w in re.findall(WORD, re.sub(r"\{\w+\}", "", t))} - allowed == set()


def test_arabic_codebook_and_exit_template():
    page = data_dictionary("html", "ar")
    assert 'lang="ar" dir="rtl"' in page and "دليل" in page
    t = exit_template("ar")
    comments = " ".join(line.split("#", 1)[1] for line in t.splitlines() if "#" in line)
    assert set(re.findall(WORD, comments)) <= {"yes", "no"} | {o.code for v in EXIT_FIELDS.values() for o in v.options}


def test_arabic_template_reads_back(tmp_path):
    """A coder fills the Arabic XLSX template with the Arabic labels of its drop-downs; the case file reads back in codes."""
    from openpyxl import load_workbook
    path = write_template(tmp_path / "t.xlsx", lang="ar")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.sheet_view.rightToLeft
    head = {c.value: c.column for c in ws[1]}
    rec, rca, acc = (CODEBOOK[n] for n in ("recaptured", "rca_done", "accommodations"))
    row = {"case_id": "AR1", "supplier": "مورّد", "customer": "عميل", "dissolution_year": 2015,
           rec.label("ar"): rec.option_label("partial", "ar"), rca.label("ar"): "نعم",
           acc.label("ar"): "؛ ".join(acc.option_label(c, "ar") for c in acc.values[:2])}
    for k, v in row.items():
        col = head.get(k) or head[CODEBOOK[k].label("ar")]
        ws.cell(row=2, column=col, value=v)
    wb.save(tmp_path / "filled.xlsx")
    df = read_cases(tmp_path / "filled.xlsx")
    assert df.loc[0, "recaptured"] == "partial" and bool(df.loc[0, "rca_done"]) is True
    assert df.loc[0, "accommodations"] == ";".join(acc.values[:2])

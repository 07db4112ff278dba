"""The study report as a person sees it: parsed HTML, hostile input, headless-Chromium rendering."""
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from winback_research.cases import write_cases
from winback_research.datasets import load_example
from winback_research.report import build_report, chromium_run, find_chromium

WINBACK = str(Path(sys.executable).parent / "winback")
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium)")


class Page(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.tags, self.urls, self.ids, self.text = [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href", "xlink:href", "action") and v and not v.startswith("#")]
        if tag == "section": self.ids.append(a.get("id"))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    df = load_example("study26")
    df["supplier"] = df["supplier"].astype("string")
    df.loc[0, "supplier"] = "<script>alert(1)</script>"
    df.loc[1, "supplier"] = '=HYPERLINK("http://evil.example","click")'
    df.loc[2, "supplier"] = "Price $5 & $6 Ltd"
    df.loc[3, "supplier"] = "شركة الأمل للإلكترونيات"
    df["customer_industry"] = df["customer_industry"].astype("string")
    df.loc[0, "customer_industry"] = "<img src=x onerror=alert(1)>"
    write_cases(df, d / "hostile.csv")
    return d / "hostile.csv"


def test_report_sections_and_self_contained():
    rep = build_report(load_example("study26"))
    p = Page(rep.html)
    assert p.ids == ["data", "quality", "factors", "firth", "qca", "survival", "methods"]
    assert p.urls == [] and "script" not in p.tags and "link" not in p.tags
    assert "http://" not in rep.html.replace("http://www.w3.org/", "") and "https://" not in rep.html
    assert all("error" not in s.facts for s in rep.sections)


def test_numbers_in_text_come_from_analysis():
    rep = build_report(load_example("study26"))
    surv = rep.section("survival").facts
    assert f"χ² = {surv['chisq']:.2f}" in rep.html
    assert f"{rep.section('data').facts['cases']}</b> cases" in rep.html


def test_hostile_names_are_escaped_and_exports_protected(hostile_file, tmp_path):
    out = tmp_path / "r.html"
    r = subprocess.run([WINBACK, "report", str(hostile_file), "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    p = Page(html)
    assert "script" not in p.tags and "img" not in p.tags and p.urls == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # the exported CSV keeps formulas inert
    csv = hostile_file.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv and "\n2,=HYPERLINK" not in csv


def test_chinese_report_and_pdf_message(tmp_path, monkeypatch):
    rep = build_report(load_example("study26"), lang="zh")
    assert "客户赢回研究报告" in rep.html and 'lang="zh-Hans"' in rep.html
    monkeypatch.setenv("PATH", "")
    r = subprocess.run([WINBACK, "report", "study26", "-o", str(tmp_path / "r.html"), "--pdf"], capture_output=True, text=True,
                       env={"PATH": ""})
    assert r.returncode == 1 and "Chromium is not installed" in r.stderr
    assert (tmp_path / "r.html").exists()


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_renders_in_headless_chromium(lang, tmp_path):
    rep = build_report(load_example("study26"), lang=lang)
    html = rep.write(tmp_path / f"r_{lang}.html")
    shot = tmp_path / f"r_{lang}.png"
    chromium_run(html, [f"--screenshot={shot}", "--window-size=412,2000"])   # a phone-sized window
    assert shot.exists() and shot.stat().st_size > 20_000
    # the DOM Chromium built has every section
    dom = chromium_run(html, ["--dump-dom"]).stdout
    assert all(f'id="{s}"' in dom for s in ("data", "factors", "qca", "survival", "methods"))


@needs_chromium
def test_pdf(tmp_path):
    r = subprocess.run([WINBACK, "report", "study26", "-o", str(tmp_path / "r.html"), "--pdf"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def test_hostile_customer_name_reaches_the_assessment_report_escaped(tmp_path):
    # The study report never shows supplier names, so the test above could not fail on them; the assessment report
    # puts the customer's name in its headings, tables and cards.
    from winback_research.assess import open_case
    lost = open_case(load_example("study26").iloc[:2])
    lost["customer"] = pd.array(["<script>alert(1)</script>", "A & B <b>bold</b>"], dtype="string")
    write_cases(lost, tmp_path / "lost.csv")
    out = tmp_path / "a.html"
    r = subprocess.run([WINBACK, "assess", str(tmp_path / "lost.csv"), "--all", "--against", "study26", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    p = Page(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "script" not in p.tags
    assert "A &amp; B &lt;b&gt;bold&lt;/b&gt;" in html

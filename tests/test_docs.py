"""The documentation site (`make docs`, docs/build.py): built from the notebooks, rendered in headless Chromium.

Three pages (the landing page, a tutorial, an API page) are opened at desktop (1280 px) and phone (390 px)
width; a copy of each page with a small script measures in the browser whether the navigation, a figure and
a table are visible and whether the page itself scrolls sideways (wide tables must scroll in their own box).
Screenshots go to _docs/_screenshots/ (not in git).
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from winback_research.report import chromium_run, find_chromium

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "_docs"
SHOTS = DOCS / "_screenshots"
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
needs_source = pytest.mark.skipif(not (ROOT / "docs" / "build.py").exists() or not (ROOT / "nbs").exists(),
                                  reason="the documentation is built from a source checkout (docs/, nbs/), not from the installed package")

PAGES = {"landing": "index.html", "tutorial": "tutorials/brextech_2012.html", "api": "api/crosscase.html"}
WIDTHS = {"desktop": 1280, "phone": 390}

# Measured in the page after it loaded; the result is written into <body data-check="..."> for --dump-dom.
PROBE = """<script>
window.addEventListener('load', () => {
  const vis = el => { if (!el) return false; const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth; };
  const all = sel => [...document.querySelectorAll(sel)];
  document.body.setAttribute('data-check', JSON.stringify({
    sidebar: vis(document.querySelector('.sidebar-drawer .sidebar-tree')),
    nav_button: vis(document.querySelector('.mobile-header label[for="__navigation"]')),
    nav_links: document.querySelectorAll('.sidebar-tree a.reference').length,
    figure: all('article .cell_output img').some(vis),
    figure_loaded: all('article .cell_output img').every(i => i.complete && i.naturalWidth > 0),
    table: all('article table').some(vis),
    search: !!document.querySelector('form.sidebar-search-container, .sidebar-search'),
    page_width: document.documentElement.scrollWidth, viewport: innerWidth,
  }));
});
</script>"""


def _stale():
    "The site is missing or older than a notebook, the README or the docs build."
    index = DOCS / "index.html"
    if not index.exists(): return True
    srcs = [*ROOT.glob("nbs/**/*.ipynb"), ROOT / "README.md", *ROOT.glob("docs/**/*.py"), *ROOT.glob("docs/_static/*")]
    return max(p.stat().st_mtime for p in srcs) > index.stat().st_mtime


@pytest.fixture(scope="module")
def site():
    if _stale():
        r = subprocess.run([sys.executable, str(ROOT / "docs" / "build.py")], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "MPLBACKEND": "Agg"}, timeout=900)
        assert r.returncode == 0, f"docs build failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
    SHOTS.mkdir(exist_ok=True)
    return DOCS


def _measure(page, width):
    "Open a probed copy of `page` (same folder, so its relative links work) and return what the probe measured."
    copy = page.with_name(f"_probe_{uuid.uuid4().hex}.html")
    copy.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    try:
        r = chromium_run(copy, ["--dump-dom", f"--window-size={width},900", "--virtual-time-budget=5000"])
    finally:
        copy.unlink()
    from lxml import html
    body = html.fromstring(r.stdout).find("body")
    assert body is not None and body.get("data-check"), f"the probe did not run:\n{r.stderr[-2000:]}"
    return json.loads(body.get("data-check"))


@needs_source
def test_site_has_the_generated_pages(site):
    for p in ["index.html", "search.html", "reference/codebook.html", "reference/cli.html", "reference/methods.html",
              *[f"get-started/{g}.html" for g in ("researcher", "consultant", "student")]]:
        assert (site / p).exists(), p
    # every notebook has a page (named by its output file)
    assert len(list(site.glob("api/*.html"))) == len(list(ROOT.glob("nbs/[!_.]*.ipynb")))
    assert len(list(site.glob("tutorials/*.html"))) == len(list(ROOT.glob("nbs/tutorials/[!_.]*.ipynb")))


@needs_source
def test_link_check_finds_missing_files_and_anchors(tmp_path):
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        from build import check_links
    finally:
        sys.path.remove(str(ROOT / "docs"))
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/b.html#x">ok</a><a href="a/b.html#nope">bad</a><img src="gone.png">'
                                         '<a href="https://example.org/x">outside</a><a href="#top" id="top">self</a>')
    (tmp_path / "a" / "b.html").write_text('<h1 id="x">B</h1><a href="../index.html">up</a><a href="c.html">missing</a><p id="x"></p>')
    bad, n = check_links(tmp_path)
    assert n == 2 and sorted(bad) == ["a/b.html: c.html (no such file)", "a/b.html: ids used twice: x", "index.html: a/b.html#nope (no id 'nope')",
                                      "index.html: gone.png (no such file)"]


@needs_source
def test_codebook_page_lists_every_variable_in_every_language(site):
    from winback_research.codebook import VARIABLES
    from winback_research.core import LANGS
    from lxml import html
    page = (site / "reference" / "codebook.html").read_text()
    text = html.fromstring(page).text_content()
    assert "ar" in LANGS
    for v in VARIABLES:
        assert f'id="{v.name.replace("_", "-")}"' in page, v.name          # a section per variable
        for lg in LANGS:                                                  # descriptions as rendered: code spans lose their backticks
            assert v.label(lg) in text and v.describe(lg).replace("`", "") in text, (v.name, lg)


@needs_source
def test_cli_page_has_every_subcommand(site):
    import argparse
    from winback_research.cli import build_parser
    text = (site / "reference" / "cli.html").read_text()
    subs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in subs.choices: assert f"winback {name}" in text, name


@needs_source
def test_tutorial_names_link_to_their_api_entry(site):
    from lxml import html
    doc = html.parse(str(site / "tutorials" / "replicating_study26.html")).getroot()
    links = {(a.text_content(), a.get("href")) for a in doc.iter("a")}
    assert {("factor_table", "../api/crosscase.html#api-crosscase-factor-table"),
            ("crosscase.factor_table", "../api/crosscase.html#api-crosscase-factor-table")} & links
    api = html.parse(str(site / "api" / "crosscase.html")).getroot()
    assert api.xpath('//*[@id="api-crosscase-factor-table"]')
    assert api.xpath('//*[@id="factor_table"]')          # nbdev's anchor, as in winback_research/_modidx.py


@needs_source
@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_renders_in_headless_chromium(site, name, width):
    page = site / PAGES[name]
    shot = SHOTS / f"{name}_{width}.png"
    shot.unlink(missing_ok=True)
    chromium_run(page, [f"--screenshot={shot}", f"--window-size={WIDTHS[width]},2400", "--hide-scrollbars"])
    assert shot.exists() and shot.stat().st_size > 10_000, shot
    m = _measure(page, WIDTHS[width])
    assert m["nav_links"] >= 10 and m["search"], m                   # the navigation tree and search are on every page
    assert (m["sidebar"] if width == "desktop" else m["nav_button"]), m   # phone: the menu button opens the drawer
    assert m["page_width"] <= m["viewport"] + 1, m                   # nothing makes the page itself scroll sideways
    if name in ("tutorial", "api", "landing"): assert m["table"], m
    if name == "tutorial": assert m["figure"] and m["figure_loaded"], m

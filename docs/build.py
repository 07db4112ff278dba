"""Build the documentation site offline: notebooks -> nbdev-proc-nbs -> MyST-NB sources -> Sphinx (Furo) -> _docs/.

Usage: python docs/build.py [--skip-proc] [--out _docs]
Every page is generated from the project itself (README.md, the notebooks, the codebook, the CLI parser,
the tests' reference values), so the site cannot drift from the code. Warnings are errors, and every
internal link of the result is checked.
"""
import argparse, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NBS = ROOT / "nbs"
PROC = ROOT / "_proc"
SRC = ROOT / "build" / "docs_src"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(DOCS))

import pages  # noqa: E402  (docs/pages.py: the generated reference pages)

# Which tutorials each group of users starts with; tutorials not listed appear for every group.
GROUPS = {
    "researcher": ("Researchers", "replicating or extending the study: code cases, check agreement, run small-N analyses and QCA, publish the data.",
                   ["replicating_study26", "qca_study26"]),
    "consultant": ("Consultants", "turning a client's list of lost customers into an assessment, a ranking and a report.",
                   ["brextech_2012"]),
    "student": ("Students", "exploring the bundled case data in notebooks.",
                ["replicating_study26", "brextech_2012", "qca_study26"]),
}


def run(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


EXCLUDE = None   # --exclude: a regular expression of notebook file names left out (a local preview only)


def notebooks():
    "Source notebooks that become pages (nbdev's rule: names starting with _ or . are skipped)."
    ok = lambda p: (not any(part.startswith(("_", ".")) for part in p.relative_to(NBS).parts)
                    and not (EXCLUDE and re.search(EXCLUDE, p.name)))
    mods = sorted(p for p in NBS.glob("*.ipynb") if ok(p))
    tuts = sorted(p for p in (NBS / "tutorials").glob("*.ipynb") if ok(p))
    return mods, tuts


def front_matter(nb):
    "The YAML front matter nbdev-proc-nbs puts in the first raw cell, as a dict (title, description, output-file)."
    import yaml
    for c in nb["cells"]:
        if c["cell_type"] == "raw":
            s = "".join(c["source"]).strip()
            if s.startswith("---"): return yaml.safe_load(s.strip("-\n")) or {}
    return {}


def directives(src):
    "Quarto-style `#| key: value` lines at the top of a cell, and the rest of the source."
    lines, opts = src.splitlines(), {}
    while lines and lines[0].startswith("#|"):
        k, _, v = lines.pop(0)[2:].partition(":")
        opts[k.strip()] = v.strip()
    return opts, "\n".join(lines)


SHOW_DOC = re.compile(r"^\s*show_doc\(")
HEAD = re.compile(r"^(#{2,4}) +(\S.*?)\s*$", re.M)


def new_label(labels, stem, name):
    "A unique target for the API entry `name` on page `stem` (targets are case-insensitive: `Agreement` vs `agreement`)."
    base = lab = f"api-{stem}-{name}".lower()
    i = 1
    while lab in labels: i += 1; lab = f"{base}-{i}"
    labels[lab] = (stem, name)
    labels.setdefault((stem, name), lab)
    return lab


def api_cells(nb, stem, labels):
    "Turn show_doc cells into Markdown cells with a target per symbol; return the new cell list."
    out = []
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            opts, src = directives("".join(c["source"]))
            md = [o for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
            if SHOW_DOC.match(src) and md:
                text = "".join(md[0]["data"]["text/markdown"]).strip()
                text = re.sub(r"^-{3,}\s*\n", "", text)          # leading rule: never front matter
                m = HEAD.search(text)
                if m:
                    lab = new_label(labels, stem, m.group(2))
                    text = text[:m.start()] + f"({lab})=\n" + text[m.start():]
                out.append({"cell_type": "markdown", "metadata": {}, "source": text + "\n"})
                continue
        out.append(c)
    return out


def modidx_names(labels):
    "Backticked name -> label, from winback_research/_modidx.py (symbol -> page#anchor), kept only when the page has that entry."
    ns = {}
    exec((ROOT / "winback_research" / "_modidx.py").read_text(), ns)
    cand = {}
    for mod, syms in ns["d"]["syms"].items():
        for full, (url, _) in syms.items():
            qual = full[len(mod) + 1:]
            if any(p.startswith("_") for p in qual.split(".")): continue
            page = url.split("#")[0].removesuffix(".html")
            lab = labels.get((page, qual))
            if lab is None: continue
            for key in {qual, qual.split(".")[-1], full, f"{mod.split('.')[-1]}.{qual}"}:
                cand.setdefault(key, set()).add(lab)
    names = {k: v.pop() for k, v in cand.items() if len(v) == 1}
    for mod, syms in ns["d"]["syms"].items():                # a module's name links to its page, unless a symbol has that name
        pages_ = {url.split("#")[0].removesuffix(".html") for url, _ in syms.values()}
        if len(pages_) == 1 and f"api-{next(iter(pages_))}" in labels:
            for key in (mod, mod.split(".")[-1]): names.setdefault(key, f"api-{next(iter(pages_))}")
    return names


FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.M | re.S)
TICK = re.compile(r"(?<![\[`\w])`([A-Za-z_][\w.]*?)(\(\))?`(?![`\]])")


def link_names(text, names, own=()):
    "Make `name` in Markdown prose a link to its API entry (not inside code fences, not already a link)."
    def sub(part):
        def rep(m):
            lab = names.get(m.group(1))
            if lab is None or lab in own: return m.group(0)
            return f"[{m.group(0)}]({lab})"
        return TICK.sub(rep, part)
    pieces, last = [], 0
    for m in FENCE.finditer(text):
        pieces += [sub(text[last:m.start()]), m.group(0)]
        last = m.end()
    return "".join(pieces + [sub(text[last:])])


def clean_cells(cells, names, own):
    "Quarto cell options -> MyST-NB tags; link names in Markdown; drop raw cells."
    out = []
    for c in cells:
        if c["cell_type"] == "raw": continue
        if c["cell_type"] == "markdown":
            s = "".join(c["source"])
            if s.strip().startswith("<!-- WARNING"): continue
            out.append({"cell_type": "markdown", "metadata": {}, "source": link_names(s, names, own)})
            continue
        opts, src = directives("".join(c["source"]))
        tags = []
        if opts.get("include") == "false": continue
        if opts.get("echo") == "false": tags.append("remove-input")
        if opts.get("output") == "false": tags.append("remove-output")
        c = dict(c, source=src, metadata={"tags": tags} if tags else {})
        c["execution_count"] = None
        for o in c.get("outputs", []):
            if "execution_count" in o: o["execution_count"] = None
        out.append(c)
    return out


def convert(paths, folder, labels, names=None):
    "Processed notebooks -> MyST-NB notebooks in SRC/folder (without `names`: only collect the API labels)."
    pages_ = []
    for p in paths:
        proc = PROC / p.relative_to(NBS)
        if not proc.exists(): raise SystemExit(f"{proc.relative_to(ROOT)} is missing: nbdev-proc-nbs did not process {p.relative_to(ROOT)}")
        nb = json.loads(proc.read_text())
        fm = front_matter(nb)
        stem = Path(fm.get("output-file") or p.stem).stem
        if folder == "api": labels[f"api-{stem}"] = (stem, None)      # the page's own target, on its title
        cells = api_cells(nb, stem, labels)
        if names is None: continue
        own = {lab for lab, v in labels.items() if isinstance(lab, str) and v[0] == stem}
        title = fm.get("title") or p.stem
        head = f"(api-{stem})=\n# {title}\n" if folder == "api" else f"# {title}\n"
        if fm.get("description"): head += f"\n{fm['description']}\n"
        head += f"\n*Source: `{p.relative_to(ROOT)}`*\n"
        cells = [{"cell_type": "markdown", "metadata": {}, "source": link_names(head, names, own)}] + clean_cells(cells, names, own)
        nb["cells"] = cells
        nb["metadata"] = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                          "language_info": {"name": "python"}}
        nb.setdefault("nbformat", 4); nb["nbformat_minor"] = max(nb.get("nbformat_minor", 5), 5)
        for i, c in enumerate(nb["cells"]): c["id"] = f"c{i}"
        (SRC / folder).mkdir(parents=True, exist_ok=True)
        (SRC / folder / f"{stem}.ipynb").write_text(json.dumps(nb, ensure_ascii=False, indent=1))
        pages_.append((stem, title, p))
    return pages_


def generate():
    mods, tuts = notebooks()
    if SRC.exists(): shutil.rmtree(SRC)
    SRC.mkdir(parents=True)
    labels = {}
    convert(mods, "api", labels); convert(tuts, "tutorials", labels)
    names = modidx_names(labels)
    again = {}                                  # the second pass makes the same labels again, page by page
    api = convert(mods, "api", again, names)
    tut = convert(tuts, "tutorials", again, names)
    assert again == labels
    pages.write_all(SRC, ROOT, api, tut, GROUPS, lambda t: link_names(t, names))
    return len(api) + len(tut)


def check_links(out):
    "Every href/src inside the site resolves to a file and, for #anchors, to an id; returns the broken ones."
    from lxml import html as lh
    from urllib.parse import urlsplit, unquote
    ids, bad = {}, []
    files = sorted(out.rglob("*.html"))
    def ids_of(f):
        if f not in ids: ids[f] = set(lh.parse(str(f)).getroot().xpath("//@id"))
        return ids[f]
    from collections import Counter
    for f in files:
        dup = [k for k, v in Counter(lh.parse(str(f)).getroot().xpath("//@id")).items() if v > 1]
        if dup: bad.append(f"{f.relative_to(out)}: ids used twice: {', '.join(dup[:5])}")
        if 'class="system-message' in f.read_text() or "Adding a table of contents in Furo" in f.read_text():
            bad.append(f"{f.relative_to(out)}: an error message is rendered in the page")
        for el in lh.parse(str(f)).getroot().xpath("//*[@href or @src]"):
            for attr in ("href", "src"):
                u = el.get(attr)
                if not u: continue
                s = urlsplit(u)
                if s.scheme or s.netloc or u.startswith(("data:", "mailto:", "javascript:")): continue
                target = f if not s.path else (f.parent / unquote(s.path)).resolve()
                if target.is_dir(): target = target / "index.html"
                if not target.exists(): bad.append(f"{f.relative_to(out)}: {u} (no such file)"); continue
                if s.fragment and target.suffix == ".html" and unquote(s.fragment) not in ids_of(target):
                    bad.append(f"{f.relative_to(out)}: {u} (no id {s.fragment!r})")
    return bad, len(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-proc", action="store_true", help="reuse _proc/ (nbdev-proc-nbs already ran)")
    ap.add_argument("--force", action="store_true", help="process every notebook again (ignore nbdev's cache in _proc/)")
    ap.add_argument("--out", default="_docs", help="output folder, relative to the repository")
    ap.add_argument("--exclude", help="regular expression of notebook names to leave out, for a local preview while one is broken "
                                      "(make docs and CI never use it)")
    a = ap.parse_args()
    global EXCLUDE
    EXCLUDE = a.exclude
    skip = "^[_.]" + (f"|{a.exclude}" if a.exclude else "")
    t0 = time.perf_counter()
    # nbdev-proc-nbs's processing (hide, export, show_doc) into _proc/, called as a function: the command
    # would also try to install Quarto and rewrite nbs/sidebar.yml, which a docs build must not do.
    if not a.skip_proc:
        try: run([sys.executable, "-c", f"from nbdev.serve import proc_nbs; proc_nbs(n_workers=0, force={a.force}, skip_file_re={skip!r})"], cwd=ROOT)
        except subprocess.CalledProcessError:
            raise SystemExit("docs: nbdev's processing failed in the notebook named above ('Error in notebook: TITLE in cell N'). "
                             "It executes every cell that contains an import line, without the cells before it: such a cell "
                             "must contain only imports.") from None
    t1 = time.perf_counter()
    n = generate()
    out = ROOT / a.out
    # Sphinx writes into build/docs/html (MyST-NB puts its jupyter_execute/ next to the output folder, so
    # not at the repository's root), then the site is copied to _docs/.
    html = ROOT / "build" / "docs" / "html"
    run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-c", DOCS,
         "-d", ROOT / "build" / "docs" / "doctrees", SRC, html], cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    if out.exists(): shutil.rmtree(out)
    shutil.copytree(html, out)
    t2 = time.perf_counter()
    bad, nfiles = check_links(out)
    if bad:
        print(f"{len(bad)} broken internal links:", *bad[:50], sep="\n  ", file=sys.stderr)
        raise SystemExit(1)
    print(f"docs: {n} notebook pages, {nfiles} HTML files, internal links OK; "
          f"nbdev-proc-nbs {t1 - t0:.0f}s, sphinx {t2 - t1:.0f}s -> {out.relative_to(ROOT)}/index.html")


if __name__ == "__main__":
    main()

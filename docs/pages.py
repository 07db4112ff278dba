"""The generated pages of the documentation site: landing page (README.md), get-started pages, codebook,
command line and methods references. Each is written from the project itself at build time."""
import argparse, ast, io, re, tokenize


def esc(s):
    "Text safe inside a Markdown table cell."
    return str(s).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- landing page
def readme_page(root, link, groups, api, tut):
    "README.md as the landing page; links to files of the repository become plain code; then the site's contents."
    text = (root / "README.md").read_text()
    def fix(m):
        label, url = m.group(1), m.group(2)
        return m.group(0) if re.match(r"[a-z]+:", url) else f"{label} (`{url}`)"
    text = re.sub(r"(?<!!)\[([^\]]+)\]\(([^)]+)\)", fix, text)
    text = link(text)
    toc = ["", "```{toctree}", ":caption: Get started", ":maxdepth: 1", "", *[f"get-started/{g}" for g in groups], "```",
           "", "```{toctree}", ":caption: Tutorials", ":maxdepth: 1", "", *[f"tutorials/{s}" for s, _, _ in tut], "```",
           "", "```{toctree}", ":caption: API (one page per notebook)", ":maxdepth: 1", "", *[f"api/{s}" for s, _, _ in api], "```",
           "", "```{toctree}", ":caption: Reference", ":maxdepth: 1", "", "reference/codebook", "reference/cli", "reference/methods", "```", ""]
    return text + "\n".join(toc)


def group_page(key, title, who, picks, tut):
    stems = [s for s, _, _ in tut]
    first = [s for s in picks if s in stems]
    more = [s for s in stems if s not in first and not any(s in g[2] for g in GROUPS_ALL.values())]
    titles = {s: t for s, t, _ in tut}
    lines = [f"# Get started: {title.lower()}", "", f"For {title.lower()} {who}", "",
             "Install with `make install` (or `pip install -e .`), then work through these tutorials in order; "
             "each is a notebook in `nbs/tutorials/` that you can open and run yourself.", ""]
    for i, s in enumerate(first, 1): lines.append(f"{i}. [{titles[s]}](../tutorials/{s}.ipynb)")
    if more:
        lines += ["", "More tutorials:", ""] + [f"- [{titles[s]}](../tutorials/{s}.ipynb)" for s in more]
    extra = {"researcher": "The [codebook](../reference/codebook.md) lists every variable you code; "
                           "[methods and references](../reference/methods.md) says which published results each estimator reproduces.",
             "consultant": "The [command line reference](../reference/cli.md) covers `winback assess` and `winback portfolio`; "
                           "the [codebook](../reference/codebook.md) says what each field of a case file means.",
             "student": "Load the bundled data with `load_example(\"study26\")` (synthetic) or `load_example(\"brextech_rilf\")`; "
                        "the [codebook](../reference/codebook.md) explains every column."}
    lines += ["", extra.get(key, ""), ""]
    mods = [(m, t) for m in MODULES.get(key, ()) for st, t, _ in API_PAGES if st == m]
    if mods:
        lines += ["The modules you will use most:", ""] + [f"- [{t}](../api/{m}.ipynb)" for m, t in mods] + [""]
    return "\n".join(lines)


# API pages (by output-file stem) each group uses most; stems that do not exist are left out.
MODULES = {"researcher": ["codebook", "cases", "reliability", "crosscase", "models", "qca", "conditions", "survival", "design"],
           "consultant": ["assumptions", "assess", "economics", "client", "report"],
           "student": ["datasets", "codebook", "crosscase", "models"]}
API_PAGES = []


GROUPS_ALL = {}


# ---------------------------------------------------------------- codebook
def languages():
    "Language codes of the codebook's labels: every language of `core.LANGS` (English and Chinese beside the code, the others from label files)."
    from winback_research.core import LANGS
    return list(LANGS)


def codebook_page():
    import winback_research.codebook as cb
    langs = languages()
    from winback_research.core import pick
    L = lambda v: [v.label(lg) for lg in langs]
    out = ["# Codebook", "",
           f"Every variable of a case table, generated from `winback_research.codebook` (codebook version "
           f"{cb.CODEBOOK_VERSION}). Labels are given in every language the codebook offers: {', '.join(langs)}.", "",
           ""]
    out += ["## Blocks", "", table(["block", *[f"label ({lg})" for lg in langs]],
                                  [[k, *(pick(f"block:{k}", v, lg) for lg in langs)] for k, v in cb.BLOCKS.items()])]
    out += ["## Sources", "", table(["key", "reference"], list(cb.SOURCES.items()))]
    out += ["## Variables", "", table(["name", "type", "role", "block", *[f"label ({lg})" for lg in langs], "required", "source"],
                                     [[f"`{v.name}`", v.type, v.role, v.block, *L(v), "yes" if v.required else "", v.source]
                                      for v in cb.VARIABLES])]
    for v in cb.VARIABLES:
        out += [f"### `{v.name}`", "", f"**{v.en}**" + "".join(f" · {v.label(lg)}" for lg in langs if lg != "en"), ""]
        facts = [("type", v.type), ("level", v.level), ("role", v.role), ("block", v.block), ("source", v.source),
                 ("required", "yes" if v.required else "no"), ("evidence column", f"`{v.name}_evidence`" if v.evidence else "none")]
        if v.minimum is not None or v.maximum is not None: facts.append(("range", f"{v.minimum} to {v.maximum}"))
        if v.pattern: facts.append(("pattern", f"`{v.pattern}`"))
        if v.example: facts.append(("example", f"`{v.example}`"))
        if v.applies_if: facts.append(("applies if", v.applies_if))
        out += ["- " + "; ".join(f"{k}: {val}" for k, val in facts), ""]
        for lg in langs:
            d = v.describe(lg)
            if d and (lg == "en" or d != v.description): out += [f"- description ({lg}): {esc(d)}"]
        out.append("")
        if v.options:
            out += ["Allowed values:", "", table(["code", *[f"label ({lg})" for lg in langs], "note"],
                                                 [[f"`{o.code}`", *(v.option_label(o.code, lg) for lg in langs), getattr(o, "note", "")] for o in v.options])]
    if getattr(cb, "DERIVED", None):
        out += ["## Derived variables", "", "Computed from stored variables by `derive`.", "",
                table(["name", "type", *[f"label ({lg})" for lg in langs], "inputs", "model term"],
                      [[f"`{n}`", d.variable.type, *L(d.variable), ", ".join(d.inputs), "yes" if d.term else ""]
                       for n, d in cb.DERIVED.items()])]
    return "\n".join(out)


# ---------------------------------------------------------------- CLI
def cli_page():
    import os
    os.environ["COLUMNS"] = "90"        # argparse wraps help to the terminal: the same width on every machine
    from winback_research.cli import build_parser
    p = build_parser()
    out = ["# Command line: `winback`", "", "Generated from `winback_research.cli.build_parser()`.", "",
           "```text", p.format_help().rstrip(), "```", ""]
    subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    for sp in subs:
        helps = {c.dest: c.help for c in sp._choices_actions}
        for name, sub in sp.choices.items():
            out += [f"## `winback {name}`", "", esc(helps.get(name) or sub.description or ""), "", "```text", sub.format_help().rstrip(), "```", ""]
            rows = []
            for a in sub._actions:
                if isinstance(a, argparse._HelpAction): continue
                flag = ", ".join(a.option_strings) or a.dest
                default = "" if a.default in (None, argparse.SUPPRESS, False) or a.option_strings == [] else repr(a.default)
                choices = ", ".join(map(str, a.choices)) if a.choices else ""
                rows.append([f"`{flag}`", a.help or "", choices, default])
            if rows: out += [table(["argument", "help", "choices", "default"], rows)]
    return "\n".join(out)


# ---------------------------------------------------------------- methods
TOL = re.compile(r"\b(abs|rel|atol|rtol)\s*=\s*([0-9.eE+-]+)")
REFFILE = re.compile(r"[\"']([\w.-]+\.(?:json|csv))[\"']")
# How a test names an independent reference: an R call, a publication (author, year), a hand calculation.
SOURCE = re.compile(r"\w+::\w+|\bR QCA\b|QCA R/|R's print|\bR:|\bR \w+\.\w+|\(\d{4}\)|\b(?:19|20)\d\d\b.*(?:p\.|example)|by hand|"
                    r"hand calculation|\bSAS\b|logistf|coxph|survfit|survdiff|irrCAC|mpmath|enumeration|Marketing Science")


def _comments(src):
    try:
        return [t.string.lstrip("# ").strip() for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError):
        return []


def methods_page(root):
    "For every test that compares with a reference: test file, test, reference data, tolerances, and the source it cites."
    out = ["# Methods and references", "",
           "Which published results and established implementations (R packages, textbook examples) each estimator is "
           "checked against, and with which tolerance. This page is generated from the test suite itself: for every test "
           "in `tests/` that reads reference data from `tests/reference/` or names an independent source (an R package, a "
           "publication, a hand calculation) in its docstring or comments, it lists the reference files, the tolerances of "
           "its approximate comparisons (none listed: the test compares exactly or structurally) and the source in the test's own words.", "",
           ""]
    files = [p for p in (root / "tests" / "reference").rglob("*") if p.is_file() and p.suffix in (".json", ".csv")]
    known = {p.name for p in files}
    stems = {p.stem: p.name for p in files}
    for f in sorted((root / "tests").glob("test_*.py")):
        src = f.read_text()
        tree = ast.parse(src)
        # reference files read by module-level constants, fixtures and helpers, followed through the names a test uses
        direct = {}
        for node in tree.body:
            names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)] or [getattr(node, "name", None)]
            seg = ast.get_source_segment(src, node) or ""
            for n in filter(None, names): direct[n] = {r for r in REFFILE.findall(seg) if r in known}
        def uses(seg, depth=3):
            found = {r for r in REFFILE.findall(seg) if r in known}
            found |= {stems[q] for q in re.findall(r"[\"'](\w+)[\"']", seg) if q in stems}   # load_ref("min_LF_int")
            if depth:
                for n in set(re.findall(r"\b\w+\b", seg)) & direct.keys():
                    node = next((x for x in tree.body if getattr(x, "name", None) == n), None)
                    found |= direct[n] | (uses(ast.get_source_segment(src, node) or "", depth - 1) if node else set())
            return found
        rows = []
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test")): continue
            body = "\n".join([*(ast.get_source_segment(src, d) or "" for d in node.decorator_list),
                              ast.get_source_segment(src, node) or ""])    # parametrize lists count
            tols = sorted({f"{k}={v}" for k, v in TOL.findall(body)})
            params = " ".join(a.arg for a in node.args.args)      # fixtures by name
            refs = sorted(uses(body + " " + params))
            note = " ".join(filter(None, [ast.get_docstring(node) or "", *_comments(body)]))
            if not refs and not tols and not SOURCE.search(note): continue
            rows.append([f"`{node.name}`", ", ".join(f"`{r}`" for r in refs), ", ".join(tols), note])
        if not rows: continue
        doc = ast.get_docstring(tree) or ""
        out += [f"## `tests/{f.name}`", "", esc(doc), "", table(["test", "reference data", "tolerance", "source (from the test)"], rows)]
    readme = root / "tests" / "reference" / "README.md"
    if readme.exists():
        body = readme.read_text().split("\n", 1)[1]
        body = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 1) + " ", body, flags=re.M)
        out += ["## The reference data (`tests/reference/README.md`)", "", body]
    return "\n".join(out)


def write_all(src, root, api, tut, groups, link):
    GROUPS_ALL.clear(); GROUPS_ALL.update(groups)
    API_PAGES[:] = api
    (src / "index.md").write_text(readme_page(root, link, groups, api, tut))
    (src / "get-started").mkdir(exist_ok=True)
    for k, (title, who, picks) in groups.items():
        (src / "get-started" / f"{k}.md").write_text(group_page(k, title, who, picks, tut))
    (src / "reference").mkdir(exist_ok=True)
    (src / "reference" / "codebook.md").write_text(codebook_page())
    (src / "reference" / "cli.md").write_text(cli_page())
    (src / "reference" / "methods.md").write_text(methods_page(root))

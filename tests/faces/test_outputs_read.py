"""Outputs a finance director would sign (issue 26): one currency, chart text as text, human
words, numbers as a finance reader writes them, page 1 on page 1, and an accessible page.

The packs are rendered for a EUR and a GBP organisation (the sample with ``currency`` and
``usd_rate`` set). The oracles are independent of the code under test: the PDF's text as
poppler extracts it, the charts' text boxes as Chromium lays the SVG out, WCAG's contrast
formula computed here from the colours the browser resolved, dates parsed back by ``datetime``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import html
import itertools
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from rhmodel.core.money.evaluation import evaluate
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.pack import chromium, render_pack
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import pilot_report
from rhmodel.faces import plots

CURRENCIES = {"EUR": ("€", 0.92), "GBP": ("£", 0.79)}

needs_chromium = pytest.mark.skipif(
    chromium() is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed on this machine; CI installs Debian's chromium and "
    "poppler-utils and runs this test",
)


@pytest.fixture(scope="module", params=sorted(CURRENCIES))
def pack(request, tmp_path_factory):
    code = request.param
    out = tmp_path_factory.mktemp(f"pack-{code}")
    overrides = [f"currency={code}", f"usd_rate={CURRENCIES[code][1]}"]
    result = render_pack(SAMPLE_PARAMS_FILE, out, overrides, simulate=2000)
    assert result.ok, result.error
    return code, out


class _Text(HTMLParser):
    """The words a reader sees, without quoted sources (``<q class="quoted">``), code (the
    parameter keys the reader is told to edit), styles and the page title; the quoted texts
    on their own."""

    SKIP = ("style", "title", "code", "script")

    def __init__(self) -> None:
        super().__init__()
        self.depth: list[str] = []
        self.words: list[str] = []
        self.quoted: list[str] = []
        self._q = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "q" and ("class", "quoted") in attrs:
            self._q += 1
            self.quoted.append("")
        elif tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "q" and self._q:
            self._q -= 1
        elif tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._q:
            self.quoted[-1] += data
        elif not self._skip:
            self.words.append(data)


def _read(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    flat = " ".join(" ".join(parser.words).split())
    return flat, [" ".join(q.split()) for q in parser.quoted]


def _chart_svgs(page: str) -> list[str]:
    return [
        base64.b64decode(m).decode()
        for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    ]


def _svg_words(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


# ---- one currency -----------------------------------------------------------------------------


def test_a_eur_or_gbp_pack_shows_its_currency_and_no_dollar(pack):
    code, out = pack
    symbol = CURRENCIES[code][0]
    page = (out / "renewal-pack.html").read_text(encoding="utf-8")
    text, quoted = _read(re.sub(r'src="data:[^"]*"', "", page))
    assert "$" not in text, re.findall(r".{40}\$.{20}", text)[:5]
    # one style: the symbol before the figure, never the code ("EUR 61,473") beside it
    assert re.search(rf"{re.escape(symbol)}\d{{1,3}}(,\d{{3}})+", text)
    assert not re.search(rf"\b{code}\s?[\d−-]", text), re.findall(
        rf".{{30}}{code}\s?\d.{{10}}", text
    )
    # the charts: axes, ticks, labels and legends
    svgs = _chart_svgs(page)
    assert len(svgs) >= 10
    words = [w for svg in svgs for w in _svg_words(svg)]
    assert not [w for w in words if "$" in w]
    assert sum(symbol in w for w in words) >= 10
    # a quoted source may name US dollars: it is what the source says
    assert any("US$" in q for q in quoted)


@needs_chromium
def test_the_pdf_has_no_dollar_outside_quoted_sources(pack):
    code, out = pack
    assert shutil.which("pdftotext"), "CI must install poppler-utils"
    pdf = subprocess.run(
        ["pdftotext", str(out / "renewal-pack.pdf"), "-"], capture_output=True, text=True
    ).stdout
    flat = " ".join(pdf.split())
    _text, quoted = _read((out / "renewal-pack.html").read_text(encoding="utf-8"))
    outside = []
    for m in re.finditer(r"\$", flat):
        # the words around the dollar sign must be inside one of the page's quoted sources
        before = flat[max(0, m.start() - 12) : m.start() + 1]
        after = flat[m.start() : m.start() + 8]
        if not any(before in q and after in q for q in quoted):
            outside.append(flat[max(0, m.start() - 40) : m.start() + 20])
    assert outside == []
    assert CURRENCIES[code][0] in flat


# ---- charts ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluated():
    params = load_parameters(SAMPLE_PARAMS_FILE, ["currency=EUR", "usd_rate=0.92"])
    return evaluate(params, load_capabilities(), draws=2000), pilot_report(params)


def _builders(e, r):
    a = e.analysis
    nv = {s.name for s in a.scenarios if not s.viable}
    base = a.scenario(e.sensitivity[0].scenario).npv
    return {
        "decision": lambda w: plots.decision_figure(e, width=w),
        "cumulative": lambda w: plots.cumulative_savings_figure(a, width=w),
        "comparison": lambda w: plots.comparison_figure(a, width=w),
        "year": lambda w: plots.year_figure(a, a.subject, width=w),
        "tornado": lambda w: plots.tornado_figure(e.sensitivity, base, currency="EUR", width=w),
        "npv": lambda w: plots.npv_distribution_figure(
            e.simulation, currency="EUR", not_viable=nv, width=w
        ),
        "concurrency": lambda w: plots.concurrency_figure(r, width=w),
        "daily": lambda w: plots.daily_peaks_figure(r, width=w),
        "time": lambda w: plots.time_at_or_above_figure(r, width=w),
    }


@pytest.mark.parametrize("width", [plots.PRINT_WIDTH, plots.PHONE_WIDTH])
def test_no_chart_text_collides_runs_off_or_is_under_8_points(evaluated, width):
    e, r = evaluated
    for name, build in _builders(e, r).items():
        fig = build(width)
        assert plots.overlapping_texts(fig) == [], name
        sizes = [size for _t, size, _box in plots.text_boxes(fig)]
        assert sizes and min(sizes) >= 8, (name, min(sizes))
        assert fig.get_suptitle(), name  # every chart has a title
        # drawn at the width it is shown at: the phone's is redrawn, not the print one shrunk
        assert fig.get_size_inches()[0] == pytest.approx(width)


def test_print_charts_are_drawn_at_the_printed_width():
    # A4 less the pack's 14 mm margins: a chart this wide prints at 100%, so 8 pt stays 8 pt
    assert plots.PRINT_WIDTH * 25.4 <= 210 - 2 * 14
    assert plots.PRINT_WIDTH * 25.4 >= 0.95 * (210 - 2 * 14)


def test_a_dollar_in_a_label_is_a_dollar_not_mathematics():
    # in US dollars, the tornado's ranges read "US$29–94 per agent per month": two dollar signs
    # on one label that mathtext would have turned into italics between them
    usd = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    base = usd.analysis.scenario(usd.sensitivity[0].scenario).npv
    fig = plots.tornado_figure(usd.sensitivity, base, currency="USD")
    words = " ".join(_svg_words(plots.svg(fig).decode()))
    assert "US$29–94 per agent per month" in words.replace("\n", " ")
    # the axis: "US$60k", dollar signs drawn as written
    ticks = [t for t in _svg_words(plots.svg(fig).decode()) if re.fullmatch(r"US\$\d+k", t)]
    assert len(ticks) >= 3, ticks


def test_a_plan_whose_npv_never_varies_is_drawn(evaluated):
    e, _r = evaluated
    sim = e.simulation
    # every draw the same NPV, give or take floating-point noise: 60 bins of nothing raised
    # "Too many bins for data range" before
    flat = {n: np.full(sim.draws, 1234.6) + np.arange(sim.draws) * 1e-12 for n in sim.npv}
    scen = {
        n: dataclasses.replace(
            r, npv_p10=1234.6, npv_p50=1234.6, npv_p90=1234.6, p_npv_positive=1.0
        )
        for n, r in sim.scenarios.items()
    }
    constant = dataclasses.replace(sim, npv=flat, scenarios=scen)
    for width in (plots.PRINT_WIDTH, plots.PHONE_WIDTH):
        fig = plots.npv_distribution_figure(constant, currency="EUR", width=width)
        words = " ".join(_svg_words(plots.svg(fig).decode()))
        assert "every draw gives €1,235" in words.replace("\n", " ")
        assert plots.overlapping_texts(fig) == []


def test_scenarios_that_are_not_viable_have_no_npv_in_the_charts(evaluated):
    e, _r = evaluated
    nv = [s.name for s in e.analysis.scenarios if not s.viable]
    assert nv, "the sample has a scenario that is not viable"
    fig = plots.npv_distribution_figure(e.simulation, currency="EUR", not_viable=nv)
    words = " ".join(_svg_words(plots.svg(fig).decode())).replace("\n", " ")
    from rhmodel.core.labels import label

    for name in nv:
        assert f"Not viable, so not drawn: {label(name)}" in words
        assert f"{label(name)}: NPV" not in words


# ---- human words and numbers ------------------------------------------------------------------

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def test_the_pack_reads_in_words_and_numbers_a_finance_reader_writes(pack):
    _code, out = pack
    page = (out / "renewal-pack.html").read_text(encoding="utf-8")
    text, _quoted = _read(re.sub(r'src="data:[^"]*"', "", page))
    # ids only inside a parameter key the reader is told to edit ("parameter pilot.routing")
    loose = [
        m.group(1)
        for m in re.finditer(r"((?:[\w\[\]]+\.)*[a-z]+(?:_[a-z0-9]+)+(?:\.[\w\[\]]+)*)", text)
        if not text[: m.start()].endswith("parameter ")
    ]
    assert loose == [], sorted(set(loose))[:10]
    for key in re.findall(r"\b([a-z_]+\.[a-z_]+(?:\.[a-z_]+)?)\b(?![.\w]*\.(?:com|net))", text):
        if "_" in key:
            at = text.index(key)
            assert "parameter" in text[max(0, at - 40) : at], text[max(0, at - 60) : at + 40]
    for internal in ("research/", ".md ", "seed 0", "Verdict: right_size", "NO: "):
        assert internal not in text, internal
    # a true minus sign, separators, one date style, no false precision
    assert not re.search(r"(?<![\w-])-\d", text), re.findall(r".{30}(?<![\w-])-\d.{10}", text)
    assert not re.search(rf"\b0\d ({_MONTHS})", text)
    assert not re.search(r"\b\d{2} [A-Z][a-z]{2} \d{4}\b", text)  # "02 Mar 2027"
    assert not re.search(r"\b\d{4,}(?= (sessions|draws))", text)
    assert "100.0%" not in text and "0.0% of" not in text
    assert re.search(r"(more than 99\.9%|about \d+%) of [\d,]+ draws", text)
    for m in re.finditer(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b", text):
        dt.datetime.strptime(m.group(), "%d %B %Y")  # a real date, as people write it


def test_page_one_holds_the_decision_and_the_next_steps_in_date_order(pack):
    _code, out = pack
    page = (out / "renewal-pack.html").read_text(encoding="utf-8")
    cover = page[
        page.index('class="rh-memo cover"') : page.index("</div>", page.index("Next steps"))
    ]
    rows = re.findall(
        r'<tr><td class="nowrap" data-label="By">([^<]+)</td>'
        r'<td class="nowrap" data-label="Who">([^<]+)</td><td data-label="What">([^<]+)</td>',
        cover,
    )
    assert len(rows) >= 3
    days = [dt.datetime.strptime(d, "%d %B %Y").date() for d, _w, _x in rows]
    assert days == sorted(days)
    # the median beside the headline, and why the single figure differs from it
    assert "the simulated median" in cover and "most likely value" in cover
    if not (out / "renewal-pack.pdf").exists():
        pytest.skip("no PDF: Chromium is not installed here")
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out / "renewal-pack.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout
    flat = " ".join(first.split())
    for day, _who, what in rows:
        assert day in flat and " ".join(html.unescape(what).split())[:50] in flat, what
    assert "Page 1 of" in flat
    # the whole cover on page 1 (its last line included): page 2 opens with the contents
    assert "inputs are not quoted facts" in flat
    second = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(out / "renewal-pack.pdf"), "-"],
        capture_output=True,
        text=True,
    ).stdout
    assert "Executive summary" in second and "Contents" in second


# ---- the page in a browser ---------------------------------------------------------------

_A11Y = r"""() => {
    const out = {headings: [], alt: [], tables: [], contrast: [], wide: []};
    for (const h of document.querySelectorAll('h1,h2,h3,h4,h5,h6')) {
        out.headings.push(+h.tagName[1]);
    }
    for (const img of document.querySelectorAll('img')) {
        out.alt.push([img.getAttribute('alt') || '', img.getAttribute('title') || '',
                      img.className]);
    }
    for (const t of document.querySelectorAll('table')) {
        const cap = t.querySelector('caption');
        const ths = [...t.querySelectorAll('th')];
        out.tables.push([cap ? cap.textContent.trim() : '', ths.every(th => th.scope)]);
    }
    const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = c => {
        const [r, g, b] = c.slice(0, 3).map(v => {
            v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = el => {
        for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
        }
        return [255, 255, 255];
    };
    const limit = document.documentElement.clientWidth + 1;
    for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > limit) out.wide.push(el.tagName + '.' + el.className);
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || r.width === 0 || r.height === 0) continue;
        const st = getComputedStyle(el);
        if (st.visibility === 'hidden' || st.clip === 'rect(0px, 0px, 0px, 0px)') continue;
        const fg = rgb(st.color), bg = background(el);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        const size = parseFloat(st.fontSize), bold = +st.fontWeight >= 700;
        const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
        if (ratio < need) out.contrast.push([el.tagName, el.textContent.slice(0, 40),
                                             ratio.toFixed(2)]);
    }
    return out;
}"""

# Each <text> of a chart's SVG, as Chromium lays it out in the page's font: its box.
_SVG_BOXES = r"""() => [...document.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return [t.textContent, b.left, b.top, b.right, b.bottom];
})"""


def _collisions(boxes, frame, tolerance=0.5):
    bad = []
    for i, (a, *p) in enumerate(boxes):
        if p[0] < -tolerance or p[1] < -tolerance or p[2] > frame[0] + tolerance:
            bad.append((a, "<edge>"))
        for b, *q in boxes[i + 1 :]:
            w = min(p[2], q[2]) - max(p[0], q[0])
            h = min(p[3], q[3]) - max(p[1], q[1])
            if w > tolerance and h > tolerance:
                bad.append((a, b))
    return bad


@needs_chromium
def test_the_page_is_accessible_and_its_charts_text_never_overlaps_in_a_browser(pack):
    from playwright.sync_api import sync_playwright

    _code, out = pack
    page_html = (out / "renewal-pack.html").read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto((out / "renewal-pack.html").as_uri())
                got = page.evaluate(_A11Y)
                levels = got["headings"]
                assert levels[0] == 1 and levels.count(1) == 1
                assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
                charts = [x for x in got["alt"] if "chart" in x[2]]
                assert len(charts) >= 10
                for alt, title, _cls in charts:
                    # the chart's message, not its kind: a sentence with a figure or a name
                    assert len(alt.split()) >= 6 and re.search(r"\d|[A-Z]", alt), alt
                    assert title, alt
                assert all(cap and scoped for cap, scoped in got["tables"]), got["tables"]
                assert got["contrast"] == [], got["contrast"][:5]
                assert got["wide"] == [], got["wide"][:5]
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.close()
            # every chart, as the browser draws it: no two texts overlap, none runs off
            svg_page = browser.new_page(viewport={"width": 1200, "height": 900})
            for svg in _chart_svgs(page_html):
                svg_page.set_content(svg)
                frame = svg_page.evaluate(
                    "() => { const r = document.querySelector('svg').getBoundingClientRect();"
                    " return [r.width, r.height]; }"
                )
                boxes = svg_page.evaluate(_SVG_BOXES)
                assert len(boxes) >= 5
                assert _collisions(boxes, frame) == [], boxes[:3]
        finally:
            browser.close()


def test_the_page_font_is_the_charts_font():
    from rhmodel.edges import pack as edge

    assert edge._PAGE_FONT == plots.FONT_CSS
    memo = Path(plots.__file__).with_name("memo.py").read_text(encoding="utf-8")
    assert f"font-family: {plots.FONT_CSS}" in memo
    families = [f.strip().strip('"') for f in plots.FONT_CSS.split(",")]
    assert plots._STYLE["font.sans-serif"][:2] == families[:2]

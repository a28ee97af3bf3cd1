"""How old the capability facts are reaches every output: an analysis starting more than 90 days
after the facts were checked says so in one line (with Microsoft's "What's new" link) in the
scenarios text, the JSON, the pack, the workbook and the explorer; a fresh one says nothing."""

from __future__ import annotations

import datetime as dt

from rhmodel.core.capabilities import WHATS_NEW_URL
from rhmodel.core.money.evaluation import evaluate, evaluation_document
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.provenance import provenance
from rhmodel.edges.workbook import build_workbook
from rhmodel.faces.scenario_text import scenarios_text


def _evaluation(start: dt.date):
    p = load_parameters(SAMPLE_PARAMS_FILE, [f"start_date={start.isoformat()}"])
    return evaluate(p, load_capabilities())


def test_old_facts_are_said_in_every_output(tmp_path):
    m = load_capabilities()
    late = m.facts_as_of + dt.timedelta(days=91)
    e = _evaluation(late)
    note = e.analysis.decision.facts_note
    assert note and WHATS_NEW_URL in note
    assert evaluation_document(e)["facts_note"] == note
    assert str(evaluation_document(e)["facts_as_of"]) == m.facts_as_of.isoformat()
    assert f"Facts: {note[:40]}" in scenarios_text(e).replace("\n", " ")
    cells = [
        str(c.value)
        for ws in build_workbook(e, m, provenance(e.params)).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert note in cells
    from rhmodel.edges.pack import evaluate_pack
    from rhmodel.faces.explorer import Explorer
    from rhmodel.faces.memo import RenewalPack

    pack = RenewalPack.from_inputs(evaluate_pack(e.params, simulate=0))
    html = str(pack.title()) + str(pack.capabilities())
    assert html.count(WHATS_NEW_URL) >= 2  # page 1's caveats and the capability section
    # the explorer shows it with the other reasons, in the notes under the figures (issue 26's
    # layout moved the long reasons out of the headline box)
    assert WHATS_NEW_URL in Explorer(e.params, save_dir=tmp_path).notes.value


def test_fresh_facts_add_no_line():
    m = load_capabilities()
    e = _evaluation(m.facts_as_of + dt.timedelta(days=90))
    assert e.analysis.decision.facts_note == ""
    assert "Facts:" not in scenarios_text(e)

"""Every command that takes ``pilot.files`` also takes the pilot store (issue 25, item 1).

The sample's own pilot exports are imported into a store with ``rhmodel pilot import``; a
parameters file that names only ``pilot.store`` must then give the same pools, plan and NPV as the
one that names the files — through the library and through the command line.
"""

from __future__ import annotations

import json
import shutil

import yaml

from rhmodel.core.money.evaluation import evaluate
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import pilot_report


def _copies(tmp_path, cli):
    """The sample with its files, and a copy whose pilot is only the store they were put in."""
    folder = tmp_path / "org"
    r = cli("sample", "--copy-to", folder)
    assert r.returncode == 0, r.stderr
    with_files = folder / "params" / "sample.yaml"
    doc = yaml.safe_load(with_files.read_text())
    (folder_entry,) = doc["pilot"]["files"]  # the sample names its pilot folder
    files = sorted((with_files.parent / folder_entry).iterdir())
    store_only = with_files.parent / "store-only.yaml"
    doc["pilot"]["store"] = "pilot-store"
    # the store holds sessions; a device inventory stays a pilot.devices file, as the import
    # says when it meets one
    doc["pilot"]["devices"] = [f"{folder_entry}/{f.name}" for f in files if "devices" in f.name]
    del doc["pilot"]["files"]
    store_only.write_text(yaml.safe_dump(doc))
    r = cli("pilot", "import", *files, "--params", store_only)
    assert r.returncode == 0, r.stderr
    return with_files, store_only


def test_a_store_alone_gives_the_same_pilot_plan_and_npv_as_its_files(tmp_path, cli):
    with_files, store_only = _copies(tmp_path, cli)
    a = load_parameters(with_files)
    b = load_parameters(store_only)
    ra, rb = pilot_report(a), pilot_report(b)
    assert rb is not None
    for tool, sizing in ra.tools.items():
        assert rb.tools[tool].recommended_licenses == sizing.recommended_licenses
        assert rb.tools[tool].sessions == sizing.sessions
    ea, eb = evaluate(a, load_capabilities()), evaluate(b, load_capabilities())
    assert eb.plan.name == ea.plan.name
    assert eb.plan.npv == ea.plan.npv
    # and on the command line, as JSON
    ja = json.loads(cli("scenarios", with_files, "--format", "json").stdout)
    jb = json.loads(cli("scenarios", store_only, "--format", "json").stdout)
    assert jb["plan"]["npv"] == ja["plan"]["npv"]
    pa = json.loads(cli("pool", "--params", with_files, "--format", "json").stdout)
    pb = json.loads(cli("pool", "--params", store_only, "--format", "json").stdout)
    assert pb["tools"] == pa["tools"]


def test_a_store_that_was_never_filled_is_a_pilot_with_no_sessions(tmp_path, cli):
    src = SAMPLE_PARAMS_FILE
    doc = yaml.safe_load(src.read_text())
    doc["pilot"] = {"store": "empty-store", "days": 45}
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(doc))
    shutil.rmtree(tmp_path / "empty-store", ignore_errors=True)
    r = cli("decide", p)
    # no evidence yet: the plan comes from the file's residual figures, not from a crash
    assert r.returncode == 0, r.stderr

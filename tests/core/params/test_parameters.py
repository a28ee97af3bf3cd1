"""The parameters file: defaults, value forms, overrides, and every way to get it wrong."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from rhmodel.core.params import SCHEMA, Uncertain
from rhmodel.edges.paramfile import load_parameters, save_parameters
from rhmodel.edges.pilotfiles import pilot_paths
from rhmodel.errors import InputError
from tests.conftest import params_from


def test_defaults_of_an_empty_file():
    p = params_from("")
    assert p["horizon_months"] == 36
    assert p["discount_rate"] == 0.10
    assert p["tenant_cloud"] == "commercial"
    assert p["remote_help.licensing"] == "included"
    assert p["logmein.agents"] == 0 and p["beyondtrust.concurrent_seats"] == 0
    assert p["pilot.days"] == 45
    assert p["logmein.term_months"] == 12 and p["logmein.uplift"] == 0.0
    assert p["start_date"].day == 1
    assert all(
        p[k] is False
        for k in p.values
        if k.startswith("requirements.") and k != "requirements.platforms"
    )


def test_logmein_price_defaults_to_the_seed_range_and_is_illustrative():
    p = params_from("logmein: {agents: 10, months_to_renewal: 3}")
    v = p.value("logmein.price_per_agent_month")
    assert v.uncertain == Uncertain(29.0, 94.0)
    assert p["logmein.price_per_agent_month"] == (29 + 94) / 2
    assert v.origin == "price book" and v.illustrative
    assert "logmein.price_per_agent_month" in p.illustrative_inputs()


def test_remote_help_add_on_price_from_the_price_book():
    p = params_from("remote_help: {licensing: add_on, licensed_users: 100}")
    assert p["remote_help.price_per_user_month"] == 3.50
    assert "price book" in p.value("remote_help.price_per_user_month").source


def test_value_forms():
    p = params_from("""
        logmein:
          agents: 10
          months_to_renewal: 2
          price_per_agent_month: {low: 30, mode: 40, high: 90}
        beyondtrust:
          concurrent_seats: {low: 4, high: 7}
          months_to_renewal: 0
          price_per_seat_year: {value: 2400, illustrative: true, source: placeholder}
    """)
    assert p["logmein.price_per_agent_month"] == 40
    assert p.value("logmein.price_per_agent_month").uncertain.distribution == "triangular"
    assert p["beyondtrust.concurrent_seats"] == 6  # midpoint 5.5 rounds half up
    bt = p.value("beyondtrust.price_per_seat_year")
    assert bt.value == 2400 and bt.illustrative and bt.source == "placeholder"
    assert p.illustrative_inputs() == ["beyondtrust.price_per_seat_year"]


def test_file_level_illustrative_flag_marks_figures_not_choices(sample_params_file):
    p = load_parameters(sample_params_file)
    ill = p.illustrative_inputs()
    assert "logmein.agents" in ill and "beyondtrust.price_per_seat_year" in ill
    assert "horizon_months" not in ill and "logmein.term_months" not in ill
    # Remote Help is included, so its add-on price is not used and not listed.
    assert "remote_help.price_per_user_month" not in ill


def test_set_overrides_and_their_origin(sample_params_file):
    p = load_parameters(
        sample_params_file,
        [
            "logmein.agents=80",
            "requirements.unattended_windows=true",
            "logmein.price_per_agent_month={low: 40, high: 50}",
        ],
    )
    assert p["logmein.agents"] == 80 and p.value("logmein.agents").origin == "--set"
    assert p["requirements.unattended_windows"] is True
    assert p["logmein.price_per_agent_month"] == 45
    assert p["start_date"] == dt.date(2026, 12, 1)  # a date survives the override path


def test_digest_changes_with_a_value(sample_params_file):
    a = load_parameters(sample_params_file)
    b = load_parameters(sample_params_file, ["discount_rate=0.08"])
    assert a.digest() != b.digest()
    assert a.digest() == load_parameters(sample_params_file).digest()


def test_save_round_trip(tmp_path, sample_params_file):
    p = load_parameters(sample_params_file, ["logmein.agents=70"])
    out = tmp_path / "saved.yaml"
    save_parameters(p, out)
    q = load_parameters(out)
    for key in p.values:
        if key == "pilot.files":  # rewritten relative to the new folder: same files
            assert [x.resolve() for x in pilot_paths(q)] == [x.resolve() for x in pilot_paths(p)]
            continue
        assert q[key] == p[key], key
        assert q.value(key).uncertain == p.value(key).uncertain, key


BAD = [
    # (yaml text, overrides, regex the one-line message must match)
    (
        "horizon_month: 24\n",
        (),
        r"^p\.yaml:1: horizon_month: unknown key \(did you mean 'horizon_months'\?\)",
    ),
    (
        "logmein:\n  agent: 3\n",
        (),
        r"^p\.yaml:2: logmein\.agent: unknown key \(did you mean 'agents'\?\)",
    ),
    (
        "logmein:\n  agents: -3\n  months_to_renewal: 1\n",
        (),
        r"^p\.yaml:2: logmein\.agents: value is below 0 \(-3\)",
    ),
    (
        "logmein:\n  agents: 2.5\n  months_to_renewal: 1\n",
        (),
        r"logmein\.agents: is not valid \(2\.5\) — accepted: an integer",
    ),
    ("discount_rate: 1\n", (), r"^p\.yaml:1: discount_rate: value is too large \(1\)"),
    ("discount_rate: ten\n", (), r"discount_rate: is not valid \('ten'\)"),
    (
        "tenant_cloud: azure\n",
        (),
        r"tenant_cloud: unknown value \('azure'\) — accepted: commercial, gcc, gcc_high, dod",
    ),
    (
        "requirements:\n  unattended_windows: maybe\n",
        (),
        r"^p\.yaml:2: requirements\.unattended_windows: is not valid \('maybe'\) — accepted: true or false",
    ),
    ("requirements:\n  platforms: [windows, beos]\n", (), r"unknown platform \('beos'\)"),
    (
        "logmein: {agents: 5}\n",
        (),
        r"logmein\.months_to_renewal: missing while logmein\.agents is 5",
    ),
    (
        "beyondtrust: {concurrent_seats: 5, months_to_renewal: 2}\n",
        (),
        r"beyondtrust\.price_per_seat_year: missing .* quote-only",
    ),
    (
        "logmein: {agents: 5, months_to_renewal: 2}\nresidual: {logmein_agents: 9}\n",
        (),
        r"residual\.logmein_agents: the pool to keep \(9\) is larger than the current logmein\.agents \(5\)",
    ),
    (
        "logmein: {agents: 5, months_to_renewal: 2, price_per_agent_month: {low: 50, high: 40}}\n",
        (),
        r"high is below low",
    ),
    (
        "logmein: {agents: 5, months_to_renewal: 2, price_per_agent_month: {low: 40, mode: 60, high: 50}}\n",
        (),
        r"mode is outside \[low, high\]",
    ),
    (
        "logmein: {agents: 5, months_to_renewal: 2, price_per_agent_month: {lo: 40, high: 50}}\n",
        (),
        r"unknown field 'lo' in the value \(did you mean 'low'\?\)",
    ),
    ("horizon_months: {low: 12, high: 24}\n", (), r"horizon_months: cannot be a range"),
    (
        "remote_help: {licensing: add_on}\n",
        (),
        r"remote_help\.licensed_users: missing while remote_help\.licensing is add_on",
    ),
    ("pilot: {timezone: Mars/Olympus}\n", (), r"pilot\.timezone: unknown time zone"),
    (
        "start_date: 2026-13-01\n",
        (),
        r"^p\.yaml:1: start_date: is not valid \(.2026-13-01.: month must be in 1\.\.12\)",
    ),
    ("logmein: 5\n", (), r"^p\.yaml:1: logmein: must be a section"),
    ("- a\n- b\n", (), r"must be a mapping of keys to values"),
    ("logmein: {agents: 1, agents: 2}\n", (), r"duplicate key 'agents'"),
    (
        "",
        ("logmein.agnets=3",),
        r"^--set: logmein\.agnets: unknown key \(did you mean 'logmein\.agents'\?\)",
    ),
    ("", ("discount_rate",), r"^--set: cannot read override \('discount_rate'\)"),
    ("", ("discount_rate=-0.1",), r"^--set: discount_rate: value is below 0"),
    (
        "",
        ("logmein.price_per_agent_month={low: 1",),
        r"^--set: logmein\.price_per_agent_month: cannot read the value",
    ),
]


@pytest.mark.parametrize(("text", "overrides", "pattern"), BAD)
def test_bad_input_gives_one_located_line(text, overrides, pattern):
    with pytest.raises(InputError) as err:
        params_from(text, *overrides)
    message = str(err.value)
    assert re.search(pattern, message), message
    assert "\n" not in message
    assert " — " in message or "(did you mean" in message  # says what is accepted


def test_every_schema_key_has_unit_or_choices_and_a_doc():
    for s in SCHEMA:
        assert s.doc
        if s.kind in ("int", "float"):
            assert s.unit, s.key
        if s.kind == "choice":
            assert s.choices and s.default in s.choices, s.key


def test_missing_pilot_file_is_located(write_params):
    path = write_params("pilot:\n  files:\n    - exports/none.csv\n")
    with pytest.raises(InputError) as err:
        load_parameters(path)
    assert re.search(
        r"p\.yaml:3: pilot\.files: pilot file not found \('exports/none\.csv'", str(err.value)
    )


def test_values_imports_nothing_back_from_the_resolver():
    """Imports go one way, resolve → values: values.py (Value, Uncertain and the mapping helpers)
    imports no other module of rhmodel.core.params, not even inside a function."""
    import ast

    import rhmodel.core.params.resolve as resolve
    import rhmodel.core.params.values as values

    tree = ast.parse(Path(values.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in imported if m and m.startswith("rhmodel.core.params")}, imported
    # the resolved file lives with its resolver, and re-resolves itself from there
    assert resolve.Parameters.__module__ == resolve.__name__
    p = params_from("horizon_months: 24\n")
    assert p.with_overrides(["horizon_months=12"])["horizon_months"] == 12
    assert p.with_values({"horizon_months": 18})["horizon_months"] == 18

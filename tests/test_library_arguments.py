"""The library's front door checks its arguments: a wrong type is one InputError naming the
argument and what is accepted, never a numpy error from deep inside (issue 24, item 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rhmodel
from rhmodel import InputError, decide, evaluate, load_parameters, sample_parameters_file


@pytest.fixture(scope="module")
def params():
    return load_parameters(sample_parameters_file())


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"draws": "2000"}, r"^draws: not a whole number \('2000', a str\)"),
        ({"draws": 2000.0}, r"^draws: not a whole number \(2000\.0, a float\)"),
        ({"draws": True}, r"^draws: not a whole number \(True, a bool\)"),
        ({"draws": -5}, r"^draws: must be at least 0 \(-5\)"),
        ({"draws": 10_000_001}, r"^draws: must be at most 10,000,000"),
        ({"seed": "7"}, r"^seed: not a whole number \('7', a str\)"),
        ({"seed": 2**32}, r"^seed: must be at most 4,294,967,295"),
        ({"matrix": "capabilities.yaml"}, r"^matrix: not a capability matrix \(a str\)"),
    ],
)
def test_evaluate_names_the_bad_argument(params, kwargs, says):
    with pytest.raises(InputError, match=says) as info:
        evaluate(params, **kwargs)
    assert " — " in str(info.value)  # and says what is accepted


def test_good_arguments_of_numpy_types_and_paths_work(params):
    e = evaluate(params, draws=np.int64(300), seed=np.uint32(5))
    assert (e.simulation.draws, e.simulation.seed) == (300, 5)
    assert evaluate(params, draws=0).simulation is None  # 0: no simulation, as in the notebooks
    # a path is loaded for you: the same numbers as the loaded parameters
    by_path = evaluate(str(sample_parameters_file()))
    assert by_path.analysis.option_npv == evaluate(params).analysis.option_npv
    assert decide(Path(sample_parameters_file())).verdict == decide(params).verdict


def test_params_of_the_wrong_type_say_what_to_pass():
    with pytest.raises(InputError, match=r"^params: not parameters \(a dict\) — the result of "):
        evaluate({"logmein.agents": 3})


def test_overrides_as_a_list_or_a_mapping_give_the_same_parameters():
    as_list = load_parameters(sample_parameters_file(), ["logmein.agents=30", "pilot.files=[]"])
    as_map = load_parameters(sample_parameters_file(), {"logmein.agents": 30, "pilot.files": []})
    assert as_list["logmein.agents"] == as_map["logmein.agents"] == 30
    assert as_list["pilot.files"] == as_map["pilot.files"] == ()
    assert as_map.value("logmein.agents").origin == "--set"


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ("logmein.agents=30", r"^overrides: one string \('logmein\.agents=30'\), not a list"),
        ([30], r"^overrides: item 1 is not a 'KEY=VALUE' string \(30, an int\)"),
        (42, r"^overrides: not a list or mapping \(42, an int\)"),
        ({3: 4}, r"^overrides: a key is not a parameter name \(3, an int\)"),
    ],
)
def test_overrides_of_the_wrong_shape_fail_before_any_character_is_read(overrides, says):
    with pytest.raises(InputError, match=says):
        load_parameters(sample_parameters_file(), overrides)


def test_a_mapping_key_that_is_no_parameter_says_did_you_mean():
    with pytest.raises(
        InputError, match=r"logmein\.agent: unknown key \(did you mean 'logmein\.agents'\?\)"
    ):
        load_parameters(sample_parameters_file(), {"logmein.agent": 30})


def test_the_path_must_be_a_path():
    with pytest.raises(InputError, match=r"^path: not a file path \(3, an int\)"):
        load_parameters(3)


def test_the_front_door_lists_what_it_exposes():
    assert rhmodel.load_parameters is load_parameters
    assert {"evaluate", "decide", "load_parameters"} <= set(dir(rhmodel))

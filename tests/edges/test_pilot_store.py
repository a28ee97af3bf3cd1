"""The pilot store: idempotent imports, running sessions updated when they end, and kill -9.

The export fixture is BeyondTrust's SupportSession XML as its reporting API documents it (see
tests/edges/test_collectors.py for the sources); the crash test kills a real subprocess with
SIGKILL at each injected point of an append and then reopens the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from rhmodel.core.pilot.sessions import OPEN
from rhmodel.edges.pilotstore import CRASH_ENV, PilotStore, import_files, sessions, store_path
from tests.edges.test_collectors import T0, _bt_list, _bt_session


def _table(folder):
    with PilotStore.open(folder) as store:
        df = store.sessions().sessions
        log = [(f.source, f.rows, f.added, f.updated, f.ok) for f in store.fetches()]
    return sorted(
        (r.session_id, r.tool, int(r.start), int(r.end), r.technician) for r in df.itertuples()
    ), log


def test_importing_the_same_export_twice_changes_nothing(tmp_path):
    export = tmp_path / "SupportSession-1.xml"
    export.write_text(
        _bt_list(
            _bt_session("A", T0 + 3600, T0 + 5400, "Rita"),
            _bt_session("B", T0 + 7200, None, "Ravi"),
        )
    )
    store = tmp_path / "store"
    (first,) = import_files(store, [export])
    before = _table(store)
    size = store_path(store).stat().st_size
    (second,) = import_files(store, [export])
    assert first[1] is not None and (first[1].added, first[1].updated) == (2, 0)
    assert second[1] is None  # the same bytes: skipped, not even a fetch-log row
    assert _table(store) == before
    assert before[0] == [
        ("A", "beyondtrust", T0 + 3600, T0 + 5400, "Rita"),
        ("B", "beyondtrust", T0 + 7200, OPEN, "Ravi"),
    ]
    assert store_path(store).stat().st_size >= size


def test_a_running_session_later_ended_is_updated_and_an_overlapping_export_adds_only_new(tmp_path):
    store = tmp_path / "store"
    early, late = tmp_path / "week1.xml", tmp_path / "week2.xml"
    early.write_text(
        _bt_list(
            _bt_session("A", T0 + 3600, T0 + 5400, "Rita"),
            _bt_session("B", T0 + 7200, None, "Ravi"),
        )
    )
    # the next export overlaps: A again (unchanged), B now ended, C new
    late.write_text(
        _bt_list(
            _bt_session("A", T0 + 3600, T0 + 5400, "Rita"),
            _bt_session("B", T0 + 7200, T0 + 9000, "Ravi"),
            _bt_session("C", T0 + 86_400, T0 + 90_000, "Rita"),
        )
    )
    import_files(store, [early])
    ((_, done),) = import_files(store, [late])
    assert done is not None and (done.rows, done.added, done.updated) == (3, 1, 1)
    rows, log = _table(store)
    assert [r[:4] for r in rows] == [
        ("A", "beyondtrust", T0 + 3600, T0 + 5400),
        ("B", "beyondtrust", T0 + 7200, T0 + 9000),
        ("C", "beyondtrust", T0 + 86_400, T0 + 90_000),
    ]
    assert log == [("import", 2, 2, 0, True), ("import", 3, 1, 1, True)]
    # an ended session is never reopened by an older export that still shows it running
    again = tmp_path / "week1-copy.xml"
    again.write_text(early.read_text() + "\n")  # other bytes, same sessions
    import_files(store, [again])
    assert [r[:4] for r in _table(store)[0]][1] == ("B", "beyondtrust", T0 + 7200, T0 + 9000)


def test_a_bad_file_among_the_imports_stores_nothing(tmp_path):
    from rhmodel.errors import InputError

    good, bad = tmp_path / "good.xml", tmp_path / "bad.csv"
    good.write_text(_bt_list(_bt_session("A", T0, T0 + 60, "Rita")))
    bad.write_text("not,an,export\n1,2,3\n")
    with pytest.raises(InputError):
        import_files(tmp_path / "store", [good, bad])
    assert not store_path(tmp_path / "store").exists()  # every file is read before any is stored
    assert sessions(tmp_path / "store") == []


_CHILD = textwrap.dedent(
    """
    import sys
    from rhmodel.edges.pilotstore import PilotStore
    from rhmodel.edges.exports import load_export
    folder, path = sys.argv[1], sys.argv[2]
    frame = load_export(path).sessions
    with PilotStore.open(folder) as store:
        store.append(frame, source="bt", window=(1, 2), now=1)
    print("appended")
    """
)


@pytest.mark.parametrize("point", ["begun", "inserted", "logged", "committed"])
def test_kill_9_during_an_append_leaves_a_consistent_store(tmp_path, point):
    store = tmp_path / "store"
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    first.write_text(
        _bt_list(
            *(
                _bt_session(f"S{i}", T0 + i * 600, None if i == 0 else T0 + i * 600 + 300, "Rita")
                for i in range(5)
            )
        )
    )
    # the append that is killed: 200 new sessions and S0 ended (an update)
    second.write_text(
        _bt_list(
            _bt_session("S0", T0, T0 + 300, "Rita"),
            *(
                _bt_session(f"N{i}", T0 + 10_000 + i * 60, T0 + 10_030 + i * 60, "Ravi")
                for i in range(200)
            ),
        )
    )
    import_files(store, [first])
    before = _table(store)
    env = {**os.environ, CRASH_ENV: point}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(store), str(second)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    assert "appended" not in child.stdout
    after = _table(store)
    if point == "committed":
        rows, log = after
        assert len(rows) == 205 and log[-1] == ("bt", 201, 200, 1, True)
        assert dict((r[0], r[3]) for r in rows)["S0"] == T0 + 300
    else:
        assert after == before  # nothing of the killed transaction survived
    # and the store still takes appends
    import_files(store, [second])
    rows, _ = _table(store)
    assert len(rows) == 205


def test_a_store_from_before_a_new_session_column_still_takes_appends(tmp_path):
    """A pilot outlives an rhmodel upgrade: a column the session table gained is added blank."""
    import duckdb

    export = tmp_path / "a.xml"
    export.write_text(_bt_list(_bt_session("A", T0, T0 + 60, "Rita")))
    store = tmp_path / "store"
    import_files(store, [export])
    con = duckdb.connect(str(store_path(store)))
    con.execute("ALTER TABLE sessions DROP COLUMN device")  # as if written before `device`
    con.close()
    later = tmp_path / "b.xml"
    later.write_text(_bt_list(_bt_session("B", T0 + 600, T0 + 660, "Rita")))
    import_files(store, [later])
    rows, _ = _table(store)
    assert [r[0] for r in rows] == ["A", "B"]


def test_the_store_gives_the_same_pilot_as_the_files_it_was_imported_from(tmp_path):
    """Oracle: the existing pipeline on the bundled sample's exports (BeyondTrust XML, two
    overlapping Intune exports, LogMeIn CSV); the store's sessions, with the same device
    inventory, must give the same classes and pools."""
    from rhmodel.core.pilot.evidence import summarise_pilot
    from rhmodel.edges.bundled import SAMPLE_PILOT_DIR, load_capabilities
    from rhmodel.edges.exports import expand_specs, load_exports

    files = [s.path for s in expand_specs([SAMPLE_PILOT_DIR])]
    loaded = load_exports(files)
    done = dict(import_files(tmp_path / "store", files))
    devices = [x for x in loaded if x.devices]
    assert devices and done[devices[0].path].rows == 0  # the inventory is not stored
    matrix = load_capabilities()
    a = summarise_pilot(loaded, matrix)
    b = summarise_pilot([*sessions(tmp_path / "store"), *devices], matrix)
    assert (b.sessions_total, b.duplicates_dropped) == (a.sessions_total, 0)
    assert b.sessions_by_class == a.sessions_by_class
    assert {t: s.recommended_licenses for t, s in b.tools.items()} == {
        t: s.recommended_licenses for t, s in a.tools.items()
    }

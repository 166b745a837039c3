"""Tests of the save store (forge_tui.saves): API, validation, recovery, migration, locking."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from forge_tui.saves import (
    FLAVOR_IDS,
    LANGUAGE_IDS,
    SCHEMA_VERSION,
    LoadNote,
    ModuleProgress,
    RunBusy,
    RunNotFound,
    RunState,
    RunSummary,
    SaveError,
    Store,
    migrate,
)
from forge_tui.saves.migrations import v1_to_v2

REPO = Path(__file__).resolve().parent.parent
FIXTURE_V1 = Path(__file__).resolve().parent / "fixtures" / "save_v1.json"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data")


def _bump(state: RunState) -> None:
    state.progress("vector-awakens").gate_attempts += 1


def _run_dir(store: Store, run_id: str) -> Path:
    return store.home / "runs" / run_id


# ----------------------------------------------------------------------------- basics


def test_public_constants() -> None:
    assert SCHEMA_VERSION == 2
    assert set(FLAVOR_IDS) == {"hacker", "mathematician", "linguist", "artist", "scientist", "builder"}
    assert set(LANGUAGE_IDS) == {"python", "c", "rust", "triton"}
    assert issubclass(RunBusy, SaveError) and issubclass(RunNotFound, SaveError)


def test_create_load_roundtrip(store: Store) -> None:
    run = store.create_run("  Ada Lovelace ", ["Hacker", "artist"], "Python")
    assert run.id == "ada-lovelace"
    assert run.name == "Ada Lovelace"
    assert run.flavors == ["hacker", "artist"]
    assert run.language == "python"
    assert run.schema == SCHEMA_VERSION
    assert run.modules == {}
    assert run.position == {"module": None, "part": None}
    assert run.created == run.last_played and run.created.endswith("Z")
    loaded = store.load(run.id)
    assert loaded == run
    assert store.last_note(run.id) is None
    path = _run_dir(store, run.id) / "state.json"
    assert path.is_file()


def test_file_is_human_readable_json(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "rust")
    text = (_run_dir(store, run.id) / "state.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert data["schema"] == 2 and data["id"] == "ada"


def test_update_applies_change_and_sets_last_played(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "c")
    time.sleep(0.005)

    def change(state: RunState) -> None:
        progress = state.progress("vector-awakens")
        progress.gate_passed = True
        progress.gate_passed_at = "2026-11-23T14:02:00Z"
        progress.steps_solved.append("0.2")
        state.position = {"module": "vector-awakens", "part": "gate"}

    new = store.update(run.id, change)
    assert new.last_played > run.last_played
    again = store.load(run.id)
    assert again == new
    assert again.modules["vector-awakens"].gate_passed is True
    assert again.modules["vector-awakens"].steps_solved == ["0.2"]
    assert again.position == {"module": "vector-awakens", "part": "gate"}
    assert (_run_dir(store, run.id) / "state.json.bak").is_file()


def test_update_rereads_latest_state_from_disk(tmp_path: Path) -> None:
    one, two = Store(tmp_path), Store(tmp_path)
    run = one.create_run("Ada", ["hacker", "artist"], "python")
    stale = one.load(run.id)
    two.update(run.id, _bump)
    result = one.update(run.id, _bump)  # must not start from `stale`
    assert stale.modules == {}
    assert result.modules["vector-awakens"].gate_attempts == 2


def test_update_change_raising_writes_nothing(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    before = (_run_dir(store, run.id) / "state.json").read_bytes()

    def boom(state: RunState) -> None:
        state.progress("x").gate_attempts = 5
        raise RuntimeError("nope")

    with pytest.raises(RuntimeError):
        store.update(run.id, boom)
    assert (_run_dir(store, run.id) / "state.json").read_bytes() == before


def test_update_refuses_to_write_invalid_state(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    before = (_run_dir(store, run.id) / "state.json").read_bytes()
    with pytest.raises(SaveError, match="invalid"):
        store.update(run.id, lambda s: s.flavors.append("builder"))
    with pytest.raises(SaveError, match="invalid"):
        store.update(run.id, lambda s: setattr(s, "language", "cobol"))
    assert (_run_dir(store, run.id) / "state.json").read_bytes() == before
    # the lock was released: a normal update still works
    assert store.update(run.id, _bump).modules["vector-awakens"].gate_attempts == 1


def test_nested_update_of_same_run_is_refused(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    with pytest.raises(SaveError, match="must not call update"):
        store.update(run.id, lambda s: store.update(run.id, _bump))


def test_progress_creates_default_entry() -> None:
    state = RunState("ada", "Ada", ["hacker", "artist"], "python", "2026-01-01T00:00:00Z",
                     "2026-01-01T00:00:00Z", {}, {"module": None, "part": None})
    entry = state.progress("vector-awakens")
    assert entry == ModuleProgress()
    assert state.modules["vector-awakens"] is entry
    assert state.progress("vector-awakens") is entry


def test_hints_never_decrease(store: Store) -> None:
    progress = ModuleProgress()
    progress.hints_revealed = 2
    progress.hints_revealed = 1
    assert progress.hints_revealed == 2
    progress.hints_revealed = 3
    assert progress.hints_revealed == 3
    with pytest.raises(ValueError):
        progress.hints_revealed = 4
    with pytest.raises(ValueError):
        progress.hints_revealed = -1
    with pytest.raises(ValueError):
        ModuleProgress(hints_revealed=9)

    run = store.create_run("Ada", ["hacker", "artist"], "python")
    store.update(run.id, lambda s: setattr(s.progress("m"), "hints_revealed", 2))
    store.update(run.id, lambda s: setattr(s.progress("m"), "hints_revealed", 0))
    assert store.load(run.id).modules["m"].hints_revealed == 2


def test_list_runs_newest_first(store: Store) -> None:
    assert store.list_runs() == []
    a = store.create_run("Ada", ["hacker", "artist"], "python")
    time.sleep(0.005)
    b = store.create_run("Bob", ["linguist", "builder"], "triton")
    time.sleep(0.005)
    store.update(a.id, lambda s: setattr(s.progress("m"), "gate_passed", True))
    store.update(a.id, lambda s: setattr(s.progress("n"), "boss_defeated", True))
    runs = store.list_runs()
    assert [r.id for r in runs] == ["ada", "bob"]
    assert isinstance(runs[0], RunSummary)
    assert runs[0].gates_passed == 1 and runs[0].bosses_defeated == 1 and runs[0].problem is None
    assert runs[1] == RunSummary("bob", "Bob", ["linguist", "builder"], "triton", b.created, b.last_played, 0, 0, None)


def test_delete_run(store: Store) -> None:
    a = store.create_run("Ada", ["hacker", "artist"], "python")
    store.create_run("Bob", ["hacker", "artist"], "python")
    store.delete_run(a.id)
    assert [r.id for r in store.list_runs()] == ["bob"]
    assert not _run_dir(store, "ada").exists()
    assert not any(p.name.startswith(".") for p in (store.home / "runs").iterdir())
    with pytest.raises(RunNotFound):
        store.load("ada")
    with pytest.raises(RunNotFound):
        store.delete_run("ada")
    with pytest.raises(RunNotFound):
        store.update("ada", _bump)
    # the id is free again
    assert store.create_run("Ada", ["hacker", "artist"], "python").id == "ada"


def test_malicious_ids_are_not_found(store: Store, tmp_path: Path) -> None:
    store.create_run("Ada", ["hacker", "artist"], "python")
    (store.home / "precious").mkdir()
    for bad in ("..", "../precious", "/", "", "ADA", "ada/../ada", ".new-x"):
        with pytest.raises(RunNotFound):
            store.load(bad)
        with pytest.raises(RunNotFound):
            store.delete_run(bad)
    assert (store.home / "precious").is_dir()


# ----------------------------------------------------------------------------- ids and validation


def test_slug_collision(store: Store) -> None:
    assert store.create_run("Ada", ["hacker", "artist"], "python").id == "ada"
    assert store.create_run("Ada", ["hacker", "artist"], "python").id == "ada-2"
    assert store.create_run("ada", ["hacker", "artist"], "python").id == "ada-3"
    assert store.create_run("Ada 2", ["hacker", "artist"], "python").id == "ada-2-2"
    assert store.create_run("Zoë Ünal!", ["hacker", "artist"], "python").id == "zoe-unal"
    assert store.create_run("日本", ["hacker", "artist"], "python").id == "run"
    assert len({r.id for r in store.list_runs()}) == 6


def test_concurrent_creates_get_distinct_ids(store: Store) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            ids.append(Store(store.home).create_run("Ada", ["hacker", "artist"], "python").id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ids) == sorted(["ada"] + [f"ada-{n}" for n in range(2, 9)])


@pytest.mark.parametrize(
    ("name", "flavors", "language", "message"),
    [
        ("   ", ["hacker", "artist"], "python", "needs a name"),
        ("", ["hacker", "artist"], "python", "needs a name"),
        ("x" * 41, ["hacker", "artist"], "python", "limit is 40"),
        ("a\tb", ["hacker", "artist"], "python", "printable"),
        ("a\nb", ["hacker", "artist"], "python", "printable"),
        ("Ada", ["hacker"], "python", "exactly two flavors (you gave 1)"),
        ("Ada", ["hacker", "artist", "builder"], "python", "exactly two flavors (you gave 3)"),
        ("Ada", [], "python", "exactly two flavors (you gave 0)"),
        ("Ada", ["hacker", "Hacker"], "python", "two different flavors"),
        ("Ada", ["hacker", "pirate"], "python", "Unknown flavor 'pirate'"),
        ("Ada", ["hacker", "artist"], "go", "Unknown language 'go'"),
        ("Ada", ["hacker", "artist"], "", "Unknown language"),
    ],
)
def test_validation_messages(store: Store, name: str, flavors: list[str], language: str, message: str) -> None:
    with pytest.raises(SaveError) as info:
        store.create_run(name, flavors, language)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert store.list_runs() == []


def test_validation_accepts_limits(store: Store) -> None:
    assert store.create_run("x" * 40, ("mathematician", "scientist"), "triton").name == "x" * 40
    assert store.create_run("  y  ", ["builder", "linguist"], "rust").name == "y"
    for lang in LANGUAGE_IDS:
        store.create_run("L", ["hacker", "artist"], lang)


# ----------------------------------------------------------------------------- resolve


def test_resolve(store: Store) -> None:
    with pytest.raises(RunNotFound, match="no saved runs"):
        store.resolve(None)
    a = store.create_run("Ada", ["hacker", "artist"], "python")
    time.sleep(0.005)
    b = store.create_run("Grace Hopper", ["builder", "scientist"], "c")
    assert store.resolve(None).id == b.id
    time.sleep(0.005)
    store.update(a.id, _bump)
    assert store.resolve(None).id == a.id
    assert store.resolve("grace-hopper").id == b.id
    assert store.resolve("Grace Hopper").id == b.id
    assert store.resolve("grace hopper").id == b.id  # case-insensitive fallback
    with pytest.raises(RunNotFound) as info:
        store.resolve("Linus")
    assert "Linus" in str(info.value)
    assert "Ada (ada)" in str(info.value) and "Grace Hopper (grace-hopper)" in str(info.value)


def test_resolve_ambiguous_name(store: Store) -> None:
    store.create_run("Ada", ["hacker", "artist"], "python")
    store.create_run("Ada", ["hacker", "artist"], "python")
    assert store.resolve("ada").id == "ada"  # the id wins
    with pytest.raises(SaveError, match=r"Several runs are named 'Ada' \(ada, ada-2\)"):
        store.resolve("Ada")


# ----------------------------------------------------------------------------- corruption and recovery


def _run_with_backup(store: Store) -> tuple[RunState, RunState, bytes]:
    """A run saved three times; returns (state in backup, state in state.json, state.json bytes)."""
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    store.update(run.id, _bump)
    older = store.update(run.id, _bump)
    newest = store.update(run.id, _bump)
    data = (_run_dir(store, run.id) / "state.json").read_bytes()
    return older, newest, data


def _damaged_files(run_dir: Path) -> list[Path]:
    return sorted(run_dir.glob("state.json.damaged-*"))


def _assert_recovered(store: Store, bad: bytes, older: RunState, reason: str | None = None) -> None:
    run_dir = _run_dir(store, "ada")
    (run_dir / "state.json").write_bytes(bad)
    loaded = store.load("ada")
    assert loaded == older
    note = store.last_note("ada")
    assert isinstance(note, LoadNote)
    assert note.message.startswith("Run 'ada': the save file was damaged (")
    assert "restored the last good copy from " in note.message and " UTC" in note.message
    if reason:
        assert reason in note.message
    damaged = _damaged_files(run_dir)
    assert len(damaged) == 1
    assert damaged[0].read_bytes() == bad
    assert str(damaged[0]) in note.message
    # state.json was rewritten as a good current-format file
    assert json.loads((run_dir / "state.json").read_text())["schema"] == SCHEMA_VERSION
    # a second load is clean
    assert store.load("ada") == older
    assert store.last_note("ada") is None
    # and updating continues from the restored state
    after = store.update("ada", _bump)
    assert after.modules["vector-awakens"].gate_attempts == older.modules["vector-awakens"].gate_attempts + 1


def test_recover_from_empty_file(store: Store) -> None:
    older, _, _ = _run_with_backup(store)
    _assert_recovered(store, b"", older, "the file is empty")


def test_recover_from_whitespace_file(store: Store) -> None:
    older, _, _ = _run_with_backup(store)
    _assert_recovered(store, b"\n\n  \n", older, "the file is empty")


@pytest.mark.parametrize("fraction", [0.0, 0.05, 0.25, 0.5, 0.75, 0.97])
def test_recover_from_truncated_file(tmp_path: Path, fraction: float) -> None:
    store = Store(tmp_path)
    older, _, data = _run_with_backup(store)
    cut = max(1, int(len(data.rstrip()) * fraction)) if fraction else 1
    cut = min(cut, len(data.rstrip()) - 1)
    _assert_recovered(store, data[:cut], older, "invalid JSON at byte")


def test_truncation_message_names_the_byte(store: Store) -> None:
    older, _, data = _run_with_backup(store)
    _assert_recovered(store, data[:120], older, "the file looks cut off")


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00" * 64,
        bytes(range(256)),
        b"\xff\xfe{not json",
        "{\"schema\": 2, \u00e9}".encode("utf-8"),
        b"not json at all",
        b'{"schema": 2,,}',
    ],
)
def test_recover_from_garbage(tmp_path: Path, garbage: bytes) -> None:
    store = Store(tmp_path)
    older, _, _ = _run_with_backup(store)
    _assert_recovered(store, garbage, older)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: [], "should hold an object"),
        (lambda d: "ada", "should hold an object"),
        (lambda d: None, "should hold an object"),
        (lambda d: {}, "does not say which save format"),
        (lambda d: {"schema": 2}, "is missing"),
        (lambda d: {**d, "modules": []}, "'modules' should be an object"),
        (lambda d: {**d, "flavors": "hacker,artist"}, "'flavors' should be a list"),
        (lambda d: {**d, "flavors": ["hacker"]}, "exactly two flavors"),
        (lambda d: {**d, "language": "cobol"}, "Unknown language"),
        (lambda d: {**d, "name": 42}, "name"),
        (lambda d: {**d, "created": "yesterday"}, "not a valid date"),
        (lambda d: {**d, "position": ["x"]}, "'position' should be an object"),
        (lambda d: {**d, "modules": {"m": {"gate_attempts": "3"}}}, "gate_attempts"),
        (lambda d: {**d, "modules": {"m": {"gate_attempts": True}}}, "gate_attempts"),
        (lambda d: {**d, "modules": {"m": {"hints_revealed": 7}}}, "hints_revealed"),
        (lambda d: {**d, "modules": {"m": {"steps_solved": [1, 2]}}}, "steps_solved"),
        (lambda d: {**d, "modules": {"m": []}}, "should be an object"),
        (lambda d: {**d, "schema": "2"}, "does not say which save format"),
        (lambda d: {**d, "schema": 99}, "newer version of Neural Forge (save format 99"),
        (lambda d: {**d, "schema": 0}, "unknown save format 0"),
    ],
)
def test_recover_from_wrong_shape(tmp_path: Path, mutate, reason: str) -> None:
    store = Store(tmp_path)
    older, newest, data = _run_with_backup(store)
    bad = json.dumps(mutate(json.loads(data)), indent=2).encode()
    _assert_recovered(store, bad, older, reason)


def test_missing_state_file_restored_from_backup(store: Store) -> None:
    older, _, _ = _run_with_backup(store)
    run_dir = _run_dir(store, "ada")
    (run_dir / "state.json").unlink()
    assert store.load("ada") == older
    note = store.last_note("ada")
    assert note is not None and "missing" in note.message
    assert (run_dir / "state.json").is_file()


def test_both_files_bad_raises_and_keeps_files(store: Store) -> None:
    _run_with_backup(store)
    run_dir = _run_dir(store, "ada")
    (run_dir / "state.json").write_bytes(b'{"truncat')
    (run_dir / "state.json.bak").write_bytes(b"")
    before = sorted(p.name for p in run_dir.iterdir())
    with pytest.raises(SaveError) as info:
        store.load("ada")
    message = str(info.value)
    assert str(run_dir / "state.json") in message
    assert str(run_dir / "state.json.bak") in message
    assert "invalid JSON" in message and "the file is empty" in message
    assert "\n" not in message
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert (run_dir / "state.json").read_bytes() == b'{"truncat'
    with pytest.raises(SaveError):
        store.update("ada", _bump)
    assert (run_dir / "state.json").read_bytes() == b'{"truncat'


def test_damaged_without_backup_raises(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")  # first write: no backup yet
    run_dir = _run_dir(store, run.id)
    assert not (run_dir / "state.json.bak").exists()
    (run_dir / "state.json").write_bytes(b"[")
    with pytest.raises(SaveError, match="state.json.bak"):
        store.load(run.id)
    assert (run_dir / "state.json").read_bytes() == b"["


# ----------------------------------------------------------------------------- oversized and odd files

HUGE = 300 * 1024 * 1024


def _sparse_file(path: Path, size: int) -> None:
    """A file of ``size`` bytes that takes no disk space (a new inode: never the backup's)."""
    path.unlink(missing_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)


def _peak_bytes_while(action) -> tuple[object, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_save_file_is_refused_unread_and_the_backup_restored(store: Store) -> None:
    older, _, _ = _run_with_backup(store)
    run_dir = _run_dir(store, "ada")
    _sparse_file(run_dir / "state.json", HUGE)
    loaded, peak = _peak_bytes_while(lambda: store.load("ada"))
    assert peak < 8 * 1024 * 1024  # its size was checked first: the 300 MB were never read
    assert loaded == older
    note = store.last_note("ada")
    assert note.message.startswith("Run 'ada': the save file was damaged (it is 300 MB, far larger than a save can be")
    assert [p.stat().st_size for p in _damaged_files(run_dir)] == [HUGE]  # kept aside, as any damaged save
    assert store.load("ada") == older and store.last_note("ada") is None


def test_a_huge_save_file_without_a_good_backup_is_named_in_the_error(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")  # no backup yet
    run_dir = _run_dir(store, run.id)
    _sparse_file(run_dir / "state.json", HUGE)
    with pytest.raises(SaveError, match=r"damaged \(it is 300 MB, far larger than a save can be"):
        _peak_bytes_while(lambda: store.load(run.id))
    assert [summary.problem is not None for summary in store.list_runs()] == [True]
    assert (run_dir / "state.json").stat().st_size == HUGE  # nothing deleted


def test_a_fifo_in_place_of_the_save_is_refused_without_hanging(store: Store) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    older, _, _ = _run_with_backup(store)
    run_dir = _run_dir(store, "ada")
    (run_dir / "state.json").unlink()
    os.mkfifo(run_dir / "state.json")
    loaded: list[RunState] = []
    reader = threading.Thread(target=lambda: loaded.append(store.load("ada")), daemon=True)
    reader.start()
    reader.join(30)  # a guard, not a timing: before the fix, open() blocked forever
    assert loaded == [older]
    assert "it is not a regular file" in store.last_note("ada").message


def test_a_change_that_would_make_a_save_too_big_to_load_is_refused(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    before = (_run_dir(store, run.id) / "state.json").read_bytes()

    def bloat(state: RunState) -> None:
        state.progress("vector-awakens").steps_solved = ["x" * 1024] * (17 * 1024)

    with pytest.raises(SaveError, match="more than a save can be"):
        store.update(run.id, bloat)
    assert (_run_dir(store, run.id) / "state.json").read_bytes() == before


def test_list_runs_shows_damaged_runs(store: Store) -> None:
    _run_with_backup(store)
    bob = store.create_run("Bob", ["hacker", "artist"], "python")
    (_run_dir(store, "ada") / "state.json").write_bytes(b"{")
    (_run_dir(store, bob.id) / "state.json").write_bytes(b"{")  # bob has no backup
    runs = {r.id: r for r in store.list_runs()}
    assert set(runs) == {"ada", "bob"}
    assert runs["ada"].problem and "restored the last good copy" in runs["ada"].problem
    assert runs["ada"].name == "Ada" and runs["ada"].gates_passed == 0
    assert runs["bob"].problem and "cannot be loaded" in runs["bob"].problem
    assert runs["bob"].name == "bob"
    # the recovered run is loadable and now clean; resolve(None) skips the unreadable one
    assert store.load("ada").name == "Ada" and store.last_note("ada") is None
    assert store.resolve(None).id == "ada"


def test_stray_tmp_is_ignored_and_removed_on_next_write(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    run_dir = _run_dir(store, run.id)
    (run_dir / "state.json.tmp").write_bytes(b'{"half a wri')
    (run_dir / "state.json.bak.tmp").write_bytes(b"junk")
    assert store.load(run.id) == run
    assert store.last_note(run.id) is None
    store.update(run.id, _bump)
    assert not (run_dir / "state.json.tmp").exists()
    assert not (run_dir / "state.json.bak.tmp").exists()


def test_folder_name_is_the_id(store: Store) -> None:
    store.create_run("Ada", ["hacker", "artist"], "python")
    os.rename(_run_dir(store, "ada"), _run_dir(store, "renamed"))
    assert store.load("renamed").id == "renamed"
    assert store.update("renamed", _bump).id == "renamed"


# ----------------------------------------------------------------------------- migrations


def test_migrate_function_on_fixture() -> None:
    original = json.loads(FIXTURE_V1.read_text())
    data = migrate(original)
    assert original["version"] == 1  # input untouched
    assert data["schema"] == 2
    assert data == v1_to_v2(original)
    assert migrate(data) == data  # current format passes through


def test_load_migrates_v1_fixture(store: Store) -> None:
    run_dir = store.home / "runs" / "ada"
    run_dir.mkdir(parents=True)
    shutil.copyfile(FIXTURE_V1, run_dir / "state.json")
    state = store.load("ada")
    assert isinstance(state, RunState)
    assert state.schema == 2
    assert state.id == "ada"
    assert state.name == "Ada"
    assert state.flavors == ["hacker", "artist"]
    assert state.language == "python"
    assert state.created == "2025-11-23T12:13:20.000Z"
    assert state.last_played == state.created
    assert state.position == {"module": None, "part": None}
    assert set(state.modules) == {"vector-awakens", "calculus-of-slopes"}
    va, cs = state.modules["vector-awakens"], state.modules["calculus-of-slopes"]
    assert va.gate_passed and va.boss_defeated
    assert cs.gate_passed and not cs.boss_defeated
    assert va.gate_attempts == 0 and va.hints_revealed == 0 and va.steps_solved == []
    assert store.last_note("ada") is None  # an upgrade is not a recovery

    # written back as v2, original kept aside
    on_disk = json.loads((run_dir / "state.json").read_text())
    assert on_disk["schema"] == 2 and "version" not in on_disk
    assert RunState.from_dict(on_disk, "ada") == state
    assert (run_dir / "state.json.v1").read_bytes() == FIXTURE_V1.read_bytes()
    assert store.load("ada") == state
    summary = store.list_runs()[0]
    assert (summary.gates_passed, summary.bosses_defeated, summary.problem) == (2, 1, None)


def test_v1_run_id_is_folder_name(store: Store) -> None:
    run_dir = store.home / "runs" / "old-save"
    run_dir.mkdir(parents=True)
    shutil.copyfile(FIXTURE_V1, run_dir / "state.json")
    state = store.update("old-save", _bump)
    assert state.id == "old-save" and state.name == "Ada"
    assert state.modules["vector-awakens"].gate_attempts == 1
    assert (run_dir / "state.json.v1").is_file()


def test_bad_v1_file_recovers_or_fails_clearly(store: Store) -> None:
    run_dir = store.home / "runs" / "ada"
    run_dir.mkdir(parents=True)
    (run_dir / "state.json").write_text(json.dumps({"version": 1, "player": "Ada", "flavours": 3}))
    with pytest.raises(SaveError, match="format 1"):
        store.load("ada")


# ----------------------------------------------------------------------------- processes and locks


def _increment_worker(home: str, run_id: str, times: int, start) -> None:
    store = Store(Path(home), lock_timeout=30)
    start.wait()
    for _ in range(times):
        store.update(run_id, _bump)


def test_two_processes_updating_never_lose_writes(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_increment_worker, args=(str(store.home), run.id, 200, start)) for _ in range(2)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert store.load(run.id).modules["vector-awakens"].gate_attempts == 400
    assert store.last_note(run.id) is None


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from forge_tui.saves import Store
store = Store(Path(sys.argv[1]))
def hold(state):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
store.update(sys.argv[2], hold)
"""


def test_run_busy_when_another_process_holds_the_lock(store: Store) -> None:
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(store.home), run.id, "10"],
        stdout=subprocess.PIPE,
        env=_child_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"locked"
        impatient = Store(store.home, lock_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(RunBusy) as info:
            impatient.update(run.id, _bump)
        waited = time.monotonic() - started
        assert 0.15 <= waited < 2.0
        assert str(info.value) == (
            f"run 'ada' is being saved by another Neural Forge process (pid {child.pid}); try again"
        )
        assert isinstance(info.value, SaveError)
        # reading needs no lock
        assert impatient.load(run.id).modules == {}
    finally:
        child.kill()
        child.wait()
    # a killed holder releases the lock
    assert Store(store.home, lock_timeout=0.5).update(run.id, _bump).modules["vector-awakens"].gate_attempts == 1


def test_store_is_stdlib_only() -> None:
    code = (
        "import sys, forge_tui.saves; "
        "bad = [m for m in ('numpy', 'sympy', 'textual', 'rich', 'platformdirs') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_child_env(), check=True)
    assert out.stdout.strip() == ""

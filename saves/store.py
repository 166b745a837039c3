"""Persistence of runs: one JSON file per run, atomic writes, a per-run lock, recovery.

Layout under ``home``::

    runs/<id>/state.json              the run (JSON, indent=2, sorted keys)
    runs/<id>/state.json.bak          the previous good state.json (a hard link to it, or a copy)
    runs/<id>/state.json.tmp          being written; a stray one (writer killed) is ignored
    runs/<id>/state.json.damaged-<UTC stamp>   a damaged file kept aside by recovery
    runs/<id>/state.json.v<N>         the original file of an old format, kept after upgrading
    runs/<id>/lock                    flock()ed by writers; holds the writer's pid

Write protocol (always under the lock): write ``state.json.tmp``, flush + fsync;
hard-link the current ``state.json`` to ``state.json.bak.tmp`` and ``os.replace`` that
onto ``state.json.bak``; ``os.replace(tmp, state.json)``; fsync the directory. At every
instant there is a complete ``state.json`` (and, after the first write, a complete
``state.json.bak``). Readers take no lock: every file they can see is complete.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .migrations import file_version, migrate
from .model import (
    SCHEMA_VERSION,
    LoadNote,
    RunBusy,
    RunNotFound,
    RunState,
    RunSummary,
    SaveError,
    SaveFormatError,
    is_valid_run_id,
    parse_iso,
    slugify,
    utc_now_iso,
    validate_flavors,
    validate_language,
    validate_name,
)

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

STATE = "state.json"
BACKUP = "state.json.bak"
TEMP = "state.json.tmp"
BACKUP_TEMP = "state.json.bak.tmp"
LOCK = "lock"
RUNS = "runs"
DEFAULT_LOCK_TIMEOUT = 3.0
# A save is a few kilobytes; a file far larger is damage (or mischief), and is refused before
# it is read, so a 300 MB file costs neither the memory nor the time of reading it.
MAX_SAVE_BYTES = 16 * 1024 * 1024
_STAGING_PREFIX = ".new-"
_STALE_STAGING_S = 3600.0

_local = threading.local()


def _held_locks() -> dict[str, int]:
    """Lock files this thread holds (path -> depth): lets recovery run inside update()."""
    held = getattr(_local, "held", None)
    if held is None:
        held = _local.held = {}
    return held


def _updating() -> set[str]:
    busy = getattr(_local, "updating", None)
    if busy is None:
        busy = _local.updating = set()
    return busy


class _Damaged(Exception):
    """A save file could not be used; ``reason`` is a short phrase for the player."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Read:
    state: RunState
    version: int  # the format the file was in (migrated in memory if older)
    raw: bytes


class Store:
    """All saved runs under one data directory (``home``); runs live in ``home/runs/<id>/``.

    ``lock_timeout`` is how long a write waits for another process holding the run's lock
    before raising :class:`RunBusy`.
    """

    def __init__(self, home: Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.home = Path(home)
        self.lock_timeout = float(lock_timeout)
        self._notes: dict[str, LoadNote | None] = {}

    # ------------------------------------------------------------------ paths

    @property
    def runs_dir(self) -> Path:
        return self.home / RUNS

    def _run_dir(self, run_id: str) -> Path:
        """The run's folder; RunNotFound if the id is malformed or the folder is absent."""
        if not is_valid_run_id(run_id):
            raise RunNotFound(f"There is no run with the id {run_id!r}. {self._known_runs_text()}")
        path = self.runs_dir / run_id
        if not path.is_dir():
            raise RunNotFound(f"There is no run with the id '{run_id}'. {self._known_runs_text()}")
        return path

    def _run_ids(self) -> list[str]:
        try:
            entries = list(os.scandir(self.runs_dir))
        except FileNotFoundError:
            return []
        return sorted(e.name for e in entries if is_valid_run_id(e.name) and e.is_dir())

    def _known_runs_text(self) -> str:
        ids = self._run_ids()
        if not ids:
            return "There are no saved runs yet."
        return "Known runs: " + ", ".join(ids) + "."

    # ------------------------------------------------------------------ public API

    def list_runs(self) -> list[RunSummary]:
        """Every run, most recently played first; damaged runs are listed with ``problem`` set."""
        return [summary for summary, _ in self._scan()]

    def create_run(self, name: str, flavors: Sequence[str], language: str) -> RunState:
        """Validate and create a new run; its id is a slug of the name, made unique."""
        name = validate_name(name)
        flavors = validate_flavors(flavors)
        language = validate_language(language)
        now = utc_now_iso()
        state = RunState(
            id="",
            name=name,
            flavors=flavors,
            language=language,
            created=now,
            last_played=now,
            modules={},
            position={"module": None, "part": None},
        )
        runs = self.runs_dir
        try:
            runs.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveError(f"Could not create the saves folder {runs}: {exc.strerror or exc}.") from None
        self._clean_stale_staging()
        # Build the run in a private folder, then rename it into place: the rename claims the
        # id atomically (it fails if that folder exists and is not empty), so two processes
        # creating "Ada" at once get "ada" and "ada-2", and no half-made run is ever visible.
        staging = runs / f"{_STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
            base = slugify(name)
            for number in range(1, 10_000):
                candidate = base if number == 1 else f"{base}-{number}"
                target = runs / candidate
                if os.path.lexists(target):
                    continue
                state.id = candidate
                for leftover in (STATE, BACKUP):
                    _unlink_quietly(staging / leftover)
                self._write_state(staging, state)
                try:
                    os.rename(staging, target)
                except OSError as exc:
                    if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or isinstance(exc, FileExistsError):
                        continue
                    raise
                _fsync_dir(runs)
                self._notes[candidate] = None
                return state
            raise SaveError(f"Too many runs are named like '{name}'; pick another name.")
        except OSError as exc:
            raise SaveError(f"Could not save the new run in {runs}: {exc.strerror or exc}.") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def load(self, run_id: str) -> RunState:
        """Read a run, upgrading an old format and recovering from the backup if needed."""
        run_dir = self._run_dir(run_id)
        try:
            read = self._read(run_dir / STATE, run_id)
        except _Damaged:
            read = None
        if read is not None and read.version == SCHEMA_VERSION:
            self._notes[run_id] = None
            return read.state
        # Damaged, missing or old-format: fix it on disk, under the lock.
        with self._lock(run_id):
            return self._load_locked(run_id)

    def last_note(self, run_id: str) -> LoadNote | None:
        """The recovery message of the most recent load of ``run_id`` by this Store, if any."""
        return self._notes.get(run_id)

    def update(self, run_id: str, change: Callable[[RunState], None]) -> RunState:
        """Apply ``change`` to the latest state on disk and save it, under the run's lock.

        If ``change`` raises, nothing is written and the exception propagates. If it leaves
        the state invalid (e.g. three flavors), SaveError is raised and nothing is written.
        """
        run_dir = self._run_dir(run_id)
        key = os.path.abspath(run_dir / LOCK)
        if key in _updating():
            raise SaveError(f"Run '{run_id}' is already being updated; a change function must not call update() itself.")
        _updating().add(key)
        try:
            with self._lock(run_id):
                state = self._load_locked(run_id)
                change(state)
                state.id = run_id
                state.schema = SCHEMA_VERSION
                state.last_played = utc_now_iso()
                try:
                    checked = RunState.from_dict(json.loads(_dumps(state)), run_id)
                except (SaveFormatError, TypeError, ValueError, AttributeError) as exc:
                    raise SaveError(f"Refusing to save run '{run_id}': the change left it invalid ({exc}).") from None
                try:
                    self._write_state(run_dir, checked)
                except OSError as exc:
                    raise SaveError(f"Could not save run '{run_id}' in {run_dir}: {exc.strerror or exc}.") from None
                return checked
        finally:
            _updating().discard(key)

    def delete_run(self, run_id: str) -> None:
        """Delete a run and all its files (waits for a writer to finish first)."""
        run_dir = self._run_dir(run_id)
        graveyard = self.runs_dir / f"{_STAGING_PREFIX}deleted-{run_id}-{secrets.token_hex(4)}"
        with self._lock(run_id):
            try:
                os.rename(run_dir, graveyard)
            except FileNotFoundError:
                raise RunNotFound(f"There is no run with the id '{run_id}'. {self._known_runs_text()}") from None
            except OSError as exc:
                raise SaveError(f"Could not delete run '{run_id}' ({run_dir}): {exc.strerror or exc}.") from None
        self._notes.pop(run_id, None)
        shutil.rmtree(graveyard, ignore_errors=True)
        _fsync_dir(self.runs_dir)

    def resolve(self, name_or_id: str | None) -> RunState:
        """Find a run by id, else by exact name (then case-insensitive name).

        ``None`` gives the most recently played readable run. Raises RunNotFound (listing the
        known runs) if nothing matches, SaveError if several runs share that name.
        """
        scanned = self._scan()
        readable = [(summary, state) for summary, state in scanned if state is not None]
        if name_or_id is None:
            if readable:
                return readable[0][1]
            if scanned:
                raise RunNotFound(f"No saved run can be read: {scanned[0][0].problem}")
            raise RunNotFound("There are no saved runs yet; start a new one.")
        wanted = name_or_id.strip()
        if is_valid_run_id(wanted) and (self.runs_dir / wanted).is_dir():
            return self.load(wanted)
        for matches in (
            [state for _, state in readable if state.name == wanted],
            [state for _, state in readable if state.name.casefold() == wanted.casefold()],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                ids = ", ".join(sorted(state.id for state in matches))
                raise SaveError(f"Several runs are named '{wanted}' ({ids}); choose one by its id.")
        known = ", ".join(f"{s.name} ({s.id})" if s.name != s.id else s.id for s, _ in scanned)
        if known:
            raise RunNotFound(f"There is no run called '{wanted}'. Known runs: {known}.")
        raise RunNotFound(f"There is no run called '{wanted}'; there are no saved runs yet.")

    # ------------------------------------------------------------------ scanning

    def _scan(self) -> list[tuple[RunSummary, RunState | None]]:
        rows: list[tuple[RunSummary, RunState | None]] = []
        for run_id in self._run_ids():
            try:
                state = self.load(run_id)
            except RunNotFound:
                continue  # deleted meanwhile
            except SaveError as exc:
                rows.append((RunSummary(run_id, run_id, [], "", "", "", 0, 0, problem=str(exc)), None))
                continue
            note = self._notes.get(run_id)
            summary = RunSummary(
                id=state.id,
                name=state.name,
                flavors=list(state.flavors),
                language=state.language,
                created=state.created,
                last_played=state.last_played,
                gates_passed=state.gates_passed,
                bosses_defeated=state.bosses_defeated,
                problem=note.message if note else None,
            )
            rows.append((summary, state))
        # Rows come in id order; the sort is stable, so runs played at the same instant stay in id order.
        rows.sort(key=lambda row: _sort_time(row[0].last_played), reverse=True)
        return rows

    # ------------------------------------------------------------------ reading & recovery

    def _read(self, path: Path, run_id: str) -> _Read:
        """Parse one save file into a current-format RunState, or raise _Damaged(reason)."""
        raw = _read_bounded(path)
        if not raw.strip():
            raise _Damaged("the file is empty")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Damaged(f"it is not text: invalid UTF-8 at byte {exc.start}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            byte = len(text[: exc.pos].encode("utf-8"))
            cut = byte >= len(raw.rstrip()) or exc.msg.startswith("Unterminated")
            raise _Damaged(f"invalid JSON at byte {byte}{'; the file looks cut off' if cut else ''}") from None
        except (ValueError, RecursionError):
            raise _Damaged("invalid JSON") from None
        try:
            version = file_version(data)
            state = RunState.from_dict(migrate(data), run_id)
        except SaveFormatError as exc:
            raise _Damaged(_reason(exc)) from None
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
            raise _Damaged(f"unexpected contents ({exc})") from None
        return _Read(state=state, version=version, raw=raw)

    def _load_locked(self, run_id: str) -> RunState:
        """Load with the lock held: upgrade an old format on disk, or recover from the backup."""
        run_dir = self._run_dir(run_id)
        try:
            read = self._read(run_dir / STATE, run_id)
        except _Damaged as damaged:
            return self._recover(run_id, run_dir, damaged.reason)
        if read.version != SCHEMA_VERSION:
            self._upgrade(run_dir, read)
        self._notes[run_id] = None
        return read.state

    def _upgrade(self, run_dir: Path, read: _Read) -> None:
        """Keep the old-format file aside as state.json.v<N> and write the current format."""
        original = run_dir / f"{STATE}.v{read.version}"
        if os.path.lexists(original):
            original = _unique(run_dir / f"{STATE}.v{read.version}-{_stamp()}")
        try:
            _write_bytes_atomic(original, read.raw)
            self._write_state(run_dir, read.state)
        except OSError as exc:
            raise SaveError(f"Could not upgrade run '{read.state.id}' in {run_dir}: {exc.strerror or exc}.") from None

    def _recover(self, run_id: str, run_dir: Path, reason: str) -> RunState:
        state_path, backup_path = run_dir / STATE, run_dir / BACKUP
        missing = not os.path.lexists(state_path)
        try:
            backup = self._read(backup_path, run_id)
        except _Damaged as bad_backup:
            if missing and not os.path.lexists(backup_path):
                raise SaveError(
                    f"Run '{run_id}' has no save file: neither {state_path} nor {backup_path} exists."
                ) from None
            if missing:
                raise SaveError(
                    f"Run '{run_id}' cannot be loaded: the save file {state_path} is missing and the backup "
                    f"{backup_path} is unusable ({bad_backup.reason}). Nothing was deleted."
                ) from None
            raise SaveError(
                f"Run '{run_id}' cannot be loaded: the save file {state_path} is damaged ({reason}) and the backup "
                f"{backup_path} is unusable ({bad_backup.reason}). Both files were left as they are."
            ) from None
        kept: Path | None = None
        try:
            if not missing:
                kept = _unique(run_dir / f"{STATE}.damaged-{_stamp()}")
                os.replace(state_path, kept)
            # state.json is now absent, so this write leaves the good backup untouched.
            self._write_state(run_dir, backup.state)
        except OSError as exc:
            raise SaveError(
                f"Run '{run_id}': the save file {state_path} is damaged ({reason}) and restoring the backup "
                f"{backup_path} failed: {exc.strerror or exc}."
            ) from None
        when = _file_time(backup_path)
        if missing:
            message = f"Run '{run_id}': the save file was missing; restored the last good copy from {when}."
        else:
            message = (
                f"Run '{run_id}': the save file was damaged ({reason}); restored the last good copy from {when}. "
                f"The damaged file is kept at {kept}."
            )
        self._notes[run_id] = LoadNote(message)
        return backup.state

    # ------------------------------------------------------------------ writing

    def _write_state(self, run_dir: Path, state: RunState) -> None:
        """Atomically replace run_dir/state.json, keeping the previous one as state.json.bak.

        Callers hold the lock (or own the folder) and have just read state.json as good.
        """
        data = _dumps(state).encode("utf-8")
        if len(data) > MAX_SAVE_BYTES:  # it could not be loaded again
            raise SaveError(f"Refusing to save run '{state.id}': it would be {_megabytes(len(data))}, "
                            f"more than a save can be ({_megabytes(MAX_SAVE_BYTES)}).")
        tmp = run_dir / TEMP
        _write_file_synced(tmp, data)  # truncates any stray tmp left by a killed writer
        current = run_dir / STATE
        if os.path.lexists(current):
            link = run_dir / BACKUP_TEMP
            _unlink_quietly(link)
            try:
                os.link(current, link)
            except OSError:  # no hard links on this filesystem: copy instead
                _write_file_synced(link, current.read_bytes())
            os.replace(link, run_dir / BACKUP)
            # rename() is a no-op when both names are links to one file (a writer killed
            # between the two replaces leaves state.json and its backup as one inode)
            _unlink_quietly(link)
        os.replace(tmp, current)
        _fsync_dir(run_dir)

    # ------------------------------------------------------------------ locking

    @contextmanager
    def _lock(self, run_id: str) -> Iterator[None]:
        run_dir = self._run_dir(run_id)
        path = run_dir / LOCK
        key = os.path.abspath(path)
        held = _held_locks()
        if key in held:  # this thread already holds it (recovery inside update)
            held[key] += 1
            try:
                yield
            finally:
                held[key] -= 1
            return
        fd = self._acquire(run_id, path)
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
            try:
                _unlock(fd)
            finally:
                os.close(fd)

    def _acquire(self, run_id: str, path: Path) -> int:
        deadline = time.monotonic() + max(self.lock_timeout, 0.0)
        delay = 0.0005
        fd = -1
        try:
            while True:
                if fd < 0:
                    try:
                        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                    except FileNotFoundError:
                        raise RunNotFound(
                            f"There is no run with the id '{run_id}'. {self._known_runs_text()}"
                        ) from None
                if _try_lock(fd):
                    # The folder may have been deleted (renamed away) while we waited.
                    try:
                        same = os.stat(path).st_ino == os.fstat(fd).st_ino
                    except FileNotFoundError:
                        same = False
                    if same:
                        _write_pid(fd)
                        held_fd, fd = fd, -1
                        return held_fd
                    _unlock(fd)
                    os.close(fd)
                    fd = -1
                    if not path.parent.is_dir():
                        raise RunNotFound(f"Run '{run_id}' was deleted. {self._known_runs_text()}")
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pid = _read_pid(fd)
                    who = f" (pid {pid})" if pid else ""
                    raise RunBusy(f"run '{run_id}' is being saved by another Neural Forge process{who}; try again")
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.01)
        finally:
            if fd >= 0:
                os.close(fd)

    # ------------------------------------------------------------------ housekeeping

    def _clean_stale_staging(self) -> None:
        cutoff = time.time() - _STALE_STAGING_S
        try:
            entries = list(os.scandir(self.runs_dir))
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith(_STAGING_PREFIX):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        shutil.rmtree(entry.path, ignore_errors=True)
                except OSError:
                    pass


# ---------------------------------------------------------------------- helpers


def _dumps(state: RunState) -> str:
    return json.dumps(state.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def _reason(exc: Exception) -> str:
    text = str(exc)
    if text.startswith("it was written by"):
        return text
    return f"unexpected contents: {text}"


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _unique(path: Path) -> Path:
    if not os.path.lexists(path):
        return path
    for number in range(2, 10_000):
        candidate = path.with_name(f"{path.name}-{number}")
        if not os.path.lexists(candidate):
            return candidate
    raise SaveError(f"Too many damaged copies next to {path}; please tidy that folder.")


def _file_time(path: Path) -> str:
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return "an unknown time"
    return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _sort_time(stamp: str) -> float:
    try:
        return parse_iso(stamp).timestamp() if stamp else float("-inf")
    except ValueError:
        return float("-inf")


def _read_bounded(path: Path) -> bytes:
    """The bytes of a save file, or _Damaged: missing, unreadable, not a regular file, or larger
    than MAX_SAVE_BYTES (its size is checked before a byte is read)."""
    try:
        # O_NONBLOCK: a FIFO put in the file's place opens at once (and is refused) instead of hanging
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb", buffering=0) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _Damaged("it is not a regular file")
            if info.st_size > MAX_SAVE_BYTES:
                raise _Damaged(f"it is {_megabytes(info.st_size)}, far larger than a save can be "
                               f"({_megabytes(MAX_SAVE_BYTES)} at most)")
            raw = handle.read(info.st_size + 1)  # (a larger read would allocate that much up front)
            if len(raw) > info.st_size:  # it grew after the check: read on, within the bound
                raw += handle.read(MAX_SAVE_BYTES + 1 - len(raw))
    except FileNotFoundError:
        raise _Damaged("the file is missing") from None
    except OSError as exc:
        raise _Damaged(f"it could not be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_SAVE_BYTES:
        raise _Damaged(f"it is larger than a save can be ({_megabytes(MAX_SAVE_BYTES)} at most)")
    return raw


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _write_file_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    _write_file_synced(tmp, data)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows: directories cannot be opened
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


def _write_pid(fd: int) -> None:
    """Record the holder's pid in the lock file so a waiting process can name it."""
    try:
        data = f"{os.getpid()}\n".encode()
        if fcntl is not None:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        else:  # pragma: no cover - Windows: byte 0 is locked, write after it
            os.lseek(fd, 1, os.SEEK_SET)
            os.write(fd, data)
    except OSError:
        pass


def _read_pid(fd: int) -> int | None:
    try:
        if fcntl is not None:
            raw = os.pread(fd, 32, 0)
        else:  # pragma: no cover - Windows
            os.lseek(fd, 1, os.SEEK_SET)
            raw = os.read(fd, 32)
        return int(raw.decode("ascii").strip() or "0") or None
    except (OSError, ValueError, UnicodeDecodeError):
        return None

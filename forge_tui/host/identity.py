"""Who is playing: the roster, key fingerprints, and where each identity's saves live.

Standard library only (no asyncssh): `neuralforge class` reads the same layout without the
SSH server's dependencies.

Layout under the host's data directory::

    host/ssh_host_ed25519_key        the host key (mode 0600), made on first start
    host/identities/<id>.json        who an identity is: name, key fingerprints, first/last seen
    players/<id>/                    that identity's NEURALFORGE_HOME (runs/, labs), mode 0700

A roster is an ``authorized_keys``-style file: one public key a line, the player's name the
last word of the comment, and the word ``teacher`` after the name marks a teacher. A player's
``.pub`` file pasted as it is works too: its one-word comment ``user@laptop`` names the player
by the part before ``@``::

    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... ada
    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... grace teacher
    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alan@laptop          (the player "alan")
    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alan@laptop turing   (the player "turing")

``authorized_keys`` options before the key type (``restrict,no-pty ...``) are skipped. One
player may have several keys (several lines with the same name), but a name taken from a
``user@host`` comment must be on that line only: two students who are both ``pi@raspberrypi``
would otherwise share one player's saves. Names are lower-cased.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
TEACHER_WORD = "teacher"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
OPEN_PREFIX = "key-"  # folder names of identities first seen in --open mode


class RosterError(ValueError):
    """The roster file cannot be used; the message names the line."""


def fingerprint(key_blob: bytes) -> str:
    """OpenSSH's SHA-256 fingerprint of a public key blob: ``SHA256:<base64, no padding>``."""
    digest = hashlib.sha256(key_blob).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def open_identity_id(key_blob: bytes) -> str:
    """The folder name of an identity known only by its key (``--open`` mode)."""
    return OPEN_PREFIX + hashlib.sha256(key_blob).hexdigest()[:24]


@dataclass(frozen=True)
class Identity:
    id: str  # folder name under players/: the roster name, or key-<hex> in open mode
    name: str  # what the teacher's table shows
    fingerprint: str  # the key this session authenticated with
    teacher: bool = False


@dataclass(frozen=True)
class RosterEntry:
    name: str
    key_type: str
    key_blob: bytes
    teacher: bool
    line: int
    from_comment: str = ""  # the user@host comment the name was taken from (its part before '@')

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key_blob)


class Roster:
    """The admitted keys, by fingerprint."""

    def __init__(self, entries: list[RosterEntry]):
        self.entries = entries
        self._by_fingerprint = {e.fingerprint: e for e in entries}

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, key_blob: bytes) -> Identity | None:
        entry = self._by_fingerprint.get(fingerprint(key_blob))
        if entry is None:
            return None
        return Identity(id=entry.name, name=entry.name, fingerprint=entry.fingerprint, teacher=entry.teacher)

    @property
    def names(self) -> list[str]:
        return sorted({e.name for e in self.entries})


def parse_roster(text: str, source: str = "roster") -> Roster:
    """Parse an authorized_keys-style roster; RosterError names the first bad line."""
    entries: list[RosterEntry] = []
    seen: dict[str, RosterEntry] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        start = next((i for i, w in enumerate(words) if w in KEY_TYPES), None)
        if start is None:
            raise RosterError(f"{source} line {number}: no public key type ({', '.join(KEY_TYPES[:3])}, ...) found")
        if start + 1 >= len(words):
            raise RosterError(f"{source} line {number}: the key itself is missing after {words[start]}")
        key_type, encoded, comment = words[start], words[start + 1], words[start + 2 :]
        try:
            blob = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise RosterError(f"{source} line {number}: the key is not valid base64") from None
        if not _blob_has_type(blob, key_type):
            raise RosterError(f"{source} line {number}: the key's data does not match its type {key_type}")
        where = f"{source} line {number}"
        name, teacher, from_comment = player_of(comment, where)
        entry = RosterEntry(name=name, key_type=key_type, key_blob=blob, teacher=teacher, line=number,
                            from_comment=from_comment)
        earlier = seen.get(entry.fingerprint)
        if earlier is not None and earlier.name != name:
            raise RosterError(f"{where}: this key is already listed for {earlier.name!r} on line {earlier.line}")
        seen[entry.fingerprint] = entry
        entries.append(entry)
    _refuse_shared_derived_names(entries, source)
    return Roster(entries)


def player_of(comment: list[str], where: str) -> tuple[str, bool, str]:
    """(name, teacher, the user@host word the name was taken from, or "") from the words after a
    key; RosterError, naming the line and why, otherwise.

    The last word names the player; a last word ``teacher`` after a name marks a teacher. A
    comment of one word like ``user@laptop`` (what ssh-keygen writes) names ``user``.
    """
    words = list(comment)
    teacher = len(words) >= 2 and words[-1].lower() == TEACHER_WORD
    if teacher:
        words.pop()
    if not words:
        raise RosterError(f"{where}: add the player's name after the key (e.g. '... ada')")
    word = words[-1]
    from_comment = word if len(words) == 1 and "@" in word else ""
    name = (word.split("@", 1)[0] if from_comment else word).lower()
    if not _NAME_RE.match(name) or name.startswith(OPEN_PREFIX):
        given = f"the comment {word!r} gives the name {name!r}, which" if from_comment else f"the name {word!r}"
        raise RosterError(
            f"{where}: {given} must be 1-40 letters, digits, '.', '_' or '-' (starting with a letter or digit, "
            f"not '{OPEN_PREFIX}'); the player's name is the last word of the line, e.g. '... {word} ada'"
        )
    return name, teacher, from_comment


def _refuse_shared_derived_names(entries: list[RosterEntry], source: str) -> None:
    """A name taken from a user@host comment belongs to that line's key alone: two students who
    are both pi@raspberrypi must not share one player's saves."""
    for index, entry in enumerate(entries):
        for earlier in entries[:index]:
            if earlier.name != entry.name or earlier.fingerprint == entry.fingerprint:
                continue
            taken = entry if entry.from_comment else earlier
            if taken.from_comment:
                raise RosterError(
                    f"{source} line {entry.line}: the name {entry.name!r} is on line {earlier.line} too, and line "
                    f"{taken.line} takes it from the comment {taken.from_comment!r}: two people could share one "
                    f"player's saves; write each player's name at the end of their line "
                    f"(e.g. '... {taken.from_comment} ada')"
                )


def load_roster(path: Path) -> Roster:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise RosterError(f"cannot read the roster {path}: {err.strerror or err}") from None
    roster = parse_roster(text, source=str(path))
    if not roster.entries:
        raise RosterError(f"the roster {path} lists no keys")
    return roster


def _blob_has_type(blob: bytes, key_type: str) -> bool:
    """An SSH public key blob starts with its type as a length-prefixed string."""
    if len(blob) < 4:
        return False
    length = int.from_bytes(blob[:4], "big")
    return blob[4 : 4 + length] == key_type.encode("ascii")


# --------------------------------------------------------------------------- the host's folders


class HostPaths:
    """Every path the host uses, under one data directory."""

    def __init__(self, data: Path):
        self.data = Path(data)

    @property
    def host_dir(self) -> Path:
        return self.data / "host"

    @property
    def host_key(self) -> Path:
        return self.host_dir / "ssh_host_ed25519_key"

    @property
    def identities_dir(self) -> Path:
        return self.host_dir / "identities"

    @property
    def players_dir(self) -> Path:
        return self.data / "players"

    def player_home(self, identity_id: str) -> Path:
        """The identity's NEURALFORGE_HOME; refuses anything that is not a plain folder name."""
        if identity_id.startswith(OPEN_PREFIX):
            valid = re.fullmatch(OPEN_PREFIX + r"[0-9a-f]{24}", identity_id) is not None
        else:
            valid = _NAME_RE.match(identity_id) is not None
        if not valid:
            raise ValueError(f"not an identity id: {identity_id!r}")
        return self.players_dir / identity_id

    def prepare(self) -> None:
        for folder in (self.data, self.host_dir, self.identities_dir, self.players_dir):
            folder.mkdir(parents=True, exist_ok=True)
        for folder in (self.host_dir, self.identities_dir, self.players_dir):
            os.chmod(folder, 0o700)

    def ensure_player(self, identity: Identity) -> Path:
        """Make (or find) the identity's folder and record that it was seen now."""
        home = self.player_home(identity.id)
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = self.identities_dir / f"{identity.id}.json"
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        data = read_identity_record(record) or {"id": identity.id, "first_seen": now, "fingerprints": []}
        data["name"] = identity.name
        data["teacher"] = identity.teacher
        data["last_seen"] = now
        if identity.fingerprint not in data["fingerprints"]:
            data["fingerprints"].append(identity.fingerprint)
        temp = record.with_suffix(f".tmp-{os.getpid()}")
        temp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temp, record)
        return home

    def known_identities(self) -> dict[str, dict]:
        """Identity id -> its record, for every player folder (a folder without a record gets a bare one)."""
        known: dict[str, dict] = {}
        try:
            folders = sorted(p.name for p in self.players_dir.iterdir() if p.is_dir())
        except FileNotFoundError:
            folders = []
        for folder in folders:
            record = read_identity_record(self.identities_dir / f"{folder}.json") or {}
            known[folder] = {"id": folder, "name": record.get("name", folder), **record}
        return known


def read_identity_record(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None

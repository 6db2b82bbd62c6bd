"""Signed tree heads (checkpoints) of an append-only log, and checking a log against them.

Domain-free: this file knows Merkle trees, Ed25519 and JSON, not what the log entries mean.

Threat model
============
The log lives in the platform's own database, so whoever gains write access to that database
(an operator with admin rights, an attacker with a stolen database password, a restored
backup) can edit, delete, reorder or insert rows, and recompute every stored hash. Hashes alone
therefore prove nothing; what they do is make the *whole history* collapse into one 32-byte
Merkle root per size (RFC 6962). Two things turn that root into evidence:

1. **Checkpoints kept elsewhere.** ``industrybrain audit checkpoint --out FILE`` exports a signed
   tree head ``(size, root, time)`` together with the public key(s) it trusts. Keep it out of
   reach of the database's administrators (another organisation, WORM storage, an e-mail to the
   supervising authority). Verification recomputes every leaf from the rows as stored and proves,
   with an RFC 6962 consistency proof, that the tree of the first ``size`` entries still has that
   root. Editing, deleting, reordering, inserting or forging any entry before ``size``, or
   truncating the log below ``size``, changes that root; finding another history with the same
   root means a SHA-256 collision.
2. **Signatures say who made a head, not that history is intact.** Heads are signed with an
   Ed25519 key (a file in the data directory, or ``IB_AUDIT_KEY_FILE``). A thief of that key can
   sign a head over a rewritten log, and can even sign a rotation to a key of his own. That does
   not help him against a checkpoint exported *before* the rewrite: the exported file pins the
   size and root, and the consistency check is pure hashing, so the rewritten log fails it no
   matter who signed what. The pinned public keys stop a different trick: a forged exported
   checkpoint signed by a key the verifier never trusted.

What this does not protect: entries appended after the newest exported checkpoint (export
often: a cron job), a thief who also replaces every exported copy, and the truth of what was
logged (the log proves what was recorded, not that it was right). Key rotation records
(:class:`KeyEndorsement`) let a verifier that pinned an old key accept heads signed by its
successor; after a suspected theft rotate the key and export a fresh checkpoint at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from industrybrain.kit.merkle import consistency_proof, root_hash, verify_consistency

__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "CheckpointError",
    "KeyEndorsement",
    "LogCheck",
    "SigningKey",
    "TreeHead",
    "canonical_json",
    "check_log",
    "format_timestamp",
    "key_id_for",
    "load_or_create_signing_key",
    "parse_timestamp",
    "sha256_hex",
    "sign_tree_head",
    "trusted_keys",
]

CHECKPOINT_FORMAT = "industrybrain-audit-checkpoint/1"
_HEAD_CONTEXT = b"industrybrain audit tree head v1\n"
_ENDORSE_CONTEXT = b"industrybrain audit key endorsement v1\n"


class CheckpointError(ValueError):
    """A checkpoint file cannot be read (wrong format, bad encoding)."""


def canonical_json(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise CheckpointError(f"not base64: {text[:20]!r}") from exc


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use an aware UTC datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise CheckpointError(f"bad timestamp {text!r}") from exc


def key_id_for(public_key: bytes) -> str:
    """A short, stable name of a public key: the first 16 bytes of its SHA-256, in hex."""
    return hashlib.sha256(public_key).hexdigest()[:32]


def _verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and the id of its public half."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        return key_id_for(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @classmethod
    def from_pem(cls, data: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key must be an Ed25519 key")
        return cls(key)


def load_or_create_signing_key(path: Path) -> SigningKey:
    """Read the signing key at ``path``; create it (mode 0600) on first use."""
    if path.exists():
        return SigningKey.from_pem(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    try:
        # O_EXCL: when two processes race to create the key, exactly one wins and both use it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SigningKey.from_pem(path.read_bytes())
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.to_pem())
    return key


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: "the log had ``size`` entries and Merkle root ``root_hash``"."""

    size: int
    root_hash: bytes
    timestamp: datetime
    key_id: str
    signature: bytes

    def signed_message(self) -> bytes:
        return self.message(self.size, self.root_hash, self.timestamp, self.key_id)

    @staticmethod
    def message(size: int, root: bytes, timestamp: datetime, key_id: str) -> bytes:
        """The canonical bytes that are signed (text lines, like a C2SP checkpoint body)."""
        if size < 0 or len(root) != 32:
            raise ValueError("a tree head needs a size >= 0 and a 32-byte root")
        lines = f"{size}\n{root.hex()}\n{format_timestamp(timestamp)}\n{key_id}\n"
        return _HEAD_CONTEXT + lines.encode("ascii")

    def verify(self, public_keys: Mapping[str, bytes]) -> bool:
        """True when the head is signed by the key it names and that key is in ``public_keys``."""
        public_key = public_keys.get(self.key_id)
        if public_key is None or key_id_for(public_key) != self.key_id:
            return False
        return _verify(public_key, self.signature, self.signed_message())

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root_hash": self.root_hash.hex(),
            "timestamp": format_timestamp(self.timestamp),
            "key_id": self.key_id,
            "signature": _b64(self.signature),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TreeHead:
        try:
            size = data["size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise CheckpointError(f"bad size {size!r}")
            root = bytes.fromhex(str(data["root_hash"]))
            if len(root) != 32:
                raise CheckpointError("root_hash must be 32 bytes")
            return cls(
                size=size,
                root_hash=root,
                timestamp=parse_timestamp(str(data["timestamp"])),
                key_id=str(data["key_id"]),
                signature=_unb64(str(data["signature"])),
            )
        except KeyError as exc:
            raise CheckpointError(f"tree head lacks {exc.args[0]!r}") from exc
        except ValueError as exc:
            if isinstance(exc, CheckpointError):
                raise
            raise CheckpointError(str(exc)) from exc


def sign_tree_head(key: SigningKey, size: int, root: bytes, timestamp: datetime) -> TreeHead:
    message = TreeHead.message(size, root, timestamp, key.key_id)
    return TreeHead(size, root, timestamp, key.key_id, key.sign(message))


@dataclass(frozen=True)
class KeyEndorsement:
    """A key rotation record: the old key vouches for its successor."""

    old_key_id: str
    new_public_key: bytes
    timestamp: datetime
    signature: bytes

    @property
    def new_key_id(self) -> str:
        return key_id_for(self.new_public_key)

    @staticmethod
    def message(old_key_id: str, new_public_key: bytes, timestamp: datetime) -> bytes:
        lines = f"{old_key_id}\n{_b64(new_public_key)}\n{format_timestamp(timestamp)}\n"
        return _ENDORSE_CONTEXT + lines.encode("ascii")

    @classmethod
    def create(cls, old: SigningKey, new_public_key: bytes, timestamp: datetime) -> KeyEndorsement:
        signature = old.sign(cls.message(old.key_id, new_public_key, timestamp))
        return cls(old.key_id, new_public_key, timestamp, signature)

    def verify(self, old_public_key: bytes) -> bool:
        if key_id_for(old_public_key) != self.old_key_id:
            return False
        message = self.message(self.old_key_id, self.new_public_key, self.timestamp)
        return _verify(old_public_key, self.signature, message)


def trusted_keys(
    pinned: Mapping[str, bytes], endorsements: Iterable[KeyEndorsement]
) -> dict[str, bytes]:
    """The pinned keys plus every key reachable from them through valid endorsements."""
    trusted = {kid: pk for kid, pk in pinned.items() if key_id_for(pk) == kid}
    pending = list(endorsements)
    grew = True
    while grew:
        grew = False
        for record in list(pending):
            old = trusted.get(record.old_key_id)
            if old is not None and record.verify(old):
                trusted[record.new_key_id] = record.new_public_key
                pending.remove(record)
                grew = True
    return trusted


@dataclass(frozen=True)
class Checkpoint:
    """An exported tree head and the public keys its holder trusts (the trust anchor)."""

    head: TreeHead
    public_keys: dict[str, bytes] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {
            "format": CHECKPOINT_FORMAT,
            **self.head.to_dict(),
            "public_keys": {kid: _b64(pk) for kid, pk in sorted(self.public_keys.items())},
        }
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckpointError(f"not JSON: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"not an audit checkpoint (format must be {CHECKPOINT_FORMAT})")
        keys = data.get("public_keys")
        if not isinstance(keys, dict) or not keys:
            raise CheckpointError("a checkpoint must pin at least one public key")
        return cls(
            head=TreeHead.from_dict(data),
            public_keys={str(kid): _unb64(str(pk)) for kid, pk in keys.items()},
        )


@dataclass(frozen=True)
class LogCheck:
    """The outcome of checking a list of leaf hashes against a checkpoint."""

    ok: bool
    problem: str | None = None
    message: str = ""
    root_hash: bytes = b""


def check_log(leaves: Sequence[bytes], checkpoint: Checkpoint) -> LogCheck:
    """Is the log with these leaf hashes an extension of the tree the checkpoint signed?

    The signature is checked with the checkpoint's own pinned keys only; then the consistency
    proof from the checkpoint's size to the log's size is built from the leaves and verified
    against the checkpoint's root (RFC 9162 §2.1.4.2). ``problem`` is ``bad_signature``,
    ``truncated`` or ``inconsistent``.
    """
    head = checkpoint.head
    if not head.verify(checkpoint.public_keys):
        return LogCheck(
            False,
            "bad_signature",
            f"the checkpoint is not validly signed by a pinned key (key id {head.key_id})",
        )
    current = root_hash(leaves)
    if head.size == 0 and head.root_hash != root_hash([]):
        return LogCheck(False, "inconsistent", "a checkpoint of size 0 must have the empty root")
    if len(leaves) < head.size:
        return LogCheck(
            False,
            "truncated",
            f"the log has {len(leaves)} entries, fewer than the {head.size} of the checkpoint",
            current,
        )
    proof = consistency_proof(leaves, head.size)
    if not verify_consistency(head.size, len(leaves), head.root_hash, current, proof):
        return LogCheck(
            False,
            "inconsistent",
            f"the first {head.size} entries no longer hash to the checkpoint's root "
            f"{head.root_hash.hex()[:16]}…: entries were edited, removed, reordered or inserted",
            current,
        )
    return LogCheck(True, None, "consistent with the checkpoint", current)

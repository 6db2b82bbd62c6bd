"""Signed tree heads, key files, key rotation records and checkpoint files (kit.audit)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from industrybrain.kit.audit import (
    Checkpoint,
    CheckpointError,
    KeyEndorsement,
    SigningKey,
    TreeHead,
    canonical_json,
    check_log,
    load_or_create_signing_key,
    sign_tree_head,
    trusted_keys,
)
from industrybrain.kit.merkle import leaf_hash, root_hash

WHEN = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)
LEAVES = [leaf_hash(bytes([i])) for i in range(10)]


def test_canonical_json_is_stable() -> None:
    assert canonical_json({"b": 1, "a": ["泵", 1.5]}) == '{"a":["泵",1.5],"b":1}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_tree_head_message_is_canonical() -> None:
    key = SigningKey.generate()
    head = sign_tree_head(key, 10, root_hash(LEAVES), WHEN)
    assert head.signed_message() == (
        b"industrybrain audit tree head v1\n10\n"
        + root_hash(LEAVES).hex().encode()
        + b"\n2026-11-28T12:00:00.123456Z\n"
        + key.key_id.encode()
        + b"\n"
    )
    assert head.verify({key.key_id: key.public_key})
    assert TreeHead.from_dict(head.to_dict()) == head


def test_tree_head_signature_binds_every_field() -> None:
    key = SigningKey.generate()
    keys = {key.key_id: key.public_key}
    head = sign_tree_head(key, 10, root_hash(LEAVES), WHEN)
    variants = [
        TreeHead(9, head.root_hash, head.timestamp, head.key_id, head.signature),
        TreeHead(10, root_hash(LEAVES[:9]), head.timestamp, head.key_id, head.signature),
        TreeHead(10, head.root_hash, WHEN.replace(second=1), head.key_id, head.signature),
        TreeHead(10, head.root_hash, head.timestamp, head.key_id, b"\x00" * 64),
    ]
    assert not any(v.verify(keys) for v in variants)
    other = SigningKey.generate()
    assert not head.verify({other.key_id: other.public_key})
    # A key listed under another key's id is not accepted.
    assert not head.verify({key.key_id: other.public_key})


def test_key_file_is_created_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "key.pem"
    first = load_or_create_signing_key(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert load_or_create_signing_key(path).key_id == first.key_id


def test_endorsement_chain_extends_trust() -> None:
    a, b, c, mallory = (SigningKey.generate() for _ in range(4))
    ab = KeyEndorsement.create(a, b.public_key, WHEN)
    bc = KeyEndorsement.create(b, c.public_key, WHEN)
    forged = KeyEndorsement(a.key_id, mallory.public_key, WHEN, b"\x01" * 64)
    trusted = trusted_keys({a.key_id: a.public_key}, [bc, forged, ab])
    assert set(trusted) == {a.key_id, b.key_id, c.key_id}
    assert set(trusted_keys({c.key_id: c.public_key}, [ab, bc])) == {c.key_id}


def test_checkpoint_file_round_trip_and_errors() -> None:
    key = SigningKey.generate()
    checkpoint = Checkpoint(
        sign_tree_head(key, 10, root_hash(LEAVES), WHEN), {key.key_id: key.public_key}
    )
    assert Checkpoint.from_json(checkpoint.to_json()) == checkpoint
    data = json.loads(checkpoint.to_json())
    for broken in (
        "not json",
        json.dumps({**data, "format": "other"}),
        json.dumps({**data, "public_keys": {}}),
        json.dumps({**data, "size": -1}),
        json.dumps({**data, "root_hash": "abcd"}),
        json.dumps({**data, "signature": "***"}),
        json.dumps({k: v for k, v in data.items() if k != "timestamp"}),
    ):
        with pytest.raises(CheckpointError):
            Checkpoint.from_json(broken)


def test_check_log() -> None:
    key = SigningKey.generate()
    keys = {key.key_id: key.public_key}
    checkpoint = Checkpoint(sign_tree_head(key, 6, root_hash(LEAVES[:6]), WHEN), keys)
    assert check_log(LEAVES, checkpoint).ok
    assert check_log(LEAVES[:6], checkpoint).ok
    assert check_log(LEAVES[:5], checkpoint).problem == "truncated"
    rewritten = [LEAVES[0], leaf_hash(b"forged"), *LEAVES[2:]]
    assert check_log(rewritten, checkpoint).problem == "inconsistent"
    reordered = [LEAVES[1], LEAVES[0], *LEAVES[2:]]
    assert check_log(reordered, checkpoint).problem == "inconsistent"
    stranger = SigningKey.generate()
    foreign = Checkpoint(checkpoint.head, {stranger.key_id: stranger.public_key})
    assert check_log(LEAVES, foreign).problem == "bad_signature"
    empty = Checkpoint(sign_tree_head(key, 0, root_hash([]), WHEN), keys)
    assert check_log([], empty).ok and check_log(LEAVES, empty).ok
    bogus_empty = Checkpoint(sign_tree_head(key, 0, LEAVES[0], WHEN), keys)
    assert check_log(LEAVES, bogus_empty).problem == "inconsistent"

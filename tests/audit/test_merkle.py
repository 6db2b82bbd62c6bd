"""RFC 6962 Merkle tree: published test vectors, an independent recursive model, hypothesis."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from industrybrain.kit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    prefix_roots,
    root_hash,
    split_point,
    verify_consistency,
    verify_inclusion,
)

# Test data of the Certificate Transparency reference implementation (transparency-dev/merkle
# testonly + proof/verify_test.go, same values as google/certificate-transparency). Checked
# against several public copies of those files; inclusion proofs there are written with a
# 1-based leaf number, here with the 0-based index.
LEAF_INPUTS = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # size 0
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",  # size 8
]
INCLUSION = [  # (index, size, path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

LEAVES = [leaf_hash(bytes.fromhex(x)) for x in LEAF_INPUTS]


def _hex(items: list[bytes]) -> list[str]:
    return [x.hex() for x in items]


# An independent model written straight from RFC 6962 §2.1 (recursive, on the leaf data).
def _mth(data: list[bytes]) -> bytes:
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(data[:k]) + _mth(data[k:])).digest()


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert root_hash([]).hex() == ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_published_vectors(size: int) -> None:
    assert root_hash(LEAVES[:size]).hex() == ROOTS[size]
    assert _mth([bytes.fromhex(x) for x in LEAF_INPUTS[:size]]).hex() == ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(
    index: int, size: int, path: list[str]
) -> None:
    assert _hex(inclusion_proof(LEAVES[:size], index)) == path
    proof = [bytes.fromhex(p) for p in path]
    root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(LEAVES[index], index, size, proof, root)
    # The corruptions that the reference verifier test probes must all be refused.
    assert not verify_inclusion(LEAVES[index], index + 1, size, proof, root)
    assert not verify_inclusion(LEAVES[index], index, size * 2, proof, root)
    assert not verify_inclusion(leaf_hash(b"WrongLeaf"), index, size, proof, root)
    assert not verify_inclusion(LEAVES[index], index, size, proof, EMPTY_ROOT)
    assert not verify_inclusion(LEAVES[index], index, size, [*proof, root], root)
    assert not verify_inclusion(LEAVES[index], index, size, [root, *proof], root)
    if index > 0:
        assert not verify_inclusion(LEAVES[index], index - 1, size, proof, root)
    if proof:
        assert not verify_inclusion(LEAVES[index], index, size, proof[:-1], root)


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(
    old: int, new: int, path: list[str]
) -> None:
    assert _hex(consistency_proof(LEAVES[:new], old)) == path
    proof = [bytes.fromhex(p) for p in path]
    old_root, new_root = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    assert verify_consistency(old, new, old_root, new_root, proof)
    if proof:
        assert not verify_consistency(old, new, new_root, old_root, proof)
        assert not verify_consistency(old - 1, new, old_root, new_root, proof)
        assert not verify_consistency(old + 1, new, old_root, new_root, proof)
        assert not verify_consistency(old, new * 2, old_root, new_root, proof)
        assert not verify_consistency(old, new, old_root, new_root, [])
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, [*proof, old_root])
        assert not verify_consistency(old, new, old_root, new_root, [proof[0], *proof])


def test_trivial_consistency_cases() -> None:
    some = leaf_hash(b"x")
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, some, [])
    assert not verify_consistency(1, 1, some, EMPTY_ROOT, [])
    assert not verify_consistency(1, 1, some, some, [some])
    assert not verify_consistency(2, 1, some, some, [])


def test_split_point() -> None:
    expected = {2: 1, 3: 2, 4: 2, 5: 4, 8: 4, 9: 8, 1000: 512, (1 << 40) + 1: 1 << 40}
    for size, k in expected.items():
        assert split_point(size) == k


data_lists = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


@settings(max_examples=150, deadline=None)
@given(data=data_lists)
def test_root_equals_the_recursive_model(data: list[bytes]) -> None:
    assert root_hash([leaf_hash(d) for d in data]) == _mth(data)


@settings(max_examples=150, deadline=None)
@given(data=data_lists, pick=st.data())
def test_inclusion_proofs_verify_and_fail_on_any_changed_byte(
    data: list[bytes], pick: st.DataObject
) -> None:
    leaves = [leaf_hash(d) for d in data]
    root = root_hash(leaves)
    index = pick.draw(st.integers(0, len(leaves) - 1))
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, len(leaves), proof, root)
    # Flip one bit anywhere in the proof, the leaf or the root: refused.
    blobs = [leaves[index], root, *proof]
    which = pick.draw(st.integers(0, len(blobs) - 1))
    position = pick.draw(st.integers(0, 31))
    bit = pick.draw(st.integers(0, 7))
    changed = bytearray(blobs[which])
    changed[position] ^= 1 << bit
    blobs[which] = bytes(changed)
    assert not verify_inclusion(blobs[0], index, len(leaves), blobs[2:], blobs[1])


@settings(max_examples=150, deadline=None)
@given(data=data_lists, pick=st.data())
def test_consistency_proofs_verify_and_fail_on_any_changed_byte(
    data: list[bytes], pick: st.DataObject
) -> None:
    leaves = [leaf_hash(d) for d in data]
    old = pick.draw(st.integers(1, len(leaves)))
    proof = consistency_proof(leaves, old)
    old_root, new_root = root_hash(leaves[:old]), root_hash(leaves)
    assert verify_consistency(old, len(leaves), old_root, new_root, proof)
    blobs = [old_root, new_root, *proof]
    which = pick.draw(st.integers(0, len(blobs) - 1))
    changed = bytearray(blobs[which])
    changed[pick.draw(st.integers(0, 31))] ^= 1 << pick.draw(st.integers(0, 7))
    blobs[which] = bytes(changed)
    assert not verify_consistency(old, len(leaves), blobs[0], blobs[1], blobs[2:])


@settings(max_examples=100, deadline=None)
@given(data=data_lists, pick=st.data())
def test_a_changed_prefix_is_never_consistent(data: list[bytes], pick: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    old = pick.draw(st.integers(1, len(leaves)))
    victim = pick.draw(st.integers(0, old - 1))
    old_root = root_hash(leaves[:old])
    rewritten = list(leaves)
    rewritten[victim] = leaf_hash(data[victim] + b"!")
    proof = consistency_proof(rewritten, old)
    assert not verify_consistency(old, len(rewritten), old_root, root_hash(rewritten), proof)


def test_prefix_roots_match_the_published_vectors() -> None:
    assert {n: r.hex() for n, r in prefix_roots(LEAVES, range(9)).items()} == dict(enumerate(ROOTS))


@settings(max_examples=100, deadline=None)
@given(data=data_lists, pick=st.data())
def test_prefix_roots_equal_roots_of_prefixes(data: list[bytes], pick: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    sizes = pick.draw(st.lists(st.integers(0, len(leaves)), max_size=8))
    assert prefix_roots(leaves, sizes) == {n: root_hash(leaves[:n]) for n in sizes}

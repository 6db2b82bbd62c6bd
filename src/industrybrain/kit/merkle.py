"""RFC 6962 Merkle trees: tree hash, audit (inclusion) proofs and consistency proofs.

Hashing follows RFC 6962 §2.1 (SHA-256): a leaf is ``SHA-256(0x00 || data)``, an interior node
``SHA-256(0x01 || left || right)``, the hash of the empty tree ``SHA-256("")``. A tree of ``n``
leaves splits at ``k``, the largest power of two smaller than ``n``, so every tree of size ``m``
is a prefix of every larger tree: that is what makes consistency proofs possible.

Proof generation follows the recursive definitions of RFC 6962 §2.1.1 (``PATH``) and §2.1.2
(``PROOF``/``SUBPROOF``); verification follows the iterative algorithms of RFC 9162 §2.1.3.2
and §2.1.4.2, so the two sides are written independently of each other.

Everything here works on *leaf hashes* (32-byte digests), not on the leaf data: callers hash
their entries once with :func:`leaf_hash` and keep the digests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "prefix_roots",
    "root_hash",
    "split_point",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: ``SHA-256(0x00 || data)``."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(size: int) -> int:
    """``k``: the largest power of two strictly smaller than ``size`` (``size >= 2``)."""
    if size < 2:
        raise ValueError(f"a tree of {size} leaves has no split point")
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of a list of leaf hashes.

    Computed bottom-up, carrying an unpaired rightmost node up a level unchanged; this gives the
    same tree as RFC 6962's recursive split (checked against the published vectors and against a
    recursive implementation in the tests) in linear time and constant recursion depth.
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def prefix_roots(leaves: Sequence[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The root of the tree of the first ``n`` leaves, for every ``n`` in ``sizes``, in one pass.

    Keeps the roots of the perfect subtrees the prefix decomposes into (one per set bit of its
    size, largest first); the RFC 6962 root of a prefix folds them from the right. Costs
    O(len(leaves) + len(sizes) · log n) instead of O(len(leaves)) per size.
    """
    wanted = sorted(set(sizes))
    if wanted and not 0 <= wanted[0] <= wanted[-1] <= len(leaves):
        raise ValueError(f"prefix sizes must lie in 0..{len(leaves)}")
    roots: dict[int, bytes] = {}
    stack: list[tuple[int, bytes]] = []  # (height, root) of perfect subtrees, left to right
    position = 0
    for size in wanted:
        while position < size:
            height, node = 0, leaves[position]
            while stack and stack[-1][0] == height:
                node = node_hash(stack.pop()[1], node)
                height += 1
            stack.append((height, node))
            position += 1
        if not stack:
            roots[size] = EMPTY_ROOT
            continue
        folded = stack[-1][1]
        for _, left in reversed(stack[:-1]):
            folded = node_hash(left, folded)
        roots[size] = folded
    return roots


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 6962 §2.1.1 ``PATH``)."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf index {index} outside a tree of {len(leaves)} leaves")
    return _path(index, leaves)


def _path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    size = len(leaves)
    if size == 1:
        return []
    k = split_point(size)
    if index < k:
        return [*_path(index, leaves[:k]), root_hash(leaves[k:])]
    return [*_path(index - k, leaves[k:]), root_hash(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Proof that the tree of the first ``old_size`` leaves is a prefix of the tree of ``leaves``.

    RFC 6962 §2.1.2 ``PROOF(m, D[n])``; empty when ``old_size`` is 0 or equals ``len(leaves)``.
    """
    new_size = len(leaves)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove size {old_size} consistent with size {new_size}")
    if old_size in (0, new_size):
        return []
    return _subproof(old_size, leaves, True)


def _subproof(old_size: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    size = len(leaves)
    if old_size == size:
        return [] if complete else [root_hash(leaves)]
    k = split_point(size)
    if old_size <= k:
        return [*_subproof(old_size, leaves[:k], complete), root_hash(leaves[k:])]
    return [*_subproof(old_size - k, leaves[k:], False), root_hash(leaves[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` of the tree ``(size, root)``.

    RFC 9162 §2.1.3.2.
    """
    if not 0 <= index < size:
        return False
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        return False
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of
    ``(new_size, new_root)``. RFC 9162 §2.1.4.2 (plus the trivial cases: equal sizes need equal
    roots and an empty proof; the empty tree is a prefix of every tree)."""
    if not 0 <= old_size <= new_size:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # The old tree is a complete subtree: its root is the first node of the path.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first_root = second_root = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first_root = node_hash(node, first_root)
            second_root = node_hash(node, second_root)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            second_root = node_hash(second_root, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and first_root == old_root and second_root == new_root

"""Merkle tree math of the transparency log, after RFC 9162 §2.1.

Pure functions over SHA-256 (RFC 9162 §2.1, the same tree as RFC 6962 §2.1):

* leaf hash ``SHA-256(0x00 || data)`` and node hash ``SHA-256(0x01 || left || right)``
  (§2.1.1), so a leaf can never be passed off as an interior node;
* the Merkle Tree Hash of ``n`` leaves, built incrementally with a *compact range*
  (the frontier of perfect subtrees covering ``[0, n)``: at most 64 hashes), so
  appending is amortised one node hash and the root of millions of leaves is
  ``O(log n)`` away at any moment;
* inclusion proofs (§2.1.3.1 generation, §2.1.3.2 verification) and consistency
  proofs (§2.1.4.1 generation, §2.1.4.2 verification).

Proof generation is expressed as the list of leaf ranges whose subtree hashes
make up the proof; :func:`collect_nodes` computes all of them in one streaming
pass over the leaf hashes, which is how the database-backed log proves over
millions of leaves without loading them.

Verifiers return ``None`` or raise :class:`~disclosure_gateway.errors.VerificationError`.
This module imports nothing but :mod:`hashlib` and the project's error type.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from ..errors import VerificationError

HASH_SIZE = 32
#: MTH({}) = SHA-256() (RFC 9162 §2.1.1)
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
_LEAF = b"\x00"
_NODE = b"\x01"

#: a half-open range of leaf indices [start, end)
Range = tuple[int, int]


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return _sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: SHA-256(0x01 || MTH(left) || MTH(right))."""
    return _sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2): RFC 9162's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """The frontier of a growing tree: hashes of the perfect subtrees covering [0, size).

    The subtrees follow the binary digits of ``size`` from the most significant
    one, so their number is ``popcount(size)`` and each append merges equal
    neighbours (on average one node hash per leaf).
    """

    __slots__ = ("_nodes", "size")

    def __init__(self, size: int = 0, nodes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(nodes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} holds {size.bit_count()} hashes, "
                             f"not {len(nodes)}")
        self.size = size
        self._nodes = list(nodes)

    @property
    def nodes(self) -> tuple[bytes, ...]:
        return tuple(self._nodes)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (already ``leaf_hash``-ed)."""
        nodes = self._nodes
        nodes.append(leaf)
        n = self.size
        # Every trailing 1-bit of the old size is a perfect subtree of the same
        # height as the one just completed on its right: merge them.
        while n & 1:
            right = nodes.pop()
            nodes[-1] = _sha256(_NODE + nodes[-1] + right).digest()
            n >>= 1
        self.size += 1

    def append_capturing(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Like :meth:`append`, returning every perfect subtree completed by this leaf.

        Each item is ``(start, end, hash)``; the first is the leaf itself.
        """
        end = self.size + 1
        made = [(end - 1, end, leaf)]
        nodes = self._nodes
        nodes.append(leaf)
        n, width = self.size, 1
        while n & 1:
            right = nodes.pop()
            nodes[-1] = _sha256(_NODE + nodes[-1] + right).digest()
            width <<= 1
            made.append((end - width, end, nodes[-1]))
            n >>= 1
        self.size = end
        return made

    def boundaries(self) -> list[int]:
        """Start index of each frontier subtree, left to right."""
        starts, at = [], 0
        for bit in range(self.size.bit_length() - 1, -1, -1):
            if self.size >> bit & 1:
                starts.append(at)
                at += 1 << bit
        return starts

    def root(self) -> bytes:
        """MTH of all leaves so far (RFC 9162 §2.1.1)."""
        return self.suffix_root(0)

    def suffix_root(self, start: int) -> bytes:
        """MTH of leaves [start, size), where ``start`` is a frontier boundary.

        The right edge of the tree is not perfect; RFC 9162's recursion splits
        it at the largest power of two, which is exactly folding the frontier
        subtrees from the right.
        """
        if self.size == 0:
            if start == 0:
                return EMPTY_ROOT
            raise ValueError("empty range")
        starts = self.boundaries()
        try:
            first = starts.index(start)
        except ValueError as e:
            raise ValueError(
                f"{start} is not a subtree boundary of a tree of size {self.size}") from e
        nodes = self._nodes
        acc = nodes[-1]
        for i in range(len(nodes) - 2, first - 1, -1):
            acc = _sha256(_NODE + nodes[i] + acc).digest()
        return acc


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a sequence of leaf hashes (RFC 9162 §2.1.1); EMPTY_ROOT for none."""
    cr = CompactRange()
    for h in leaf_hashes:
        cr.append(h)
    return cr.root()


# --- which subtrees make a proof ------------------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges whose subtree hashes form PATH(index, D[size]), bottom first.

    RFC 9162 §2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k,
    else PATH(m - k, D[k:n]) : MTH(D[0:k]).
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    top_down: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            top_down.append((start + k, end))
            end = start + k
        else:
            top_down.append((start, start + k))
            start += k
    top_down.reverse()
    return top_down


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """Leaf ranges whose subtree hashes form PROOF(old_size, D[new_size]), bottom first.

    RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) =
    {MTH(D[m])}; for m < n, with k the largest power of two below n,
    SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) if m <= k,
    else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    top_down: list[Range] = []
    start, end, whole = 0, new_size, True
    while old_size != end:
        k = _split(end - start)
        if old_size <= start + k:
            top_down.append((start + k, end))
            end = start + k
        else:
            top_down.append((start, start + k))
            start += k
            whole = False
    if not whole:
        top_down.append((start, end))
    top_down.reverse()
    return top_down


class NodeCollector:
    """Computes the subtree hashes of chosen ranges while leaf hashes stream past.

    Each wanted range must be a node of the tree at its own end: a perfect,
    aligned subtree or a right-edge range (what proofs and roots are made of).
    Feed leaf hashes in order with :meth:`feed`; ``found`` fills as ranges end.
    The fast path (no range ends at this leaf) costs one comparison over a
    plain compact-range append.
    """

    __slots__ = ("_pending", "_range", "found", "next_end")

    def __init__(self, wanted: Iterable[Range]) -> None:
        want = sorted(set(wanted), key=lambda r: r[1])
        for start, end in want:
            if not (0 <= start < end or start == end == 0):
                raise ValueError(f"bad range [{start}, {end})")
        self.found: dict[Range, bytes] = {r: EMPTY_ROOT for r in want if r[1] == 0}
        self._pending = [r for r in want if r[1] > 0]
        self._pending.reverse()  # pop() from the end = smallest end first
        self._range = CompactRange()
        #: the tree size at which the next wanted range completes (-1: none left)
        self.next_end = self._pending[-1][1] if self._pending else -1

    @property
    def size(self) -> int:
        return self._range.size

    @property
    def compact_range(self) -> CompactRange:
        return self._range

    def feed(self, leaf: bytes) -> None:
        cr = self._range
        if cr.size + 1 != self.next_end:
            cr.append(leaf)
            return
        made = {(s, e): x for s, e, x in cr.append_capturing(leaf)}
        starts: set[int] | None = None
        pending = self._pending
        while pending and pending[-1][1] == cr.size:
            r = pending.pop()
            if r in made:
                self.found[r] = made[r]
                continue
            if starts is None:
                starts = set(cr.boundaries())
            if r[0] not in starts:
                raise ValueError(f"[{r[0]}, {r[1]}) is not a node of the tree")
            self.found[r] = cr.suffix_root(r[0])
        self.next_end = pending[-1][1] if pending else -1

    def done(self) -> dict[Range, bytes]:
        if self._pending:
            raise ValueError(f"only {self._range.size} leaves; a range ends at "
                             f"{self._pending[-1][1]}")
        return self.found


def collect_nodes(leaf_hashes: Iterable[bytes], wanted: Iterable[Range]) -> dict[Range, bytes]:
    """Subtree hashes of the ``wanted`` ranges, in one pass over the leaf hashes.

    Reads only as many leaves as the largest range end needs.
    """
    c = NodeCollector(wanted)
    if c.next_end != -1:
        for h in leaf_hashes:
            c.feed(h)
            if c.next_end == -1:
                break
    return c.done()


def inclusion_proof(index: int, size: int, leaf_hashes: Iterable[bytes]) -> list[bytes]:
    """PATH(index, D[size]) (RFC 9162 §2.1.3.1) from the tree's leaf hashes."""
    ranges = inclusion_ranges(index, size)
    nodes = collect_nodes(leaf_hashes, ranges)
    return [nodes[r] for r in ranges]


def consistency_proof(old_size: int, new_size: int, leaf_hashes: Iterable[bytes]) -> list[bytes]:
    """PROOF(old_size, D[new_size]) (RFC 9162 §2.1.4.1) from the tree's leaf hashes."""
    ranges = consistency_ranges(old_size, new_size)
    nodes = collect_nodes(leaf_hashes, ranges)
    return [nodes[r] for r in ranges]


# --- verifiers ------------------------------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise VerificationError(f"{what} is not a {HASH_SIZE}-byte SHA-256 hash")


def root_from_inclusion_proof(*, leaf: bytes, index: int, size: int,
                              proof: Sequence[bytes]) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2, steps 1-5)."""
    _check_hash(leaf, "leaf hash")
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}",
                                index=index)
    fn, sn = index, size - 1
    r = leaf
    for i, p in enumerate(proof):
        _check_hash(p, f"inclusion proof element {i}")
        if sn == 0:
            raise VerificationError(f"inclusion proof is too long ({len(proof)} hashes)",
                                    index=index)
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"inclusion proof is too short ({len(proof)} hashes)", index=index)
    return r


def verify_inclusion(*, leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree of ``size`` with ``root``.

    Returns nothing or raises VerificationError (RFC 9162 §2.1.3.2).
    """
    _check_hash(root, "root hash")
    got = root_from_inclusion_proof(leaf=leaf, index=index, size=size, proof=proof)
    if got != root:
        raise VerificationError(
            f"inclusion proof for leaf {index} in a tree of size {size} leads to root "
            f"{got.hex()}, not {root.hex()}", index=index)


def verify_consistency(*, old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree (new_size, new_root) extends (old_size, old_root).

    Returns nothing or raises VerificationError (RFC 9162 §2.1.4.2). A tree of
    size 0 is consistent with every later tree when the proof is empty.
    """
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    for i, p in enumerate(proof):
        _check_hash(p, f"consistency proof element {i}")
    if not 0 <= old_size <= new_size:
        raise VerificationError(f"a tree of size {new_size} cannot extend one of size {old_size}")
    if old_size == 0:
        if proof:
            raise VerificationError("a consistency proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise VerificationError("the root of the empty tree must be SHA-256 of nothing")
        return
    if old_size == new_size:
        if proof:
            raise VerificationError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise VerificationError(
                f"two different roots for the same tree size {old_size}: "
                f"{old_root.hex()} and {new_root.hex()}", index=old_size)
        return
    # RFC 9162 §2.1.4.2
    path = list(proof)
    if not path:
        raise VerificationError("consistency proof is empty")
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(f"consistency proof is too long ({len(proof)} hashes)")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"consistency proof is too short ({len(proof)} hashes)")
    if fr != old_root:
        raise VerificationError(
            f"consistency proof from size {old_size} leads to old root {fr.hex()}, "
            f"not {old_root.hex()}")
    if sr != new_root:
        raise VerificationError(
            f"consistency proof to size {new_size} leads to new root {sr.hex()}, "
            f"not {new_root.hex()}")

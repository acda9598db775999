"""RFC 9162 Merkle math against the published certificate-transparency vectors,
a naive reference implementation, and one-bit tampering."""

from __future__ import annotations

import random

import pytest

from disclosure_gateway.errors import VerificationError
from disclosure_gateway.ledger import merkle

# The 8-leaf tree of RFC 6962's reference tests (certificate-transparency,
# transparency-dev/merkle testonly/constants.go): leaf data, and MTH of the first n.
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]
H = {  # node hashes named in the vectors
    "96a2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f08": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca85": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37e": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac5": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "6e34": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "0ebc": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "b086": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
}
# (leaf index, tree size, path) — transparency-dev proof/verify_test.go (1-based there)
INCLUSION = [
    (0, 1, []),
    (0, 2, ["96a2"]),
    (1, 2, ["6e34"]),
    (0, 8, ["96a2", "5f08", "6b47"]),
    (5, 8, ["bc1a", "ca85", "d37e"]),
    (2, 3, ["fac5"]),
    (1, 5, ["6e34", "5f08", "bc1a"]),
]
# (old size, new size, path)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a2", "5f08", "6b47"]),
    (6, 8, ["0ebc", "ca85", "d37e"]),
    (2, 5, ["5f08", "bc1a"]),
    (6, 7, ["0ebc", "b086", "d37e"]),
]
LEAF_HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def _path(names: list[str]) -> list[bytes]:
    return [bytes.fromhex(H[n]) for n in names]


# --- a naive reference, straight from the RFC's recursive definitions --------------

def ref_root(hs: list[bytes]) -> bytes:
    if not hs:
        return merkle.EMPTY_ROOT
    if len(hs) == 1:
        return hs[0]
    k = 1 << ((len(hs) - 1).bit_length() - 1)
    return merkle.node_hash(ref_root(hs[:k]), ref_root(hs[k:]))


def ref_path(m: int, hs: list[bytes]) -> list[bytes]:
    if len(hs) == 1:
        return []
    k = 1 << ((len(hs) - 1).bit_length() - 1)
    if m < k:
        return [*ref_path(m, hs[:k]), ref_root(hs[k:])]
    return [*ref_path(m - k, hs[k:]), ref_root(hs[:k])]


def ref_subproof(m: int, hs: list[bytes], whole: bool) -> list[bytes]:
    if m == len(hs):
        return [] if whole else [ref_root(hs)]
    k = 1 << ((len(hs) - 1).bit_length() - 1)
    if m <= k:
        return [*ref_subproof(m, hs[:k], whole), ref_root(hs[k:])]
    return [*ref_subproof(m - k, hs[k:], False), ref_root(hs[:k])]


# --- known answers -------------------------------------------------------------------

def test_hasher_vectors() -> None:
    # transparency-dev rfc6962_test.go TestRFC6962Hasher
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert merkle.leaf_hash(b"").hex() == H["6e34"]
    assert merkle.leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    assert merkle.node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")


@pytest.mark.parametrize("n", range(1, 9))
def test_roots_of_the_reference_tree(n: int) -> None:
    assert merkle.root_of(LEAF_HASHES[:n]) == ROOTS[n - 1]


def test_empty_tree_root() -> None:
    assert merkle.root_of([]) == merkle.EMPTY_ROOT


@pytest.mark.parametrize(("index", "size", "names"), INCLUSION)
def test_inclusion_vectors(index: int, size: int, names: list[str]) -> None:
    proof = merkle.inclusion_proof(index, size, LEAF_HASHES)
    assert proof == _path(names)
    merkle.verify_inclusion(leaf=LEAF_HASHES[index], index=index, size=size, proof=proof,
                            root=ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "names"), CONSISTENCY)
def test_consistency_vectors(old: int, new: int, names: list[str]) -> None:
    proof = merkle.consistency_proof(old, new, LEAF_HASHES)
    assert proof == _path(names)
    merkle.verify_consistency(old_size=old, new_size=new, old_root=ROOTS[old - 1],
                              new_root=ROOTS[new - 1], proof=proof)


def test_every_proof_matches_the_reference_up_to_70_leaves() -> None:
    rnd = random.Random(9162)
    hs = [merkle.leaf_hash(rnd.randbytes(rnd.randrange(0, 40))) for _ in range(70)]
    for n in range(1, 71):
        root = merkle.root_of(hs[:n])
        assert root == ref_root(hs[:n])
        for i in range(n):
            proof = merkle.inclusion_proof(i, n, hs)
            assert proof == ref_path(i, hs[:n])
            merkle.verify_inclusion(leaf=hs[i], index=i, size=n, proof=proof, root=root)
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, n, hs)
            assert proof == ref_subproof(m, hs[:n], True)
            merkle.verify_consistency(old_size=m, new_size=n, old_root=ref_root(hs[:m]),
                                      new_root=root, proof=proof)


def test_compact_range_tracks_the_root_and_resumes_from_its_nodes() -> None:
    cr = merkle.CompactRange()
    for n, h in enumerate(LEAF_HASHES, start=1):
        cr.append(h)
        assert cr.root() == ROOTS[n - 1]
        assert len(cr.nodes) == n.bit_count()
    resumed = merkle.CompactRange(5, _frontier(LEAF_HASHES[:5]))
    for h in LEAF_HASHES[5:]:
        resumed.append(h)
    assert resumed.root() == ROOTS[7]


def _frontier(hs: list[bytes]) -> tuple[bytes, ...]:
    cr = merkle.CompactRange()
    for h in hs:
        cr.append(h)
    return cr.nodes


def test_compact_range_refuses_a_frontier_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="holds 2 hashes, not 1"):
        merkle.CompactRange(5, [LEAF_HASHES[0]])


def test_suffix_root_needs_a_subtree_boundary() -> None:
    cr = merkle.CompactRange(7, _frontier(LEAF_HASHES[:7]))
    assert cr.suffix_root(4) == merkle.node_hash(
        merkle.node_hash(LEAF_HASHES[4], LEAF_HASHES[5]), LEAF_HASHES[6])
    with pytest.raises(ValueError, match="not a subtree boundary"):
        cr.suffix_root(5)


def test_collector_refuses_a_range_that_is_not_a_node() -> None:
    with pytest.raises(ValueError, match="not a node"):
        merkle.collect_nodes(LEAF_HASHES, [(1, 3)])
    with pytest.raises(ValueError, match="only 8 leaves"):
        merkle.collect_nodes(LEAF_HASHES, [(0, 9)])


# --- edges ---------------------------------------------------------------------------

def test_proof_of_a_leaf_outside_the_tree_is_refused() -> None:
    with pytest.raises(ValueError, match="not in a tree of size 3"):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(VerificationError, match="outside a tree of size 0"):
        merkle.verify_inclusion(leaf=LEAF_HASHES[0], index=0, size=0, proof=[],
                                root=merkle.EMPTY_ROOT)


def test_consistency_from_the_empty_tree() -> None:
    assert merkle.consistency_proof(0, 5, LEAF_HASHES) == []
    merkle.verify_consistency(old_size=0, new_size=5, old_root=merkle.EMPTY_ROOT,
                              new_root=ROOTS[4], proof=[])
    with pytest.raises(VerificationError, match="empty tree must be SHA-256 of nothing"):
        merkle.verify_consistency(old_size=0, new_size=5, old_root=ROOTS[0],
                                  new_root=ROOTS[4], proof=[])


def test_equal_sizes_need_equal_roots() -> None:
    with pytest.raises(VerificationError, match="two different roots for the same tree size 3"):
        merkle.verify_consistency(old_size=3, new_size=3, old_root=ROOTS[2], new_root=ROOTS[3],
                                  proof=[])


def test_shrinking_tree_is_refused() -> None:
    with pytest.raises(VerificationError, match="cannot extend"):
        merkle.verify_consistency(old_size=5, new_size=4, old_root=ROOTS[4], new_root=ROOTS[3],
                                  proof=[])


# --- tampering (after transparency-dev's corruptInclusionProof) ----------------------

def _flip(b: bytes, bit: int) -> bytes:
    out = bytearray(b)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize(("index", "size", "names"), [v for v in INCLUSION if v[2]])
def test_every_single_bit_flip_of_an_inclusion_proof_fails(index: int, size: int,
                                                           names: list[str]) -> None:
    proof, root, leaf = _path(names), ROOTS[size - 1], LEAF_HASHES[index]
    for i in range(len(proof)):
        for bit in range(256):
            bad = list(proof)
            bad[i] = _flip(bad[i], bit)
            with pytest.raises(VerificationError):
                merkle.verify_inclusion(leaf=leaf, index=index, size=size, proof=bad, root=root)
    for bit in range(256):
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf=_flip(leaf, bit), index=index, size=size, proof=proof,
                                    root=root)
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf=leaf, index=index, size=size, proof=proof,
                                    root=_flip(root, bit))


def test_corrupted_inclusion_probes_fail() -> None:
    index, size = 5, 8
    proof, root, leaf = _path(["bc1a", "ca85", "d37e"]), ROOTS[7], LEAF_HASHES[5]
    some = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    probes = [
        (index - 1, size, leaf, proof, root), (index + 1, size, leaf, proof, root),
        (index ^ 2, size, leaf, proof, root), (index, size * 2, leaf, proof, root),
        (index, size // 2, leaf, proof, root), (index, size, LEAF_HASHES[4], proof, root),
        (index, size, leaf, proof, merkle.EMPTY_ROOT), (index, size, leaf, proof, some),
        (index, size, leaf, [*proof, root], root), (index, size, leaf, [root, *proof], root),
        (index, size, leaf, proof[:-1], root), (index, size, leaf, [proof[0], some, *proof[1:]],
                                                 root),
        (index, size, leaf, [*proof, b""], root),
    ]
    for i, s, lf, p, r in probes:
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf=lf, index=i, size=s, proof=p, root=r)


@pytest.mark.parametrize(("old", "new", "names"), [v for v in CONSISTENCY if v[2]])
def test_every_single_bit_flip_of_a_consistency_proof_fails(old: int, new: int,
                                                            names: list[str]) -> None:
    proof, old_root, new_root = _path(names), ROOTS[old - 1], ROOTS[new - 1]
    for i in range(len(proof)):
        for bit in range(256):
            bad = list(proof)
            bad[i] = _flip(bad[i], bit)
            with pytest.raises(VerificationError):
                merkle.verify_consistency(old_size=old, new_size=new, old_root=old_root,
                                          new_root=new_root, proof=bad)
    for bit in range(0, 256, 7):
        with pytest.raises(VerificationError):
            merkle.verify_consistency(old_size=old, new_size=new,
                                      old_root=_flip(old_root, bit), new_root=new_root,
                                      proof=proof)
        with pytest.raises(VerificationError):
            merkle.verify_consistency(old_size=old, new_size=new, old_root=old_root,
                                      new_root=_flip(new_root, bit), proof=proof)


def test_corrupted_consistency_probes_fail() -> None:
    old, new = 6, 8
    proof = _path(["0ebc", "ca85", "d37e"])
    probes = [
        # (old, new - 1) is not here: tree hashes do not commit to the size, so the
        # 6 -> 8 path also fits 6 -> 7 with the 8-leaf root; signed checkpoints bind sizes.
        (old - 1, new, proof), (old + 1, new, proof), (old, new + 1, proof),
        (old, new * 2, proof), (old, new, proof[:-1]), (old, new, [*proof, ROOTS[7]]),
        (old, new, [ROOTS[5], *proof]), (old, new, list(reversed(proof))), (old, new, []),
    ]
    for o, n, p in probes:
        with pytest.raises(VerificationError):
            merkle.verify_consistency(old_size=o, new_size=n, old_root=ROOTS[5],
                                      new_root=ROOTS[7], proof=p)
    with pytest.raises(VerificationError, match="new root"):
        merkle.verify_consistency(old_size=old, new_size=new, old_root=ROOTS[5],
                                  new_root=ROOTS[6], proof=proof)

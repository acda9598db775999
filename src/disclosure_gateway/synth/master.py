"""Reading a master file and indexing what the batch generator asks of it.

A request is drawn for a *taxpayer*, so the generator needs, per taxpayer: the
row range of the address history, the newest row (the last known address),
and facts that make a request hard to answer: a namesake in the same ZIP, a
twin at the same address, a JR/SR suffix, an earlier address. All are found
with dictionary encoding and integer sorts, never a Python loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..contracts import MASTER_COLUMNS
from ..errors import InputError
from .vocab import fold

MasterSource: TypeAlias = pd.DataFrame | pa.Table | Path | str


def read_master(source: MasterSource) -> pa.Table:
    """The master file as an Arrow table with exactly ``MASTER_COLUMNS``.

    Raises InputError naming the file for a missing file, a file that is not
    Parquet, or missing columns.
    """
    where = "master"
    if isinstance(source, pd.DataFrame):
        table = pa.Table.from_pandas(source, preserve_index=False)
    elif isinstance(source, pa.Table):
        table = source
    else:
        path = Path(source)
        where = str(path)
        if not path.is_file():
            raise InputError("master file not found", where=where)
        try:
            table = pq.read_table(path)
        except (pa.ArrowException, OSError) as e:
            raise InputError(f"not a readable Parquet master file ({e})", where=where) from e
    missing = [c for c in MASTER_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"master file lacks column(s): {', '.join(missing)}", where=where)
    if table.num_rows == 0:
        raise InputError("master file has no rows", where=where)
    try:
        cols = [
            table[c] if table[c].type == want else table[c].cast(want)
            for c in MASTER_COLUMNS
            for want in [pa.int32() if c == "last_tax_year" else pa.string()]
        ]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
        raise InputError(f"master file has a column of the wrong type ({e})", where=where) from e
    return pa.table(dict(zip(MASTER_COLUMNS, cols, strict=True)))


def _codes(arr: pa.Array) -> tuple[np.ndarray, pa.Array]:
    enc = pc.dictionary_encode(arr)
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary


def _fold_codes(arr: pa.Array) -> tuple[np.ndarray, dict[str, int]]:
    """Codes of the case- and accent-folded values (fold runs once per distinct value)."""
    codes, dictionary = _codes(pc.fill_null(arr, ""))
    folded = [fold(v) for v in dictionary.to_pylist()]
    ids, uniques = pd.factorize(pd.Series(folded, dtype=object))
    return ids[codes].astype(np.int64), {u: i for i, u in enumerate(uniques)}


def _group_sizes(key: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return np.asarray(counts[inverse])


@dataclass(frozen=True, eq=False)
class MasterIndex:
    """A master table sorted by (TIN, address_as_of) and per-taxpayer facts.

    Arrays with one entry per taxpayer: ``start``, ``count`` (rows of the
    history) and ``current`` (row of the last known address), and the flags.
    """

    table: pa.Table
    start: np.ndarray
    count: np.ndarray
    current: np.ndarray
    namesake: np.ndarray
    twin: np.ndarray
    jr_sr: np.ndarray
    address_code: np.ndarray  # per taxpayer: code of (line1, zip) of the last known address
    first_code: np.ndarray  # per taxpayer: code of the folded first name
    first_codes: dict[str, int]  # folded first name -> code

    @property
    def taxpayers(self) -> int:
        return len(self.start)

    def resident_keys(self) -> np.ndarray:
        """(address, first name) keys of every taxpayer's last known address."""
        return self.address_code * (len(self.first_codes) + 1) + self.first_code


def index_master(source: MasterSource) -> MasterIndex:
    table = read_master(source)
    tin_code, _ = _codes(table["tin"].combine_chunks())
    try:
        as_of = pc.cast(table["address_as_of"], pa.date32()).combine_chunks()
    except pa.ArrowInvalid as e:
        raise InputError("address_as_of is not an ISO date (YYYY-MM-DD) everywhere", where="master") from e
    if as_of.null_count:
        raise InputError("address_as_of is empty on some rows", where="master")
    days = as_of.to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(np.int64)
    # Dictionary codes follow first appearance, so a file already grouped by
    # TIN in date order (as this generator writes it) needs no sort.
    ordered = bool(np.all(np.diff(tin_code) >= 0) and np.all((np.diff(tin_code) > 0) | (np.diff(days) >= 0)))
    if not ordered:
        order = np.lexsort((days, tin_code))
        table = table.take(pa.array(order))
        tin_code = tin_code[order]
    n = len(tin_code)
    start = np.flatnonzero(np.r_[True, tin_code[1:] != tin_code[:-1]])
    count = np.diff(np.r_[start, n])
    current = start + count - 1
    cur = table.take(pa.array(current))

    first_code, first_codes = _fold_codes(cur["first_name"].combine_chunks())
    last_code, _ = _fold_codes(cur["last_name"].combine_chunks())
    zip_code, _ = _codes(pc.fill_null(cur["zip"].combine_chunks(), ""))
    # Street lines have millions of distinct values: upper-case them in bulk
    # rather than folding accents one by one (street names carry none).
    line1_code, _ = _codes(pc.utf8_upper(pc.fill_null(cur["address_line1"].combine_chunks(), "")))
    dob_code, _ = _codes(pc.fill_null(cur["dob"].combine_chunks(), ""))
    n_zip, n_first, n_last = zip_code.max() + 1, len(first_codes) + 1, last_code.max() + 1
    _, address_code = np.unique(line1_code * n_zip + zip_code, return_inverse=True)
    address_code = address_code.astype(np.int64)

    # A namesake lives elsewhere in the ZIP; the same name at the same address
    # is a JR/SR pair (or a duplicate), which the jr_sr flag covers.
    name_key = (zip_code * n_first + first_code) * n_last + last_code
    _, name_id = np.unique(name_key, return_inverse=True)
    namesake = _group_sizes(name_key) > _group_sizes(
        name_id.astype(np.int64) * (address_code.max() + 1) + address_code
    )
    twin = _group_sizes((address_code * (dob_code.max() + 1) + dob_code) * n_last + last_code) > 1
    suffix = pc.utf8_upper(pc.fill_null(cur["suffix"].combine_chunks(), ""))
    jr_sr = pc.is_in(suffix, value_set=pa.array(["JR", "SR"])).to_numpy(zero_copy_only=False)
    return MasterIndex(
        table=table,
        start=start,
        count=count,
        current=current,
        namesake=namesake,
        twin=twin,
        jr_sr=np.asarray(jr_sr, dtype=bool),
        address_code=address_code,
        first_code=first_code,
        first_codes=first_codes,
    )

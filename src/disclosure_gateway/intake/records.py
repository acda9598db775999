"""Read a batch's records file (CSV, Parquet or JSON Lines) into a frame of text.

The result has exactly the contract's request columns
(:data:`~disclosure_gateway.contracts.REQUEST_COLUMNS`, in that order), every
value a string ('' where missing). Nothing is converted: a ZIP stays "02134",
"N/A" stays "N/A" — judging values is the gate's job, not the reader's.

The file comes from another agency and is treated as hostile. Anything the
reader cannot take exactly is refused with an :class:`~disclosure_gateway.errors.InputError`
naming the line (or record) and field: missing, extra or repeated columns,
bytes that are not UTF-8, NUL bytes, a line or field over the size limits, an
empty file or an empty line, a malformed JSON line, an unreadable Parquet
file. Before any parsing, one streaming pass over the raw bytes (in 16 MiB
blocks) checks encoding, NUL bytes and line lengths, so a 10 MB field or a
million-column line is refused without building it in memory. CSV is then
parsed by Arrow's reader, which is fast enough for millions of rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..contracts import REQUEST_COLUMNS
from ..errors import InputError
from .manifest import RecordFormat, format_of

MiB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Size limits; a request record has no business being larger."""

    #: one field (a relevance statement of several pages is still far below this)
    max_field_chars: int = 64 * 1024
    #: one physical line of CSV or JSON Lines
    max_line_bytes: int = 2 * MiB
    #: the whole file
    max_file_bytes: int = 4 * 1024 * MiB
    #: Parquet: total uncompressed size the metadata declares
    max_parquet_uncompressed: int = 4 * 1024 * MiB


_BLOCK = 16 * MiB


@dataclass(frozen=True)
class _Scan:
    lines: int  # physical lines (a final line without newline counts)


def _line_at(newlines_before: int) -> int:
    return newlines_before + 1


def _scan_bytes(path: Path, limits: ReadLimits, *, csv_quotes: bool) -> _Scan:
    """Stream the raw bytes once: size, UTF-8, NUL bytes, record lengths, empty lines.

    With ``csv_quotes`` a record ends at a newline outside double quotes (the
    parity of the quotes before it is even; an escaped quote "" keeps the
    parity), so a quoted value spanning many short lines is measured as the
    one record it is. Empty records are refused: an empty CSV line is neither
    a record nor nothing (the manifest's count would disagree with the
    parser's). JSON Lines has no quoted newlines and may have blank lines.
    """
    where = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"cannot read records file: {e.strerror}", where=where) from e
    if size == 0:
        raise InputError("the records file is empty", where=where)
    if size > limits.max_file_bytes:
        raise InputError(
            f"the records file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}",
            where=where,
        )
    limit = limits.max_line_bytes
    too_big = (f"over the limit of {limit:,} bytes for one record (a field or the number "
               "of columns is far too large)")
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    newlines = 0  # newlines before the current block
    quotes = 0  # double quotes before the current block
    record_start = 0  # absolute offset where the current record began
    record_line = 1  # the line it began on
    offset = 0  # absolute offset of the current block
    prev_last = b""  # the byte before the block, to spot "\r"-only lines
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            nul = block.find(b"\x00")
            if nul >= 0:
                line = _line_at(newlines + block.count(b"\n", 0, nul))
                raise InputError(f"line {line}: contains a NUL byte", where=where)
            try:
                decoder.decode(block)
            except UnicodeDecodeError as e:
                line = _line_at(newlines + block.count(b"\n", 0, e.start))
                raise InputError(
                    f"line {line}: not UTF-8 text (byte 0x{block[e.start]:02x}); "
                    "records files must be UTF-8",
                    where=where,
                ) from e
            raw = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(raw == 0x0A)
            if csv_quotes:
                quote_at = np.flatnonzero(raw == 0x22)
                outside = (quotes + np.searchsorted(quote_at, ends)) % 2 == 0
                quotes += len(quote_at)
            else:
                outside = np.ones(len(ends), dtype=bool)
            k_ends = np.flatnonzero(outside)  # indexes (among the block's newlines) ending records
            if len(k_ends):
                rec_ends = ends[k_ends] + offset
                starts = np.concatenate(([record_start], rec_ends[:-1] + 1))
                lengths = rec_ends - starts
                first_lines = np.concatenate(([record_line], newlines + k_ends[:-1] + 2))
                over = np.flatnonzero(lengths > limit)
                if len(over):
                    j = int(over[0])
                    raise InputError(f"line {int(first_lines[j])}: {int(lengths[j]):,} bytes, "
                                     f"{too_big}", where=where)
                if csv_quotes:
                    blank = _empty(block, lengths, rec_ends - offset, prev_last)
                    if blank is not None:
                        raise InputError(f"line {int(first_lines[blank])}: empty line",
                                         where=where)
                record_start = int(rec_ends[-1]) + 1
                record_line = newlines + int(k_ends[-1]) + 2
            newlines += len(ends)
            if offset + len(block) - record_start > limit:
                raise InputError(f"line {record_line}: {too_big}", where=where)
            prev_last = block[-1:]
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            raise InputError(
                f"line {_line_at(newlines)}: not UTF-8 text (truncated character at the end)",
                where=where,
            ) from e
    trailing = 1 if offset > record_start else 0
    return _Scan(lines=newlines + trailing)


def _empty(block: bytes, lengths: np.ndarray, ends: np.ndarray, prev_last: bytes) -> int | None:
    """Index of the first empty record ("" or a lone "\r"), or None.

    ``ends`` are the records' newline offsets within the block; a lone "\r"
    may be the previous block's last byte.
    """
    for k in np.flatnonzero(lengths <= 1).tolist():
        if lengths[k] == 0:
            return int(k)
        i = int(ends[k]) - 1
        if (block[i : i + 1] if i >= 0 else prev_last) == b"\r":
            return int(k)
    return None


def _check_columns(names: list[str], *, where: str, what: str) -> None:
    seen = Counter(names)
    repeated = sorted(n for n, k in seen.items() if k > 1)
    missing = [c for c in REQUEST_COLUMNS if c not in seen]
    extra = [n for n in dict.fromkeys(names) if n not in REQUEST_COLUMNS]
    problems = []
    if len(names) != len(REQUEST_COLUMNS):
        problems.append(f"{len(names):,} columns, expected {len(REQUEST_COLUMNS)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if extra:
        shown = ", ".join(repr(n[:40]) for n in extra[:10])
        more = f" and {len(extra) - 10:,} more" if len(extra) > 10 else ""
        problems.append(f"unexpected columns: {shown}{more}")
    if repeated:
        problems.append(f"repeated columns: {', '.join(repr(n[:40]) for n in repeated[:10])}")
    if problems:
        raise InputError(f"{what}: {'; '.join(problems)}", where=where)


# --- CSV -----------------------------------------------------------------------------


def _read_header(path: Path, limits: ReadLimits) -> list[str]:
    with path.open("rb") as f:
        first = f.readline(limits.max_line_bytes + 1)
    text = first.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise InputError("line 1: the header line is empty", where=str(path))
    try:
        return next(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise InputError(f"line 1: the header is not valid CSV: {e}", where=str(path)) from e


def _read_csv(path: Path, scan: _Scan, limits: ReadLimits) -> tuple[pa.Table, int]:
    where = str(path)
    header = _read_header(path, limits)
    if len(header) != len(set(header)) or set(header) != set(REQUEST_COLUMNS):
        _check_columns(header, where=where, what="line 1 (header)")
    bad: list[str] = []

    def on_invalid(row: Any) -> str:
        line = f"line {row.number}" if row.number is not None else "a line"
        bad.append(f"{line}: {row.actual_columns:,} columns, the header has {row.expected_columns}")
        return "error"

    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(
                # single-threaded so rejected rows carry their line number; still
                # hundreds of MB/s, far from the bottleneck
                use_threads=False,
                column_names=header,
                skip_rows=1,
                block_size=max(4 * limits.max_line_bytes, 16 * MiB),
            ),
            parse_options=pa_csv.ParseOptions(
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={c: pa.large_string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=True,
            ),
        )
    except pa.ArrowException as e:
        if bad:
            raise InputError(bad[0], where=where) from e
        raise InputError(f"not valid CSV: {str(e)[:300]}", where=where) from e
    # With one record per line, record i sits on line i + 2; otherwise some
    # values span lines and only the record number is exact.
    first_line = 2 if scan.lines == table.num_rows + 1 else 0
    return table, first_line


# --- JSON Lines -------------------------------------------------------------------------

_CHUNK_ROWS = 50_000


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError(f"key {k!r} appears twice")
        obj[k] = v
    return obj


def _read_jsonl(path: Path, limits: ReadLimits) -> tuple[pa.Table, int]:
    where = str(path)
    columns: dict[str, list[str]] = {c: [] for c in REQUEST_COLUMNS}
    batches: list[pa.RecordBatch] = []
    wanted = set(REQUEST_COLUMNS)

    def flush() -> None:
        if columns["request_id"]:
            batches.append(pa.record_batch(
                [pa.array(columns[c], type=pa.large_string()) for c in REQUEST_COLUMNS],
                names=list(REQUEST_COLUMNS),
            ))
            for c in REQUEST_COLUMNS:
                columns[c] = []

    with path.open("r", encoding="utf-8", newline="\n") as f:
        for n, raw in enumerate(f, start=1):
            if not raw.strip():
                continue  # blank lines separate nothing in JSON Lines; skipped, as counted
            try:
                obj = json.loads(raw, object_pairs_hook=_no_duplicates)
            except (ValueError, RecursionError) as e:
                reason = str(e) if isinstance(e, ValueError) else "nested too deeply"
                raise InputError(f"line {n}: not valid JSON: {reason[:200]}", where=where) from e
            if not isinstance(obj, dict):
                raise InputError(f"line {n}: not a JSON object", where=where)
            if obj.keys() != wanted:
                _check_columns(list(obj), where=where, what=f"line {n}")
            for c in REQUEST_COLUMNS:
                v = obj[c]
                if v is None:
                    v = ""
                elif not isinstance(v, str):
                    raise InputError(
                        f"line {n}, field {c}: expected a string or null, "
                        f"found {type(v).__name__}",
                        where=where,
                    )
                columns[c].append(v)
            if len(columns["request_id"]) >= _CHUNK_ROWS:
                flush()
    flush()
    if not batches:
        raise InputError("the records file has no records", where=where)
    return pa.Table.from_batches(batches), 0


# --- Parquet --------------------------------------------------------------------------


def _read_parquet(path: Path, limits: ReadLimits) -> tuple[pa.Table, int]:
    where = str(path)
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        meta = pf.metadata
    except Exception as e:  # pyarrow raises several unrelated types for a bad file
        raise InputError(f"not a readable Parquet file: {str(e)[:200]}", where=where) from e
    _check_columns(list(schema.names), where=where, what="Parquet schema")
    for name in REQUEST_COLUMNS:
        typ = schema.field(name).type
        if pa.types.is_dictionary(typ):
            typ = typ.value_type
        if not (pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_null(typ)):
            raise InputError(
                f"field {name}: type {typ}; every request column must be text", where=where
            )
    declared = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if declared > limits.max_parquet_uncompressed:
        raise InputError(
            f"Parquet data would take {declared:,} bytes uncompressed, over the limit of "
            f"{limits.max_parquet_uncompressed:,}",
            where=where,
        )
    try:
        table = pf.read(columns=list(REQUEST_COLUMNS))
        table.validate(full=True)  # includes UTF-8 validity of every string
    except Exception as e:
        raise InputError(f"not a readable Parquet file: {str(e)[:200]}", where=where) from e
    return table, 0


# --- common ---------------------------------------------------------------------------


def _locate(i: int, first_line: int) -> str:
    return f"line {i + first_line}" if first_line else f"record {i + 1}"


def _to_frame(table: pa.Table, *, first_line: int, limits: ReadLimits, where: str) -> pd.DataFrame:
    arrays = []
    for name in REQUEST_COLUMNS:
        col = table.column(name)
        if not pa.types.is_large_string(col.type):  # string, dictionary or all-null
            col = pc.cast(col, pa.large_string())
        col = pc.fill_null(col, "")
        lengths = pc.utf8_length(col)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_field_chars:
            i = int(pc.index(lengths, longest).as_py())
            raise InputError(
                f"{_locate(i, first_line)}, field {name}: {longest:,} characters, over the "
                f"field limit of {limits.max_field_chars:,}",
                where=where,
            )
        # JSON ("\u0000") and Parquet can carry NUL inside a value
        has_nul = pc.match_substring(col, "\x00")
        if pc.any(has_nul).as_py():
            i = int(pc.index(has_nul, True).as_py())
            raise InputError(
                f"{_locate(i, first_line)}, field {name}: contains a NUL character", where=where
            )
        arrays.append(col)
    out = pa.table(arrays, names=list(REQUEST_COLUMNS))
    return out.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if t in (
        pa.large_string(), pa.string()) else None)


def read_records(
    path: Path, fmt: RecordFormat | None = None, *, limits: ReadLimits | None = None
) -> pd.DataFrame:
    """Read and structurally validate a records file; raise InputError naming line and field.

    The frame has one row per record, the contract's columns in contract
    order, Arrow-backed strings, '' for missing values.
    """
    limits = limits or ReadLimits()
    fmt = fmt or format_of(path)
    where = str(path)
    if fmt == "parquet":
        try:
            size = path.stat().st_size
        except OSError as e:
            raise InputError(f"cannot read records file: {e.strerror}", where=where) from e
        if size == 0:
            raise InputError("the records file is empty", where=where)
        table, first_line = _read_parquet(path, limits)
    else:
        scan = _scan_bytes(path, limits, csv_quotes=fmt == "csv")
        if fmt == "csv":
            table, first_line = _read_csv(path, scan, limits)
        else:
            table, first_line = _read_jsonl(path, limits)
    return _to_frame(table, first_line=first_line, limits=limits, where=where)

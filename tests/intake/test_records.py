"""The records reader: exact text out; hostile files refused naming the line or field."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from disclosure_gateway.contracts import REQUEST_COLUMNS
from disclosure_gateway.errors import InputError
from disclosure_gateway.intake.records import ReadLimits, read_records

HEADER = ",".join(REQUEST_COLUMNS)
VALUES = {
    "request_id": "R1",
    "first_name": "Ana",
    "middle_name": "",
    "last_name": "Díaz",
    "dob": "1980-01-01",
    "tin": "",
    "address_line1": "1 Main St",
    "address_line2": "",
    "city": "Holtsville",
    "state": "NY",
    "zip": "00501",
    "taxable_periods": "2023",
    "statute": "8 USC 1326",
    "removal_order_date": "2020-01-01",
    "case_number": "ICE-2024-12345",
    "investigating_officer": "N/A",
    "relevance": "=SUM(A1)",
}


def row(**over: str) -> str:
    vals = {**VALUES, **over}
    return ",".join(vals[c] for c in REQUEST_COLUMNS)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def test_csv_values_come_back_as_exact_text(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row()}\n{row(request_id='R2', dob='')}\n")
    df = read_records(p)
    assert list(df.columns) == list(REQUEST_COLUMNS)
    assert len(df) == 2
    first = df.iloc[0]
    assert first["zip"] == "00501"  # no numeric conversion
    assert first["investigating_officer"] == "N/A"  # no NA conversion
    assert first["relevance"] == "=SUM(A1)"
    assert df.iloc[1]["dob"] == ""


def test_csv_columns_in_any_order_bom_and_crlf(tmp_path: Path) -> None:
    cols = list(reversed(REQUEST_COLUMNS))
    line = ",".join(VALUES[c] for c in cols)
    p = write(tmp_path, "r.csv", "\ufeff" + ",".join(cols) + "\r\n" + line + "\r\n")
    df = read_records(p)
    assert list(df.columns) == list(REQUEST_COLUMNS)
    assert df.iloc[0]["request_id"] == "R1"
    assert df.iloc[0]["relevance"] == "=SUM(A1)"


def test_quoted_values_may_hold_commas_and_newlines(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row(relevance=chr(34) + 'a, b' + chr(10) + 'c' + chr(34))}\n")
    assert read_records(p).iloc[0]["relevance"] == "a, b\nc"


MALFORMED_CSV = [
    (
        "missing column",
        HEADER.replace(",relevance", "") + "\n",
        r"line 1 \(header\).*missing columns: relevance",
    ),
    ("extra column", HEADER + ",extra\n" + row() + ",x\n", r"line 1 \(header\).*unexpected columns: 'extra'"),
    ("repeated column", HEADER + ",zip\n", r"line 1 \(header\).*repeated columns: 'zip'"),
    ("empty file", "", r"the records file is empty"),
    ("header only blank", "\n", r"line 1: empty line|line 1: the header line is empty"),
    ("empty line", f"{HEADER}\n{row()}\n\n{row()}\n", r"line 3: empty line"),
    ("short row", f"{HEADER}\n{row()}\nR3,Ana\n", r"line 3: 2 columns, the header has 17"),
    ("long row", f"{HEADER}\n{row()}\n{row()},x\n", r"line 3: 18 columns, the header has 17"),
    (
        "million columns",
        f"{HEADER}\n{row()}\n" + "," * 1_000_000 + "\n",
        r"line 3: 1,000,001 columns, the header has 17",
    ),
    ("million-column header", "a," * 1_000_000 + "\n", r"line 1 \(header\): 1,000,001 columns, expected 17"),
    (
        "NUL byte",
        f"{HEADER}\n{row()}\n{row(first_name='A' + chr(0) + 'na')}\n",
        r"line 3: contains a NUL byte",
    ),
    (
        "10 MB field",
        f"{HEADER}\n{row()}\n{row(relevance='x' * 10_000_000)}\n",
        r"line 3: 10,000,\d+ bytes, over the limit of 2,097,152 bytes for one record",
    ),
    ("unterminated quote", f'{HEADER}\n{row()}\n"R3,{row()[3:]}\n', r"line|CSV"),
]


@pytest.mark.parametrize(("case", "text", "message"), MALFORMED_CSV, ids=[c[0] for c in MALFORMED_CSV])
def test_malformed_csv_is_refused_naming_the_line(tmp_path: Path, case: str, text: str, message: str) -> None:
    p = write(tmp_path, "r.csv", text)
    with pytest.raises(InputError, match=message):
        read_records(p)


def test_wrong_encoding_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = f"{HEADER}\n{row(last_name='Diaz')}\n{row(first_name='Ané')}\n"
    p = write(tmp_path, "r.csv", text.encode("latin-1"))
    with pytest.raises(InputError, match=r"line 3: not UTF-8 text \(byte 0xe9\)"):
        read_records(p)


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row()}\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"line 1: (not UTF-8|contains a NUL)"):
        read_records(p)


def test_field_over_the_field_limit_names_line_and_field(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row()}\n{row(relevance='y' * 5000)}\n")
    with pytest.raises(
        InputError, match=r"line 3, field relevance: 5,000 characters, over the field limit of 4,096"
    ):
        read_records(p, limits=ReadLimits(max_field_chars=4096))


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row()}\n")
    with pytest.raises(InputError, match="over the limit of 100"):
        read_records(p, limits=ReadLimits(max_file_bytes=100))


# --- JSON Lines ---------------------------------------------------------------------------


def jline(**over: object) -> str:
    return json.dumps({**VALUES, **over}, ensure_ascii=False)


def test_jsonl_reads_strings_and_nulls(tmp_path: Path) -> None:
    p = write(tmp_path, "r.jsonl", jline() + "\n\n" + jline(request_id="R2", dob=None) + "\n")
    df = read_records(p)
    assert len(df) == 2
    assert df.iloc[1]["dob"] == ""
    assert df.iloc[0]["last_name"] == "Díaz"


MALFORMED_JSONL = [
    ("not json", jline() + "\n{nope\n", r"line 2: not valid JSON"),
    ("not an object", jline() + "\n[1, 2]\n", r"line 2: not a JSON object"),
    (
        "missing key",
        jline() + "\n" + json.dumps({k: v for k, v in VALUES.items() if k != "zip"}) + "\n",
        r"line 2: .*missing columns: zip",
    ),
    ("extra key", jline(extra="x") + "\n", r"line 1: .*unexpected columns: 'extra'"),
    ("number value", jline(zip=501) + "\n", r"line 1, field zip: expected a string or null, found int"),
    (
        "duplicate key",
        jline()[:-1] + ', "zip": "10001"}\n',
        r"line 1: not valid JSON: key 'zip' appears twice",
    ),
    ("deep nesting", "[" * 100_000 + "\n", r"line 1: not valid JSON"),
    (
        "NUL escape",
        jline(first_name="A\u0000na") + "\n",
        r"record 1, field first_name: contains a NUL character",
    ),
    ("only blank lines", "\n\n", r"no records"),
]


@pytest.mark.parametrize(("case", "text", "message"), MALFORMED_JSONL, ids=[c[0] for c in MALFORMED_JSONL])
def test_malformed_jsonl_is_refused_naming_the_line(
    tmp_path: Path, case: str, text: str, message: str
) -> None:
    p = write(tmp_path, "r.jsonl", text)
    with pytest.raises(InputError, match=message):
        read_records(p)


# --- Parquet ------------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path) -> None:
    df = pd.DataFrame([VALUES, {**VALUES, "request_id": "R2"}])
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.set_column(
        table.schema.get_field_index("dob"), "dob", pa.array([None, "1990-01-01"], pa.string())
    )
    p = tmp_path / "r.parquet"
    pq.write_table(table, p)
    out = read_records(p)
    assert list(out.columns) == list(REQUEST_COLUMNS)
    assert out.iloc[0]["dob"] == "" and out.iloc[1]["dob"] == "1990-01-01"
    assert out.iloc[0]["zip"] == "00501"


def test_parquet_with_a_numeric_column_is_refused(tmp_path: Path) -> None:
    df = pd.DataFrame([VALUES])
    df["zip"] = 501
    p = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), p)
    with pytest.raises(InputError, match="field zip: type int64; every request column must be text"):
        read_records(p)


def test_parquet_missing_columns_refused(tmp_path: Path) -> None:
    df = pd.DataFrame([VALUES]).drop(columns=["relevance"])
    p = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), p)
    with pytest.raises(InputError, match=r"Parquet schema: .*missing columns: relevance"):
        read_records(p)


@pytest.mark.parametrize("content", [b"PAR1 not really", b"\x00" * 64, b"hello"])
def test_unreadable_parquet_is_refused(tmp_path: Path, content: bytes) -> None:
    p = write(tmp_path, "r.parquet", content)
    with pytest.raises(InputError, match="not a readable Parquet file"):
        read_records(p)


def test_parquet_field_limit_names_the_record(tmp_path: Path) -> None:
    df = pd.DataFrame([VALUES, {**VALUES, "relevance": "z" * 300}])
    p = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), p)
    with pytest.raises(InputError, match="record 2, field relevance: 300 characters"):
        read_records(p, limits=ReadLimits(max_field_chars=200))


def test_a_quoted_value_spanning_many_short_lines_is_measured_whole(tmp_path: Path) -> None:
    bomb = '"' + "a\n" * 2_000_000 + '"'
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row()}\n{row(relevance=bomb)}\n")
    with pytest.raises(InputError, match=r"line 3: 4,000,\d+ bytes, over the limit"):
        read_records(p)


def test_blank_line_inside_a_quoted_value_is_not_an_empty_line(tmp_path: Path) -> None:
    p = write(tmp_path, "r.csv", f"{HEADER}\n{row(relevance=chr(34) + 'a' + chr(10) * 2 + 'b' + chr(34))}\n")
    assert read_records(p).iloc[0]["relevance"] == "a\n\nb"


@pytest.mark.parametrize("block", [7, 64, 1000])
def test_scanning_in_small_blocks_gives_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    import disclosure_gateway.intake.records as records

    monkeypatch.setattr(records, "_BLOCK", block)
    quoted = row(relevance=chr(34) + "x, y" + chr(10) + "z" + chr(34))
    good = write(tmp_path, "good.csv", f"{HEADER}\r\n{row()}\r\n{quoted}\r\n{row()}\r\n")
    assert len(read_records(good)) == 3
    blank = write(tmp_path, "blank.csv", f"{HEADER}\r\n{row()}\r\n{quoted}\r\n\r\n{row()}\r\n")
    with pytest.raises(InputError, match=r"line 5: empty line"):
        read_records(blank)
    latin = write(
        tmp_path,
        "latin.csv",
        f"{HEADER}\n{row(last_name='Diaz')}\n{row(first_name='Ané')}\n".encode("latin-1"),
    )
    with pytest.raises(InputError, match=r"line 3: not UTF-8"):
        read_records(latin)
    with pytest.raises(InputError, match=r"line 4: (\d+ bytes, )?over the limit of 250"):
        read_records(
            write(tmp_path, "long.csv", f"{HEADER}\n{row()}\n{row()}\n{row(relevance='r' * 200)}\n"),
            limits=ReadLimits(max_line_bytes=250),
        )

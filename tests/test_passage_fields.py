"""Every form of a passage agrees with the one field list, ``model.PASSAGE_FIELDS``.

The dtype, the index's packed record, the Parquet schema and the API's
``PassageOut`` are derived from the list; the forms written out by hand for
speed (``Passage`` and its ``to_dict``, ``PassageTable``'s row unpacking, the
fast JSON line, the packed record's ``struct``) are checked here field by
field, with a passage whose every field has a value of its own, so that two
fields swapped would show.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pyarrow as pa

from wiretrace.index.store import (
    PASSAGE_RECORD,
    decode_passages,
    encode_passages,
    passage_rows,
)
from wiretrace.model import (
    KIND_CODE,
    PASSAGE_DTYPE,
    PASSAGE_FIELDS,
    Article,
    Passage,
    PassageTable,
    TraceResult,
)
from wiretrace.output.files import _schemas, passage_lines, passage_row
from wiretrace.server.schemas import PassageOut

NAMES = [f.name for f in PASSAGE_FIELDS]
PASSAGE_NAMES = [f.name for f in PASSAGE_FIELDS if f.table is not None]
TEXT_A = "The minister said on Monday that the bridge would reopen in May, officials said."
TEXT_B = "On Monday the minister said the bridge would reopen in June, according to officials."
# every field its own value (and kind not the default), so a swap shows
DISTINCT = Passage("x", 4, 40, "y", 3, 45, 0.625, 6, "template", 7, 9)


def _coded(name: str, value: object) -> object:
    """A field's value as the arrays hold it: ids by number, kind by code."""
    return {"a": 0, "b": 1}[name] if name in ("a", "b") else \
        KIND_CODE[value] if name == "kind" else value


def _result(passages: list[Passage]) -> TraceResult:
    articles = {"x": Article("x", TEXT_A), "y": Article("y", TEXT_B)}
    return TraceResult(articles, passages, [], [], [])


def test_the_layouts_stay_as_stored():
    # The pipeline fills table rows in this order, and the index's FORMAT stands for
    # these bytes: files written before must read the same.
    assert PASSAGE_DTYPE.descr == np.dtype([
        ("a", np.int32), ("b", np.int32), ("a_start", np.int64), ("a_end", np.int64),
        ("b_start", np.int64), ("b_end", np.int64), ("score", np.float64),
        ("matched_words", np.int64), ("kind", np.int8), ("slots_kept", np.int32),
        ("slots_changed", np.int32)]).descr
    assert PASSAGE_RECORD.descr == np.dtype([
        ("a_start", "<i4"), ("a_end", "<i4"), ("b_start", "<i4"), ("b_end", "<i4"),
        ("score", "<f8"), ("matched_words", "<i4"), ("kind", "<i1"), ("slots_kept", "<i4"),
        ("slots_changed", "<i4")]).descr


def test_passage_class_has_the_listed_fields_types_and_defaults():
    fields = dataclasses.fields(Passage)
    assert [f.name for f in fields] == PASSAGE_NAMES
    listed = {f.name: f for f in PASSAGE_FIELDS}
    for f in fields:
        assert f.type == listed[f.name].python.__name__  # annotations are strings here
        expected = listed[f.name].default
        assert f.default == (dataclasses.MISSING if expected is ... else expected)
    assert list(DISTINCT.to_dict()) == PASSAGE_NAMES
    assert DISTINCT.to_dict() == dataclasses.asdict(DISTINCT)


def test_table_rows_hold_every_field_in_place():
    table = PassageTable.from_passages([DISTINCT], ["x", "y"])
    row = table.rows[0]
    for name in PASSAGE_NAMES:
        assert row[name] == _coded(name, getattr(DISTINCT, name)), name
    assert table[0] == DISTINCT
    assert list(table) == [DISTINCT]
    assert table.of_pair(0, 1) == [DISTINCT]


def test_the_index_record_holds_every_field_in_place():
    blob = encode_passages([DISTINCT])
    record = np.frombuffer(blob, dtype=PASSAGE_RECORD)[0]
    for name in PASSAGE_RECORD.names:
        assert record[name] == _coded(name, getattr(DISTINCT, name)), name
    assert decode_passages(blob, "x", "y") == [DISTINCT]
    rows = passage_rows([(10, 20, blob)], {10: 0, 20: 1})
    assert PassageTable(rows, ["x", "y"])[0] == DISTINCT
    # what the struct packs is what NumPy reads as the dtype, byte for byte
    assert len(blob) == PASSAGE_RECORD.itemsize


def test_json_row_and_fast_line_have_the_listed_keys_in_order():
    for kind in KIND_CODE:  # evidence is null for reuse only
        passage = dataclasses.replace(DISTINCT, kind=kind)
        result = _result([passage])
        row = passage_row(passage, result.articles)
        assert list(row) == NAMES
        (line,) = passage_lines(result)
        pairs = json.loads(line, object_pairs_hook=list)
        assert [key for key, _ in pairs] == NAMES
        assert dict(pairs) == row
        for f in PASSAGE_FIELDS:
            assert isinstance(row[f.name], f.python), f.name


def test_parquet_columns_take_the_json_values():
    arrow_of = {str: pa.string(), int: pa.int64(), float: pa.float64()}
    schema = _schemas()["passages"]
    assert schema.names == NAMES
    for f in PASSAGE_FIELDS:
        python = str if f.name == "evidence" else f.python  # str | None: nullable string
        assert schema.field(f.name).type == arrow_of[python], f.name
    row = passage_row(DISTINCT, _result([DISTINCT]).articles)
    assert pa.Table.from_pylist([row], schema=schema).to_pylist() == [row]


def test_api_passage_has_the_listed_fields_defaults_and_descriptions():
    fields = PassageOut.model_fields
    assert list(fields) == NAMES
    for f in PASSAGE_FIELDS:
        field = fields[f.name]
        assert field.annotation == f.python, f.name
        assert field.is_required() == (f.default is ...), f.name
        if f.default is not ...:
            assert field.default == f.default, f.name
        assert field.description == (f.help or None), f.name
    row = passage_row(DISTINCT, _result([DISTINCT]).articles)
    dumped = PassageOut.model_validate(row).model_dump(mode="json")
    assert list(dumped) == NAMES and dumped == row

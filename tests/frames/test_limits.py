"""Frames stay bounded: key-per-row records fail fast with a way forward; deep JSON is one error."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from gumloop_nb.frames import (
    FrameError,
    FrameWarning,
    parse_artifact,
    records_to_dataframe,
    records_to_long,
    to_dataframe,
)


def key_per_row(rows: int, keys: int) -> list[dict[str, int]]:
    """Records whose keys are all distinct: rows x keys columns when flattened wide."""
    return [{f"r{i}_k{j}": j for j in range(keys)} for i in range(rows)]


def test_a_column_explosion_fails_before_building_the_frame_and_says_how_to_go_on() -> None:
    # 600 x 20 distinct keys = 12,000 columns, past the default of 10,000.
    with pytest.raises(FrameError) as info:
        records_to_dataframe(key_per_row(600, 20))
    message = str(info.value)
    assert "12,000 columns" in message
    for way_forward in ("record_path", "records_to_long", "max_columns"):
        assert way_forward in message


@pytest.mark.parametrize(
    "read",
    [
        lambda data, **kw: to_dataframe(data, **kw),
        lambda data, **kw: parse_artifact(data, filename="wide.json", **kw),
    ],
    ids=["to_dataframe", "parse_artifact"],
)
def test_every_entry_point_takes_the_limits(read) -> None:
    data = json.dumps(key_per_row(30, 4)).encode()  # 120 columns
    with pytest.raises(FrameError, match="120 columns"):
        read(data, max_columns=100)
    with pytest.raises(FrameError, match="cells"):
        read(data, max_cells=30 * 100)
    df = read(data, max_columns=None, max_cells=None)
    assert df.shape == (30, 120)


def test_a_raised_limit_builds_the_same_frame_as_without_limits() -> None:
    records = key_per_row(50, 3)
    df = records_to_dataframe(records, max_columns=150)
    assert df.shape == (50, 150)
    assert df["r7_k2"].tolist() == [pd.NA] * 7 + [2] + [pd.NA] * 42


def test_nested_columns_count_against_the_limit() -> None:
    records = [{"id": i, "attrs": {f"a{i}_{j}": j for j in range(5)}} for i in range(40)]
    with pytest.raises(FrameError, match="columns"):
        records_to_dataframe(records, max_columns=100)
    assert records_to_dataframe(records, max_columns=201).shape == (40, 201)


def test_uniform_records_are_not_affected_by_the_limit() -> None:
    records = [{"a": i, "b": {"c": i}} for i in range(100)]
    assert records_to_dataframe(records, max_columns=2).columns.tolist() == ["a", "b.c"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_a_limit_that_is_not_a_positive_int_is_refused(bad: object) -> None:
    with pytest.raises(FrameError, match="positive int or None"):
        records_to_dataframe([{"a": 1}], max_columns=bad)  # type: ignore[arg-type]


def test_the_long_layout_has_one_row_per_value_whatever_the_keys() -> None:
    records = [{"id": 1, "tags": {"x": "a", "y": [1, 2]}}, {}, {"z": None}]
    df = records_to_long(records)
    assert df.columns.tolist() == ["record", "key", "value"]
    assert df["record"].tolist() == [0, 0, 0, 1, 2]
    assert df["key"].tolist()[:3] == ["id", "tags.x", "tags.y"]
    assert pd.isna(df["key"].iloc[3])  # an empty record keeps its row
    assert df["value"].tolist()[2] == [1, 2]  # lists stay values
    assert df["value"].tolist()[4] is None


def test_the_long_layout_of_a_column_explosion_holds_every_value() -> None:
    df = records_to_long(key_per_row(600, 20))
    assert df.shape == (12_000, 3)
    assert df["value"].sum() == 600 * sum(range(20))


def test_the_long_layout_follows_max_level_and_sep() -> None:
    df = records_to_long([{"a": {"b": {"c": 1}}}], max_level=1, sep="/")
    assert df["key"].tolist() == ["a/b"]
    assert df["value"].tolist() == [{"c": 1}]


def deep_json(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [5_000, 100_000])
def test_json_nested_thousands_of_levels_is_a_frame_error_not_a_recursion_error(
    levels: int,
) -> None:
    text = deep_json(levels)
    with pytest.raises(FrameError, match="nested too deeply"):
        to_dataframe(text)
    with pytest.raises(FrameError, match="not valid JSON"):
        parse_artifact(text.encode(), filename="deep.json")


def test_records_nested_deeper_than_the_expansion_depth_keep_the_rest_whole() -> None:
    node: dict[str, object] = {"leaf": 1}
    for _ in range(300):  # json can decode this; expanding it all would pass Python's stack
        node = {"n": node}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = records_to_dataframe([node, node])
    assert any(issubclass(w.category, FrameWarning) and "nested" in str(w.message) for w in caught)
    assert len(df) == 2 and df.shape[1] == 1
    expanded = len(df.columns[0].split("."))
    assert 50 <= expanded < 300
    kept = df.iloc[0, 0]
    depth = 0
    while isinstance(kept, dict) and "n" in kept:
        kept, depth = kept["n"], depth + 1
    assert kept == {"leaf": 1} and depth == 300 - expanded

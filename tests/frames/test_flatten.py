"""The flattening core: column order, dtypes and the json_normalize traps."""

from __future__ import annotations

import random
import warnings

import pandas as pd
import pytest

from gumloop_nb.frames import FrameError, FrameWarning, records_to_dataframe


def test_columns_are_the_union_of_keys_in_first_seen_order() -> None:
    rows = [{"a": 1}, {"b": 2, "a": 3}, {"c": {"x": 1}, "b": 4}]
    df = records_to_dataframe(rows)
    assert df.columns.tolist() == ["a", "b", "c.x"]
    assert df["a"].tolist() == [1, 3, pd.NA]
    assert df["c.x"].tolist() == [pd.NA, pd.NA, 1]


def test_rows_with_as_many_keys_but_different_ones_keep_every_key() -> None:
    df = records_to_dataframe([{"a": 1, "b": None}, {"a": 2, "c": 3}])
    assert df.columns.tolist() == ["a", "b", "c"]
    assert df["c"].tolist() == [pd.NA, 3]


def test_dict_subclasses_are_flattened_like_dicts() -> None:
    from collections import OrderedDict

    df = records_to_dataframe([{"m": OrderedDict(x=1)}, {"m": {"x": 2}}])
    assert df["m.x"].tolist() == [1, 2]


def test_strings_with_nan_gaps_use_the_string_dtype() -> None:
    df = records_to_dataframe([{"s": "a"}, {"s": float("nan")}, {"s": None}])
    assert df["s"].dtype == pd.Series(["x"]).dtype
    assert df["s"].isna().tolist() == [False, True, True]


def test_nested_columns_stay_in_place_instead_of_moving_to_the_end() -> None:
    df = records_to_dataframe([{"id": 1, "user": {"name": "Ada", "age": 36}, "score": 2.5}])
    assert df.columns.tolist() == ["id", "user.name", "user.age", "score"]


def test_the_same_rows_in_any_order_give_the_same_columns_and_dtypes() -> None:
    rows = [
        {"id": i, "n": (i if i % 3 else None), "tag": {"k": "v"} if i % 2 else {}, "x": 0.5}
        for i in range(30)
    ]
    rows[0]["late"] = True
    reference = records_to_dataframe(rows)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        df = records_to_dataframe(shuffled)
        assert sorted(df.columns) == sorted(reference.columns)
        assert df.dtypes.sort_index().equals(reference.dtypes.sort_index())


def test_integer_columns_with_gaps_stay_integers() -> None:
    big = 2**53 + 1  # not representable as float64: a float column would corrupt it
    df = records_to_dataframe([{"n": 1}, {"n": None}, {}, {"n": big}])
    assert str(df["n"].dtype) == "Int64"
    assert df["n"].tolist() == [1, pd.NA, pd.NA, big]


def test_booleans_with_gaps_stay_booleans() -> None:
    df = records_to_dataframe([{"ok": True}, {"ok": None}, {"ok": False}])
    assert str(df["ok"].dtype) == "boolean"
    assert df["ok"].tolist() == [True, pd.NA, False]


def test_complete_integer_and_float_columns_use_numpy_dtypes() -> None:
    df = records_to_dataframe([{"i": 1, "f": 1.5}, {"i": 2, "f": None}])
    assert df["i"].dtype == "int64"
    assert df["f"].dtype == "float64"
    assert pd.isna(df["f"][1])


def test_integers_beyond_64_bits_are_kept_exactly() -> None:
    df = records_to_dataframe([{"n": 2**70}, {"n": 1}])
    assert df["n"].tolist() == [2**70, 1]


def test_a_key_containing_the_separator_does_not_overwrite_the_nested_column() -> None:
    rows = [{"a.b": "literal", "a": {"b": "nested"}}]
    with pytest.warns(FrameWarning, match="renamed"):
        df = records_to_dataframe(rows)
    assert sorted(df.iloc[0].tolist()) == ["literal", "nested"]
    assert df["a.b"][0] == "literal"  # the shorter key path keeps the plain name
    assert df["a.b_2"][0] == "nested"
    assert df.attrs["renamed_columns"] == {"a.b_2": ["a", "b"]}


def test_the_disambiguation_does_not_depend_on_which_key_comes_first() -> None:
    with pytest.warns(FrameWarning):
        df = records_to_dataframe([{"a": {"b": "nested"}, "a.b": "literal"}])
    assert df["a.b"][0] == "literal"
    assert df["a.b_2"][0] == "nested"


def test_a_rename_never_lands_on_an_existing_column() -> None:
    with pytest.warns(FrameWarning):
        df = records_to_dataframe([{"a.b": 1, "a.b_2": 2, "a": {"b": 3}}])
    assert len(set(df.columns)) == 3
    assert sorted(df.iloc[0].tolist()) == [1, 2, 3]


def test_another_separator_avoids_the_collision_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", FrameWarning)
        df = records_to_dataframe([{"a.b": 1, "a": {"b": 2}}], sep="/")
    assert df.columns.tolist() == ["a.b", "a/b"]


def test_empty_nested_objects_do_not_make_rows_vanish() -> None:
    df = records_to_dataframe([{"id": 1, "meta": {}}, {"id": 2, "meta": {"x": 5}}])
    assert df["id"].tolist() == [1, 2]
    assert df["meta.x"].tolist() == [pd.NA, 5]


def test_a_field_whose_objects_are_all_empty_stays_a_column() -> None:
    df = records_to_dataframe([{"id": 1, "meta": {}}, {"id": 2, "meta": {}}])
    assert df.columns.tolist() == ["id", "meta"]
    assert len(df) == 2


def test_an_object_in_some_rows_and_a_scalar_in_others_keeps_both() -> None:
    df = records_to_dataframe([{"a": {"x": 1}}, {"a": "plain"}])
    assert df.columns.tolist() == ["a", "a.x"]
    assert df["a"].tolist()[1] == "plain"
    assert pd.isna(df["a"][0])
    assert df["a.x"].tolist() == [1, pd.NA]


def test_an_object_next_to_integers_is_still_flattened() -> None:
    df = records_to_dataframe([{"a": 1}, {"a": {"x": 2}}])
    assert df.columns.tolist() == ["a", "a.x"]
    assert df["a.x"].tolist() == [pd.NA, 2]


def test_lists_inside_records_stay_python_lists() -> None:
    df = records_to_dataframe([{"tags": ["a", "b"]}, {"tags": ["c", "d"]}, {"tags": []}])
    assert df["tags"].tolist() == [["a", "b"], ["c", "d"], []]


def test_max_level_limits_how_deep_objects_are_expanded() -> None:
    rows = [{"a": {"b": {"c": 1}}}]
    assert records_to_dataframe(rows, max_level=0).columns.tolist() == ["a"]
    assert records_to_dataframe(rows, max_level=1).columns.tolist() == ["a.b"]
    assert records_to_dataframe(rows, max_level=1)["a.b"][0] == {"c": 1}
    assert records_to_dataframe(rows).columns.tolist() == ["a.b.c"]


def test_items_that_are_not_objects_become_content_rows() -> None:
    df = records_to_dataframe([{"a": 1}, "loose text", 7])
    assert df.columns.tolist() == ["a", "content"]
    assert df["content"].tolist()[1:] == ["loose text", 7]


def test_mixed_types_in_a_column_stay_objects_instead_of_failing() -> None:
    df = records_to_dataframe([{"v": 1}, {"v": "two"}, {"v": [3]}])
    assert df["v"].dtype == object
    assert df["v"].tolist() == [1, "two", [3]]


def test_non_string_keys_become_string_column_names() -> None:
    df = records_to_dataframe([{1: "a", "2": "b"}])
    assert [str(c) for c in df.columns] == ["1", "2"]


def test_a_record_path_gives_the_nested_rows_followed_by_their_parent_fields() -> None:
    rows = [
        {"team": "a", "meta": {"size": 2}, "people": [{"name": "x"}, {"name": "y"}]},
        {"team": "b", "people": []},  # json_normalize drops this record
        {"team": "c"},  # ... and raises KeyError on this one
        {"team": "d", "people": None},
    ]
    df = records_to_dataframe(rows, record_path="people")
    assert df.columns.tolist() == ["name", "team", "meta.size"]
    assert df["team"].tolist() == ["a", "a", "b", "c", "d"]
    assert df["name"].tolist()[:2] == ["x", "y"]
    assert df["name"].isna().tolist()[2:] == [True, True, True]
    assert df["meta.size"].tolist() == [2, 2, pd.NA, pd.NA, pd.NA]


def test_a_deep_record_path_descends_through_objects() -> None:
    rows = [{"id": 1, "data": {"rows": [{"v": 10}, {"v": 11}]}}, {"id": 2, "data": {}}]
    df = records_to_dataframe(rows, record_path=["data", "rows"])
    assert df["v"].tolist() == [10, 11, pd.NA]
    assert df["id"].tolist() == [1, 1, 2]


def test_a_parent_field_named_like_a_row_field_is_renamed_not_merged() -> None:
    with pytest.warns(FrameWarning, match="id_2"):
        df = records_to_dataframe([{"id": "p", "rows": [{"id": 1}]}], record_path="rows")
    assert df["id"].tolist() == [1]
    assert df["id_2"].tolist() == ["p"]


def test_no_records_give_an_empty_frame() -> None:
    df = records_to_dataframe([])
    assert df.shape == (0, 0)


@pytest.mark.parametrize("bad", [{"a": 1}, "text", 5, None])
def test_records_to_dataframe_rejects_things_that_are_not_lists_of_records(bad: object) -> None:
    with pytest.raises(FrameError, match="list of records"):
        records_to_dataframe(bad)  # type: ignore[arg-type]

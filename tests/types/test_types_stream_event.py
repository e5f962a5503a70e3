"""``StreamEvent``: SSE decoding (§4.1 steps 1-3), camelCase input, error objects, ``text``."""

from __future__ import annotations

import json

import pytest

from gumloop_nb.types import StreamEvent


def test_empty_data_gives_an_empty_event():
    ev = StreamEvent.from_sse(None, "")
    assert ev.model_dump(exclude_unset=True) == {}


def test_invalid_json_is_kept_as_raw_data():
    ev = StreamEvent.from_sse(None, "not json {")
    assert ev.data == "not json {"
    assert ev.type is None


def test_non_object_json_becomes_data():
    assert StreamEvent.from_sse(None, "[1, 2]").data == [1, 2]
    assert StreamEvent.from_sse(None, '"hi"').data == "hi"
    assert StreamEvent.from_sse(None, "42").data == 42


def test_event_name_fills_a_missing_type():
    assert StreamEvent.from_sse("finish", '{"final": true}').type == "finish"


def test_event_name_does_not_override_a_type_in_the_payload():
    assert StreamEvent.from_sse("finish", '{"type": "text-delta"}').type == "text-delta"


@pytest.mark.parametrize("name", [None, "", "message"])
def test_default_event_name_does_not_set_a_type(name):
    assert StreamEvent.from_sse(name, '{"delta": "x"}').type is None


def test_event_name_applies_to_raw_and_empty_payloads_too():
    assert StreamEvent.from_sse("ping", "").type == "ping"
    raw = StreamEvent.from_sse("log", "plain words")
    assert (raw.type, raw.data) == ("log", "plain words")


def test_camel_case_wire_names_load_and_dump_as_snake_case():
    ev = StreamEvent.from_sse(
        "finish",
        '{"finishReason": "stop", "final": true, "errorMessage": "none", "stream_cursor": "s:3"}',
    )
    assert (ev.finish_reason, ev.error_message, ev.stream_cursor) == ("stop", "none", "s:3")
    dumped = ev.model_dump()
    assert dumped["finish_reason"] == "stop" and dumped["error_message"] == "none"
    assert "finishReason" not in dumped and "errorMessage" not in dumped


def test_snake_case_names_are_accepted_on_input_too():
    assert StreamEvent(finish_reason="stop").finish_reason == "stop"


def test_extras_are_kept_and_dumped():
    ev = StreamEvent.from_sse("start", '{"interaction_id": "ses_1", "delta": "x"}')
    assert ev.model_extra == {"interaction_id": "ses_1", "delta": "x"}
    assert ev.model_dump()["interaction_id"] == "ses_1"


def test_text_is_the_delta_of_text_delta_events_only():
    assert StreamEvent.from_sse("text-delta", '{"delta": "Hel"}').text == "Hel"
    assert StreamEvent.from_sse("reasoning-delta", '{"delta": "think"}').text is None
    assert StreamEvent.from_sse("text-delta", "{}").text is None


def test_string_error_stays_a_string():
    ev = StreamEvent.model_validate({"type": "error", "error": "boom"})
    assert ev.error == "boom" and ev.error_details is None
    assert ev.model_dump()["error"] == "boom"


def test_object_error_keeps_message_and_details_and_dumps_the_object():
    obj = {"code": "rate_limited", "message": "Slow down", "details": {"retry_after": 3}}
    ev = StreamEvent.from_sse("error", json.dumps({"error": obj}))
    assert ev.error == "Slow down"
    assert ev.error_details == obj
    dumped = ev.model_dump()
    assert dumped["error"] == obj
    assert "error_details" not in dumped
    assert json.loads(ev.model_dump_json())["error"] == obj


def test_object_error_without_message_uses_its_json_text():
    ev = StreamEvent.model_validate({"error": {"code": "x"}})
    assert json.loads(ev.error or "") == {"code": "x"}
    assert ev.error_details == {"code": "x"}


def test_a_dumped_event_with_an_error_object_validates_back_to_the_same_event():
    ev = StreamEvent.model_validate({"type": "error", "error": {"message": "m", "code": 1}})
    assert StreamEvent.model_validate(ev.model_dump()) == ev


def test_official_sdk_reads_our_dumps_the_same_way():
    official = pytest.importorskip("gumloop.types")
    ev = StreamEvent.from_sse("finish", '{"finishReason": "error", "error": {"message": "m"}}')
    theirs = official.StreamEvent.model_validate(ev.model_dump())
    assert (theirs.finish_reason, theirs.error, theirs.error_details) == (
        "error",
        "m",
        {"message": "m"},
    )


def test_excluding_error_from_a_dump_is_respected():
    ev = StreamEvent.model_validate({"type": "error", "error": {"message": "m"}})
    assert "error" not in ev.model_dump(exclude={"error"})

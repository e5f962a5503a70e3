"""Error mapping (contract §3) and retries: which failures, how long to wait, and never a
second side effect."""

from __future__ import annotations

import email.utils
import sys
import time
import traceback
from typing import Any

import httpx
import pytest

from gumloop_nb import errors as e

from .conftest import AGENT, API, TOKEN, WS, Clock, body_of, run, session_json

# -- error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, e.BadRequestError),
        (401, e.AuthenticationStatusError),
        (403, e.PermissionDeniedError),
        (404, e.NotFoundError),
        (409, e.ConflictError),
        (422, e.UnprocessableEntityError),
        (429, e.RateLimitError),
        (500, e.InternalServerError),
        (503, e.InternalServerError),
        (418, e.APIStatusError),
    ],
)
async def test_a_non_2xx_status_raises_the_matching_subclass(
    make_client: Any, router: Any, status: int, cls: type
) -> None:
    router.get("/agents/agt_1").respond(
        status, json={"error": {"code": "c", "message": "server says no", "type": "t"}}
    )
    with pytest.raises(cls) as info:
        await run(make_client(max_retries=0).agents.retrieve("agt_1"))
    assert isinstance(info.value, e.APIStatusError)
    assert isinstance(info.value, e.GumloopError)
    assert info.value.status_code == status
    assert "server says no" in str(info.value)
    if status == 401:
        assert isinstance(info.value, e.AuthenticationError)


async def test_nested_envelope_fills_code_type_param_details_and_request_id(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(
        403,
        json={
            "error": {
                "code": "insufficient_scope",
                "message": "Scope gumloop is required",
                "type": "permission_error",
                "param": "scope",
                "details": {"needed": "gumloop"},
            }
        },
        headers={"x-request-id": "req_42"},
    )
    with pytest.raises(e.PermissionDeniedError) as info:
        await run(client.agents.retrieve("agt_1"))
    err = info.value
    assert (err.code, err.type, err.param) == ("insufficient_scope", "permission_error", "scope")
    assert err.details == {"needed": "gumloop"}
    assert err.request_id == "req_42"
    assert err.message == "Scope gumloop is required"
    assert str(err) == "Scope gumloop is required"  # the official SDK's message, exactly
    assert any("req_42" in note for note in getattr(err, "__notes__", ["req_42"]))
    assert err.body["error"]["code"] == "insufficient_scope"


async def test_nested_envelope_with_non_dict_details_gives_empty_details(
    client: Any, router: Any
) -> None:
    router.get("/agents/agt_1").respond(
        404, json={"error": {"code": "nf", "message": "", "details": ["x"]}}
    )
    with pytest.raises(e.NotFoundError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert info.value.details == {}
    assert info.value.message == "Gumloop API returned HTTP 404"


async def test_flat_public_error_envelope(client: Any, router: Any) -> None:
    router.get("/agents/agt_1").respond(
        400,
        json={
            "error": "invalid_cursor",
            "message": "The cursor expired",
            "metadata": {"cursor": "c1"},
            "trace_id": "tr_7",
        },
    )
    with pytest.raises(e.BadRequestError) as info:
        await run(client.agents.retrieve("agt_1"))
    err = info.value
    assert err.code == "invalid_cursor"
    assert err.type is None and err.param is None
    assert err.details == {"cursor": "c1"}
    assert err.message == "The cursor expired"
    assert err.request_id == "tr_7"


async def test_oauth_envelope_uses_the_error_description(client: Any, router: Any) -> None:
    router.get("/agents/agt_1").respond(
        400, json={"error": "invalid_grant", "error_description": "Code expired"}
    )
    with pytest.raises(e.BadRequestError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert info.value.code == "invalid_grant"
    assert info.value.message == "Code expired"
    assert info.value.details == {}


async def test_legacy_envelope_keeps_extra_keys_as_details(client: Any, router: Any) -> None:
    router.get("/agents/agt_1").respond(
        403, json={"error": "tier_required_pro", "minimum_tier": "pro"}
    )
    with pytest.raises(e.PermissionDeniedError) as info:
        await run(client.agents.retrieve("agt_1"))
    assert info.value.code == "tier_required_pro"
    assert info.value.details == {"minimum_tier": "pro"}
    assert info.value.message == "Gumloop API returned HTTP 403: tier_required_pro"


async def test_a_non_json_error_body_is_kept_as_text(make_client: Any, router: Any) -> None:
    router.get("/agents/agt_1").respond(502, text="<html>Bad gateway</html>")
    with pytest.raises(e.InternalServerError) as info:
        await run(make_client(max_retries=0).agents.retrieve("agt_1"))
    err = info.value
    assert err.body == "<html>Bad gateway</html>"
    assert err.code is None and err.error is None
    assert err.message == "Gumloop API returned HTTP 502"
    assert err.details == {}


async def test_errors_never_show_the_credential(make_client: Any, router: Any) -> None:
    client = make_client(max_retries=0, user_id="usr_1")
    router.get("/agents/agt_1").respond(401, json={"error": {"message": "bad token"}})
    router.get("/teams").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(e.APIStatusError) as status_info:
        await run(client.agents.retrieve("agt_1"))
    with pytest.raises(e.APIConnectionError) as conn_info:
        await run(client.teams.list())
    for err in (status_info.value, conn_info.value):
        assert TOKEN not in str(err)
        assert TOKEN not in repr(err)
        assert str(err)  # says something
    assert TOKEN not in repr(client)


async def test_a_stream_request_error_is_mapped_before_reading_the_stream(
    make_client: Any, router: Any
) -> None:
    router.post(f"{WS}/chat/completions").respond(
        402, json={"error": {"code": "budget", "message": "Out of credits"}}
    )
    client = make_client(max_retries=0)
    with pytest.raises(e.APIStatusError) as info:
        await run(
            client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "x"}], stream=True
            )
        )
    assert info.value.status_code == 402
    assert info.value.code == "budget"


# -- retries: which failures --------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_a_get_is_retried_on_transient_statuses(
    client: Any, router: Any, clock: Clock, status: int
) -> None:
    route = router.get("/agents/agt_1").mock(
        side_effect=[httpx.Response(status, json={}), httpx.Response(200, json={"agent": AGENT})]
    )
    agent = await run(client.agents.retrieve("agt_1"))
    assert agent.agent.id == "agt_1"
    assert route.call_count == 2
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_get_is_not_retried_on_client_errors(
    client: Any, router: Any, clock: Clock, status: int
) -> None:
    route = router.get("/agents/agt_1").respond(status, json={})
    with pytest.raises(e.APIStatusError):
        await run(client.agents.retrieve("agt_1"))
    assert route.call_count == 1
    assert clock.sleeps == []


async def test_max_retries_bounds_the_attempts(make_client: Any, router: Any) -> None:
    route = router.get("/teams").respond(503, json={})
    with pytest.raises(e.InternalServerError):
        await run(make_client().teams.list())
    assert route.call_count == 3  # default max_retries=2
    route.reset()
    with pytest.raises(e.InternalServerError):
        await run(make_client(max_retries=4).teams.list())
    assert route.call_count == 5


async def test_with_options_max_retries_zero_disables_retries(client: Any, router: Any) -> None:
    route = router.get("/teams").respond(503, json={})
    with pytest.raises(e.InternalServerError):
        await run(client.with_options(max_retries=0).teams.list())
    assert route.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_create_is_not_repeated_after_a_status_the_server_may_have_acted_on(
    client: Any, router: Any, status: int
) -> None:
    route = router.post("/agents").respond(status, json={})
    with pytest.raises(e.InternalServerError):
        await run(client.agents.create(name="A", model_name="m"))
    assert route.call_count == 1


@pytest.mark.parametrize("status", [408, 429])
async def test_a_create_is_retried_when_the_status_proves_nothing_was_done(
    client: Any, router: Any, status: int
) -> None:
    route = router.post("/agents").mock(
        side_effect=[httpx.Response(status, json={}), httpx.Response(201, json={"agent": AGENT})]
    )
    await run(client.agents.create(name="A", model_name="m"))
    assert route.call_count == 2


async def test_connection_errors_are_retried_for_any_method(client: Any, router: Any) -> None:
    get = router.get("/teams").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"teams": []})]
    )
    post = router.post("/agents").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json={"agent": AGENT})]
    )
    await run(client.teams.list())
    await run(client.agents.create(name="A", model_name="m"))
    assert (get.call_count, post.call_count) == (2, 2)


async def test_a_read_timeout_is_retried_for_a_get_but_not_for_a_create(
    client: Any, router: Any
) -> None:
    get = router.get("/teams").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"teams": []})]
    )
    post = router.post("/agents").mock(side_effect=httpx.ReadTimeout("slow"))
    await run(client.teams.list())
    assert get.call_count == 2
    with pytest.raises(e.APITimeoutError) as info:
        await run(client.agents.create(name="A", model_name="m"))
    assert post.call_count == 1
    assert isinstance(info.value, e.APIConnectionError)
    assert "timed out" in str(info.value)


async def test_connection_failure_after_retries_raises_api_connection_error(
    client: Any, router: Any
) -> None:
    route = router.get("/teams").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(e.APIConnectionError) as info:
        await run(client.teams.list())
    assert route.call_count == 3
    assert not isinstance(info.value, e.APITimeoutError)


async def test_a_retried_session_create_that_meets_session_already_exists_fetches_it(
    client: Any, router: Any
) -> None:
    create = router.post("/agents/agt_1/sessions").mock(
        side_effect=[
            httpx.ReadTimeout("response lost"),
            httpx.Response(
                409, json={"error": {"code": "session_already_exists", "message": "exists"}}
            ),
        ]
    )
    fetch = router.get(url__regex=r".*/sessions/[^/]+$").respond(
        200, json=session_json("ses_from_first", "processing")
    )
    result = await run(client.sessions.create("agt_1", input="Hi"))
    first, second = (body_of(c.request) for c in create.calls)
    assert first == second  # the same session_id both times
    assert fetch.call_count == 1
    assert fetch.calls.last.request.url.path.endswith("/sessions/" + first["session_id"])
    assert result.session.id == "ses_from_first"


async def test_a_session_already_exists_for_a_callers_own_id_is_raised(
    client: Any, router: Any
) -> None:
    create = router.post("/agents/agt_1/sessions").respond(
        409, json={"error": {"code": "session_already_exists", "message": "exists"}}
    )
    with pytest.raises(e.ConflictError) as info:
        await run(client.sessions.create("agt_1", input="Hi", session_id="mine"))
    assert info.value.code == "session_already_exists"
    assert create.call_count == 1


# -- retries: how long to wait ------------------------------------------------------------------


def _fail_then_ok(status: int, headers: dict[str, str]) -> list[httpx.Response]:
    return [
        httpx.Response(status, json={}, headers=headers),
        httpx.Response(200, json={"teams": []}),
    ]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "120"}, 60.0),
        ({"retry-after-ms": "999999"}, 60.0),
    ],
)
async def test_retry_after_is_honoured_and_capped(
    client: Any, router: Any, clock: Clock, headers: dict[str, str], expected: float
) -> None:
    router.get("/teams").mock(side_effect=_fail_then_ok(429, headers))
    await run(client.teams.list())
    assert clock.sleeps == [pytest.approx(expected)]


async def test_retry_after_as_an_http_date_is_honoured(
    client: Any, router: Any, clock: Clock
) -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    router.get("/teams").mock(side_effect=_fail_then_ok(503, {"retry-after": when}))
    await run(client.teams.list())
    assert len(clock.sleeps) == 1
    assert 8.0 <= clock.sleeps[0] <= 10.0


async def test_backoff_starts_at_half_a_second_and_doubles_to_eight_with_jitter(
    make_client: Any, router: Any, clock: Clock
) -> None:
    router.get("/teams").respond(503, json={})
    with pytest.raises(e.InternalServerError):
        await run(make_client(max_retries=7).teams.list())
    bases = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(clock.sleeps) == len(bases)
    for slept, base in zip(clock.sleeps, bases, strict=True):
        assert 0.5 * base <= slept <= base  # jitter below the nominal delay, never above


async def test_backoff_jitter_varies_between_retries(
    make_client: Any, router: Any, clock: Clock
) -> None:
    router.get("/teams").respond(503, json={})
    for _ in range(6):
        with pytest.raises(e.InternalServerError):
            await run(make_client(max_retries=1).teams.list())
    assert len(set(clock.sleeps)) > 1


async def test_a_message_send_is_not_repeated_after_a_500(client: Any, router: Any) -> None:
    route = router.post("/sessions/ses_1/messages").respond(500, json={})
    with pytest.raises(e.InternalServerError) as info:
        await run(client.sessions.send("ses_1", input="Hi"))
    assert route.call_count == 1
    assert "was retried" not in str(info.value)  # nothing was retried, so it must not say so


async def test_an_agent_update_is_not_repeated_after_a_500(client: Any, router: Any) -> None:
    route = router.patch("/agents/agt_1").respond(500, json={})
    with pytest.raises(e.InternalServerError):
        await run(client.agents.update("agt_1", name="B"))
    assert route.call_count == 1


async def test_an_error_message_says_what_failed_and_what_to_do(
    make_client: Any, router: Any
) -> None:
    router.get("/agents/agt_404").respond(
        404, json={"error": {"code": "agent_not_found", "message": "Agent not found"}}
    )
    with pytest.raises(e.NotFoundError) as info:
        await run(make_client(max_retries=0).agents.retrieve("agt_404"))
    err = info.value
    assert str(err) == "Agent not found"  # what the official SDK says, nothing appended
    assert (err.method, err.url) == ("GET", f"{API}/agents/agt_404")
    assert err.hint and "id" in err.hint  # what to do, as data
    if sys.version_info >= (3, 11):  # and under the message in a traceback
        notes = err.__notes__
        assert err.hint in notes and any("GET" in n and "/agents/agt_404" in n for n in notes)
        shown = "".join(traceback.format_exception(err))
        assert err.hint in shown and "Agent not found" in shown


@pytest.mark.parametrize(("offset", "expected"), [(300, 60.0), (-30, 0.0)])
async def test_retry_after_dates_far_ahead_are_capped_and_past_dates_mean_now(
    client: Any, router: Any, clock: Clock, offset: int, expected: float
) -> None:
    when = email.utils.formatdate(time.time() + offset, usegmt=True)
    router.get("/teams").mock(side_effect=_fail_then_ok(429, {"retry-after": when}))
    await run(client.teams.list())
    assert clock.sleeps == [pytest.approx(expected, abs=1.0)]

"""A real kernel driven like JupyterLab (execute requests with ``cellId``, widget comms): a cell
that calls a model finishes when its answer does; Stop and the kernel interrupt keep the partial
answer; no thread started by a magic outlives its cell; without widgets the answer streams in
place through a display id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from kernel_frontend import CellRun, Frontend, kernel_env

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LONG = " ".join(f"w{i}" for i in range(3000))

THREADS = "import threading; print(sorted(t.name for t in threading.enumerate()))"


def facts(fe: Frontend, expression: str) -> Any:
    """Evaluate ``expression`` in the kernel (a later cell) and return its JSON value."""
    run = fe.run(f"import json as _j; print(_j.dumps({expression}))")
    assert run.status == "ok", run.text()
    return json.loads(run.stdout().strip().splitlines()[-1])


def ok(run: CellRun) -> CellRun:
    assert run.status == "ok", run.text()
    return run


@pytest.fixture(scope="module")
def fast() -> Iterator[Frontend]:
    with Frontend(kernel_env(speed="0")) as fe:
        ok(fe.run("%load_ext gumloop_nb"))
        yield fe


@pytest.fixture(scope="module")
def realtime() -> Iterator[Frontend]:
    with Frontend(kernel_env(speed="1")) as fe:
        ok(fe.run("%load_ext gumloop_nb"))
        yield fe


def test_run_all_each_cell_sees_the_finished_reply_and_thread(fast: Frontend) -> None:
    # Run All: every request is queued at once, as JupyterLab does.
    ids = [
        fast.submit("%%gumloop chat -o first --thread trip\nPlan a trip to Lisbon in one line."),
        fast.submit("%%gumloop chat -o second --thread trip\nAnd what should I pack?"),
        fast.submit(
            "import json\n"
            "from gumloop_nb.notebook import _loaded\n"
            "magics = _loaded[id(get_ipython())]\n"
            "print(json.dumps([type(first).__name__, type(second).__name__, first.text,"
            " first.provenance.completion_tokens, first.provenance.prompt_tokens,"
            " second.provenance.prompt_tokens, _gumloop_last is second,"
            " magics.threads['trip']]))"
        ),
    ]
    runs = [fast.wait(i, timeout=120) for i in ids]
    for run in runs:
        ok(run)
    kind1, kind2, text, completion, prompt1, prompt2, last_is_second, thread = json.loads(
        runs[2].stdout().strip()
    )
    assert (kind1, kind2) == ("ChatReply", "ChatReply")
    assert text and completion
    # The second turn was sent with the first one in its history.
    assert prompt2 > prompt1 + completion - 1
    assert last_is_second
    assert [m["role"] for m in thread] == ["user", "assistant", "user", "assistant"]
    assert thread[0]["content"].startswith("Plan a trip") and thread[1]["content"] == text
    assert thread[2]["content"].startswith("And what")
    for run in runs[:2]:
        # The reply comes after the answer's final output, and the answer is one output.
        assert run.reply_date >= run.last_output_date
        assert len(run.outputs) == 1
        out = run.outputs[0]
        assert WIDGET_VIEW not in out["data"] and "gumloop_nb" in out["metadata"]
        assert out["data"]["text/plain"]


def test_stop_button_is_handled_while_the_cell_blocks(realtime: Frontend) -> None:
    # Widget events reach a blocked cell on ipykernel 7+ only.
    pytest.importorskip("ipykernel", minversion="7")
    fe = realtime
    msg_id = fe.submit(f"%%gumloop chat -o stopped\nRepeat exactly: {LONG}")
    run = fe.runs[msg_id]
    # The Stop button exists and some text has streamed into the live view.
    fe.pump_until(lambda: " w30 " in fe.widget_text(msg_id), 60)
    assert run.reply is None  # still streaming: the cell has not returned
    button = fe.find_widget(msg_id, _model_name="ButtonModel", description="Stop")
    assert button is not None
    fe.click(button)
    ok(fe.wait(msg_id, timeout=30))
    stopped, text = facts(fe, "[stopped.stopped, stopped.text]")
    assert stopped is True
    assert text and LONG.startswith(text) and len(text) < len(LONG)
    assert "stopped" in run.outputs[-1]["data"]["text/html"]


def test_interrupt_stops_and_keeps_the_partial_answer_in_the_thread(realtime: Frontend) -> None:
    fe = realtime
    msg_id = fe.submit(f"%%gumloop chat -o cut --thread long\nRepeat exactly: {LONG}")
    fe.pump_until(lambda: " w30 " in fe.widget_text(msg_id), 60)
    assert fe.runs[msg_id].reply is None
    fe.interrupt()
    run = fe.wait(msg_id, timeout=30)
    # One line (no traceback), naming where the partial answer is; the cell fails, so Run All
    # stops here as after any interrupt.
    assert run.status == "error" and run.reply["content"]["ename"] == "UsageError"
    assert "Interrupted" in run.text() and "cut" in run.text()
    stopped, text, thread = facts(
        fe,
        "[cut.stopped, cut.text, __import__('gumloop_nb.notebook', fromlist=['_loaded'])"
        "._loaded[id(get_ipython())].threads['long']]",
    )
    assert stopped is True and text and LONG.startswith(text) and len(text) < len(LONG)
    assert [m["role"] for m in thread] == ["user", "assistant"]
    assert thread[1]["content"] == text


def test_no_magic_thread_outlives_its_cell(realtime: Frontend) -> None:
    # Real-time pacing: each answer takes a second or more, so a stream left running in the
    # background after its cell returned would still be there when the next cell looks.
    fe = realtime
    ok(fe.run("%%gumloop chat\nwarm up the connection"))
    names = "sorted(t.name for t in __import__('threading').enumerate())"
    before = set(facts(fe, names))
    words = " ".join(f"x{i}" for i in range(60))
    for cell in (
        f"%%gumloop chat -o a\nRepeat exactly: {words}",
        "%%gumloop compare -m gpt-4.1,claude-sonnet-4-5\nSay hi in five words.",
        "%%gumloop image\nA red square.",
    ):
        ok(fe.run(cell, timeout=120))
        # asyncio_N: the default executor of an event loop (the embedded emulator's server or
        # the kernel's own), which may grow on demand; not started by a magic.
        new = {name for name in set(facts(fe, names)) - before if not name.startswith("asyncio_")}
        assert not new, (cell, new)


def test_without_widgets_the_answer_streams_in_place_as_one_output(realtime: Frontend) -> None:
    words = " ".join(f"v{i}" for i in range(150))
    run = ok(realtime.run(f"%%gumloop chat -o quiet\nRepeat exactly: {words}", widgets=False))
    assert run.updates >= 3  # updated in place while it streamed
    assert len(run.outputs) == 1
    out = run.outputs[0]
    assert out["output_type"] == "display_data" and WIDGET_VIEW not in out["data"]
    assert out["data"]["text/plain"] == words
    assert "streaming" not in out["data"]["text/html"]


def test_image_is_one_output_with_a_png_fallback(fast: Frontend) -> None:
    run = ok(fast.run("%%gumloop image -o pic\nA small blue circle."))
    assert len(run.outputs) == 1
    data = run.outputs[0]["data"]
    assert "image/png" in data and WIDGET_VIEW in data  # live widget (Save) + saved fallback

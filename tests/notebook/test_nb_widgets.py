"""Widgets: coalesced live updates, exact final render, Stop, fallbacks to ordinary output."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gumloop_nb.notebook import ChatBox, ChatStream, CompareGrid, ImageView
from gumloop_nb.notebook.render import render_markdown
from gumloop_nb.notebook.widgets._pane import TextPane, split_point

PNG_1x1 = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def ticking(chunks: list[str], clock: FakeClock, step: float) -> Iterator[str]:
    for chunk in chunks:
        clock.now += step
        yield chunk


@pytest.fixture(autouse=True)
def _shell() -> None:
    # display() needs a shell; a plain one has no widget frontend.
    InteractiveShell.instance()


def test_ten_thousand_chunks_make_at_most_about_twenty_updates_per_second() -> None:
    clock = FakeClock()
    chunks = [f"word{i} " if i % 50 else "\n\n" for i in range(10_000)]
    view = ChatStream(clock=clock, live=False)
    with capture_output():
        reply = view.consume(ticking(chunks, clock, 0.001))  # 10 s of streaming
    assert reply is not None
    assert view.updates <= 10 * 20 + 2
    assert view.updates >= 10  # it did update while streaming, not only at the end
    assert reply.text == "".join(chunks)


def test_final_render_is_exact_even_though_blocks_were_rendered_separately() -> None:
    clock = FakeClock()
    text = "1. one\n\n2. two\n\n```python\nx = 1\n\n\ny = 2\n```\n\nend *here*"
    view = ChatStream(clock=clock, live=False, interval=0.0)
    with capture_output():
        view.consume(ticking(list(text), clock, 0.01))
    assert view.pane._tail.value == render_markdown(text)
    assert view.pane.box.children == (view.pane._tail,)


def test_completed_blocks_are_not_sent_again() -> None:
    clock = FakeClock()
    pane = TextPane(interval=0.0, clock=clock)
    pane.append("First paragraph.\n\n")
    pane.append("Second")
    first_block = pane._blocks[0]
    assert first_block.value == render_markdown("First paragraph.\n\n")
    assert pane._tail.value == render_markdown("Second")
    pane.append(" paragraph grows")
    # Only the open tail changed; the committed block kept its value and identity.
    assert pane._blocks[0] is first_block
    assert pane._tail.value == render_markdown("Second paragraph grows")


def test_split_point_never_cuts_inside_a_code_fence() -> None:
    src = "intro\n\n```\na\n\nb\n"
    assert split_point(src) == len("intro\n\n")
    assert split_point(src + "```\n\nafter") == len(src + "```\n\n")


def test_stop_button_keeps_what_arrived_and_closes_the_stream() -> None:
    closed = threading.Event()
    view = ChatStream(live=False)

    class Source:
        def __iter__(self) -> Iterator[str]:
            yield "partial "
            yield "answer"
            # The click arrives while consume() blocks (in a kernel: through the UI pump).
            view.stop_button.click()
            for _ in range(1000):
                yield "more "

        def close(self) -> None:
            closed.set()

    with capture_output() as captured:
        reply = view.consume(Source())
    assert reply is not None
    assert reply.stopped
    assert reply.text.startswith("partial answer") and reply.text.count("more") <= 1
    assert closed.is_set()
    assert view.stop_button.disabled
    # The final state is also an ordinary output (text/plain for nbval, escaped HTML for people).
    assert captured.outputs[-1].data["text/plain"] == reply.text


def test_keyboard_interrupt_keeps_the_partial_answer() -> None:
    def source() -> Iterator[str]:
        yield "kept "
        raise KeyboardInterrupt

    view = ChatStream(live=False)
    with capture_output(), pytest.raises(KeyboardInterrupt):
        view.consume(source())
    assert view.reply is not None
    assert view.reply.text == "kept "
    assert view.reply.stopped


def test_footer_shows_model_tokens_time_and_cost_from_chunks() -> None:
    chunks: list[dict[str, Any]] = [
        {
            "model": "demo",
            "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}],
        },
        {
            "model": "demo",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.5},
        },
    ]
    view = ChatStream(live=False)
    with capture_output() as captured:
        reply = view.consume(chunks)
    assert reply is not None
    assert "demo" in view.footer.value and "3 → 1 tokens" in view.footer.value
    assert "0.5 credits" in view.footer.value
    assert captured.outputs[-1].metadata["gumloop_nb"]["completion_tokens"] == 1


def test_model_html_in_the_stream_is_escaped_in_the_widget_and_the_output() -> None:
    view = ChatStream(live=False, interval=0.0)
    with capture_output() as captured:
        view.consume(["<img src=x onerror=alert(1)>", " <script>alert(1)</script>"])
    assert "<img" not in view.pane._tail.value and "<script" not in view.pane._tail.value
    assert "<img" not in captured.outputs[-1].data["text/html"]
    assert "<script" not in captured.outputs[-1].data["text/html"]


def test_image_view_shows_frames_and_saves_the_last_one(tmp_path: Any) -> None:
    view = ImageView(model="gpt-image-1", live=False, interval=0.0)
    view.add_frame(PNG_1x1)
    view.add_frame(PNG_1x1)
    assert view.frames == 2
    assert bytes(view.image.value).startswith(b"\x89PNG")
    with capture_output() as captured:
        result = view.finish()
    assert result is not None
    path = tmp_path / "out.png"
    view.save(str(path))
    assert path.read_bytes() == base64.b64decode(PNG_1x1.split(",", 1)[1])
    assert "image/png" in captured.outputs[-1].data
    assert "text/plain" in captured.outputs[-1].data


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zz4=", "https://x.org/a.png"]
)
def test_image_view_refuses_anything_but_inline_raster_images(url: str) -> None:
    view = ImageView(live=False)
    with pytest.raises(ValueError, match="data:image"):
        view.add_frame(url)


def test_compare_grid_has_one_column_per_model_and_escapes_answers() -> None:
    grid = CompareGrid(["a", "b"], live=False, interval=0.0)
    grid.append("a", "<script>x</script> alpha")
    grid.append("b", "beta")
    grid.finish_column("a", "done")
    grid.finish_column("b", "", error="boom")
    assert len(grid.widget.children) == 2
    with capture_output() as captured:
        grid.finish()
    html = captured.outputs[-1].data["text/html"]
    assert "<script" not in html and "alpha" in html and "error: boom" in html
    assert "== a ==" in captured.outputs[-1].data["text/plain"]


def test_chat_box_keeps_a_multi_turn_history(emulator: Any) -> None:
    from gumloop_nb import Gumloop

    client = Gumloop(api_key="k", base_url=emulator.base_url)
    box = ChatBox(client, models=["gpt-4.1", "claude-sonnet-4-5"])
    box.send("Repeat exactly: first <b>")
    box.model_picker.value = "claude-sonnet-4-5"
    box.send("Repeat exactly: second")
    roles = [m["role"] for m in box.messages]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert box.messages[1]["content"] == "first <b>"
    assert box.messages[3]["content"] == "second"
    assert len(box.history.children) == 4
    assert "&lt;b&gt;" in box.history.children[1].children[1].children[0].value
    client.close()


def test_chat_box_enter_sends_and_a_message_sent_meanwhile_waits_its_turn(emulator: Any) -> None:
    from gumloop_nb import Gumloop

    client = Gumloop(api_key="k", base_url=emulator.base_url)
    box = ChatBox(client)
    assert box.enter_sends  # the anywidget input: Enter submits, Shift+Enter is a new line
    original = client.chat.completions.create
    calls: list[list[str]] = []

    def create(**kwargs: Any) -> Any:
        calls.append([m["content"] for m in kwargs["messages"]])
        if len(calls) == 1:
            # The user presses Enter again while the first answer streams (what the UI pump
            # delivers): the message must wait, not start a second stream or be dropped.
            box.input.value = "Repeat exactly: second"
            box.input._handle_custom_msg({"event": "submit", "text": box.input.value}, [])
            assert box.waiting and "waiting" in box.status.value
        return original(**kwargs)

    client.chat.completions.create = create  # type: ignore[method-assign]
    box.input.value = "Repeat exactly: first"
    box.input._handle_custom_msg({"event": "submit", "text": box.input.value}, [])
    assert [m["content"] for m in box.messages] == [
        "Repeat exactly: first",
        "first",
        "Repeat exactly: second",
        "second",
    ]
    # The second request carried the whole first turn; widget and transcript agree.
    assert calls[1] == ["Repeat exactly: first", "first", "Repeat exactly: second"]
    assert len(box.history.children) == 4 and not box.waiting and not box.answering
    assert box.transcript().splitlines() == [
        "you: Repeat exactly: first",
        "assistant: first",
        "you: Repeat exactly: second",
        "assistant: second",
    ]
    assert box.input.value == ""
    client.close()


def test_chat_box_failure_keeps_the_prompt_and_both_views_agree(emulator: Any) -> None:
    from gumloop_nb import Gumloop

    client = Gumloop(api_key="k", base_url=emulator.base_url)
    box = ChatBox(client, models=["no-such-model"])
    box.send("Repeat exactly: lost?")
    assert box.messages == [] and box.history.children == ()
    assert box.input.value == "Repeat exactly: lost?"
    assert "#b00" in box.status.value
    client.close()


def test_widget_frontend_is_detected_from_the_execute_request(monkeypatch: Any) -> None:
    from types import SimpleNamespace

    from gumloop_nb.notebook import _display

    monkeypatch.delenv("GUMLOOP_NB_WIDGETS", raising=False)
    lab = SimpleNamespace(kernel=object(), parent_header={"metadata": {"cellId": "abc"}})
    nbclient = SimpleNamespace(kernel=object(), parent_header={"metadata": {}})
    terminal = SimpleNamespace(parent_header={})
    for ip, expected in ((lab, True), (nbclient, False), (terminal, False)):
        monkeypatch.setattr(_display, "get_ipython_or_none", lambda ip=ip: ip)
        assert _display.widget_frontend() is expected
    monkeypatch.setenv("GUMLOOP_NB_WIDGETS", "0")
    monkeypatch.setattr(_display, "get_ipython_or_none", lambda: lab)
    assert _display.widget_frontend() is False


def test_in_a_terminal_the_answer_is_printed_as_it_arrives(capsys: Any) -> None:
    printed: list[str] = []

    def source() -> Iterator[str]:
        for part in ("Hello", ", ", "world"):
            yield part
            printed.append(capsys.readouterr().out)  # what the terminal shows so far

    view = ChatStream(model="demo", mode="stdout")
    reply = view.consume(source())
    assert reply is not None and reply.text == "Hello, world"
    assert printed == ["Hello", ", ", "world"]  # streamed, not all at the end
    tail = capsys.readouterr().out
    assert tail.startswith("\n[demo") and tail.count("Hello") == 0  # a footer, no second copy


def test_terminal_ipython_is_detected_as_stdout_mode(monkeypatch: Any) -> None:
    from gumloop_nb.notebook import _display

    class TerminalInteractiveShell:
        parent_header: dict[str, Any] = {}

    monkeypatch.delenv("GUMLOOP_NB_WIDGETS", raising=False)
    monkeypatch.setattr(_display, "get_ipython_or_none", lambda: TerminalInteractiveShell())
    assert _display.output_mode() == "stdout"
    monkeypatch.setattr(_display, "get_ipython_or_none", lambda: None)
    assert _display.output_mode() == "stdout"

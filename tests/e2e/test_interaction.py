"""What a person does with a live notebook: chat in the ChatBox, stop an answer, interrupt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from . import _harness as h

pytestmark = pytest.mark.e2e

# Long enough to still be streaming when Stop or ■ is pressed at the emulator's real pace.
LONG_PROMPT = "Repeat exactly: " + " ".join(f"word{i}" for i in range(600))
STOP_BUDGET_S = 1.0


def _notebook(root: Path, name: str, cells: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, root / name)
    return name


def test_chatbox_two_turns(page: Any, server: h.JupyterServer) -> None:
    name = _notebook(
        server.root_dir,
        "e2e_chatbox.ipynb",
        [
            "%load_ext gumloop_nb\nfrom gumloop_nb import ChatBox\n"
            'box = ChatBox(models=["gpt-4.1"])\nbox',
            "print(box.transcript())",
        ],
    )
    notebook = h.NotebookPage(page, server, name).open()
    notebook.run_all()
    box = notebook.cell(0)
    textarea = box.locator(".jp-OutputArea textarea").first

    # Turn 1: type and press Enter.
    textarea.fill("Repeat exactly: first turn, sent with Enter")
    textarea.press("Enter")
    notebook.wait_text(0, "first turn, sent with Enter", count=2)
    h.wait_for(lambda: notebook.chatbox_idle(0), timeout=30, what="the first answer to finish")

    # Turn 2: type and click Send.
    textarea.fill("Repeat exactly: second turn, sent with the button")
    box.get_by_role("button", name="Send").click()
    notebook.wait_text(0, "second turn, sent with the button", count=2)
    h.wait_for(lambda: notebook.chatbox_idle(0), timeout=30, what="the second answer to finish")

    # The kernel's transcript, printed by the next cell, says the same, in the same order.
    notebook.run_cell(1)
    transcript = notebook.cell_text(1).strip()
    assert transcript.splitlines() == [
        "you: Repeat exactly: first turn, sent with Enter",
        "assistant: first turn, sent with Enter",
        "you: Repeat exactly: second turn, sent with the button",
        "assistant: second turn, sent with the button",
    ]
    shown = notebook.cell_text(0)
    first, second = shown.find("first turn"), shown.find("second turn")
    assert 0 <= first < second, f"the ChatBox shows the turns out of order:\n{shown}"
    assert notebook.console.errors == []
    assert notebook.canary() is None


@pytest.mark.parametrize("how", ["stop-button", "interrupt"])
def test_stop_streaming_answer(how: str, page: Any, server: h.JupyterServer) -> None:
    name = _notebook(
        server.root_dir,
        f"e2e_stop_{how}.ipynb",
        [
            "%load_ext gumloop_nb",
            f"%%gumloop chat --no-interpolate -o long\n{LONG_PROMPT}",
            'print("stopped:", long.stopped, "| kept:", len(long.text.split()), "words")',
        ],
    )
    notebook = h.NotebookPage(page, server, name).open()
    notebook.run_cell(0)
    notebook.run_cell(1, wait=False)
    # Streaming: some of the answer is on the page, not all of it.
    notebook.wait_text(1, "word20")
    assert "word599" not in notebook.cell_text(1)

    notebook.arm_stop_timer(1)
    if how == "stop-button":
        notebook.cell(1).get_by_role("button", name="Stop").click()
    else:
        notebook.interrupt()
    notebook.wait_cell_done(1, timeout=10)
    h.wait_for(
        lambda: "stopped" in notebook.cell_text(1),
        timeout=10,
        what="the answer to be marked as stopped",
    )
    # Measured in the page, from the click landing to the stopped cell being shown.
    latency = h.wait_for(notebook.stop_latency, timeout=10, what="the page's stop timer")
    h.record_measure(f"{server.app}: {how} -> stopped", latency)
    shown = notebook.cell_text(1)
    assert "word0" in shown, "the partial answer must stay on the page"
    assert "word599" not in shown, "the answer went on to the end"
    assert latency < STOP_BUDGET_S, f"{how}: stopped after {latency:.2f} s"

    # The next cell runs normally and sees the partial answer.
    notebook.run_cell(2)
    printed = notebook.cell_text(2)
    assert "stopped: True" in printed, printed
    kept = int(printed.split("kept:")[1].split()[0])
    assert 0 < kept < 601, printed
    assert notebook.console.errors == []

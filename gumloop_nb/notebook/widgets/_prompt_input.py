"""The ChatBox's input: Enter sends, Shift+Enter starts a new line.

ipywidgets' Textarea cannot tell Enter from Shift+Enter, so the input is a small anywidget (a
maintained library for custom widgets without a frontend build): a textarea whose Enter (without
Shift, outside an IME composition) sends a ``submit`` message with the text. Without anywidget
installed the ChatBox falls back to a Textarea and its Send button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["make_prompt_input"]

_ESM = """
function render({ model, el }) {
  const box = document.createElement("textarea");
  box.rows = 3;
  box.style.width = "100%";
  box.style.boxSizing = "border-box";
  box.style.resize = "vertical";
  box.className = "gumloop-prompt-input";
  box.setAttribute("data-lm-suppress-shortcuts", "true");  // keys here are for the chat
  box.placeholder = model.get("placeholder");
  box.value = model.get("value");
  box.disabled = model.get("disabled");
  box.addEventListener("input", () => {
    model.set("value", box.value);
    model.save_changes();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      event.stopPropagation();  // not JupyterLab's Shift/Ctrl+Enter cell shortcuts either
      model.set("value", box.value);
      model.save_changes();
      model.send({ event: "submit", text: box.value });
    } else if (event.key === "Enter" && !event.isComposing) {
      // Shift+Enter: a new line here. JupyterLab's own Shift+Enter shortcut may already have
      // cancelled the key's default action, so the line break is inserted explicitly.
      event.preventDefault();
      event.stopPropagation();
      box.setRangeText("\\n", box.selectionStart, box.selectionEnd, "end");
      model.set("value", box.value);
      model.save_changes();
    }
  });
  model.on("change:value", () => {
    if (box.value !== model.get("value")) box.value = model.get("value");
  });
  model.on("change:disabled", () => { box.disabled = model.get("disabled"); });
  model.on("change:placeholder", () => { box.placeholder = model.get("placeholder"); });
  el.appendChild(box);
}
export default { render };
"""


def make_prompt_input(placeholder: str, on_submit: Callable[[str], Any]) -> tuple[Any, bool]:
    """An input widget and whether Enter submits (True with anywidget, False for the fallback)."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        from ipywidgets import Layout, Textarea

        return Textarea(placeholder=placeholder, layout=Layout(width="100%")), False

    class PromptInput(anywidget.AnyWidget):
        _esm = _ESM
        value = traitlets.Unicode("").tag(sync=True)
        placeholder = traitlets.Unicode("").tag(sync=True)
        disabled = traitlets.Bool(False).tag(sync=True)

    widget = PromptInput(placeholder=placeholder)

    def handle(_widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            on_submit(str(content.get("text") or ""))

    widget.on_msg(handle)
    return widget, True

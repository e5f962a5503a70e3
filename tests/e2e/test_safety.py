"""Model output is untrusted: payloads echoed into every place the notebook layer shows text.

The emulator echoes anything after "Repeat exactly:", so answers, model names, tool results,
MCP rows, agent names and error messages can all carry markup. In a live session JupyterLab
trusts the outputs the kernel sends (it does not sanitize them) and ipywidgets' HTML sets
innerHTML as given, so escaping is the notebook layer's job. A page-level canary
(``window.__pwned``, and alert/confirm/prompt) must stay unset while the answers stream and
after; and no output may contain a script element, an inline event handler or a
``javascript:`` link at any moment (a MutationObserver watches the whole run).
"""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest

from . import _harness as h

pytestmark = pytest.mark.e2e

# No spaces or commas, so each also survives as a magic argument (model names, ids).
TAG_PAYLOADS = [
    "<img/src=x/onerror=window.__pwned='img'>",
    "<svg/onload=window.__pwned='svg'>",
    "<script>window.__pwned='script'</script>",
    "<iframe/src=javascript:parent.__pwned='iframe'>",
    "<details/open/ontoggle=window.__pwned='details'>",
]
MARKDOWN_PAYLOADS = [
    "[click me](javascript:window.__pwned='link')",
    "![x](x'/onerror='window.__pwned=1)",
    "[ref][r]\n\n[r]: javascript:window.__pwned='refdef'",
    "<a href='javascript:window.__pwned=1'>a link</a>",
    "`</code><img src=x onerror=window.__pwned='code'>`",
    "```\n</pre><img src=x onerror=window.__pwned='fence'>\n```",
]
ALL = "\n\n".join(TAG_PAYLOADS + MARKDOWN_PAYLOADS)
NAME = TAG_PAYLOADS[0]
# What the browser logs when a payload is refused or inert, as opposed to something breaking:
SANDBOX_BLOCKED = re.compile(
    # the html answer format's sandboxed frame (no allow-scripts) refusing a script;
    r"^console\.error: (Blocked script execution in 'about:srcdoc' because the document's frame"
    r" is sandboxed and the 'allow-scripts' permission is not set\."
    # the same frame's Content Security Policy refusing a load;
    r"|Loading the .* violates the following Content Security Policy directive: .*"
    r" The action has been blocked\. \[about:srcdoc\]"
    # an image whose URL is the payload itself, shown (escaped) as an image that does not exist.
    r"|Failed to load resource: the server responded with a status of 404 \(Not Found\)"
    r" \[\S*__pwned\S*\])$"
)


def safety_cells() -> list[str]:
    quoted = repr(ALL)
    return [
        "%load_ext gumloop_nb\nfrom gumloop_nb.notebook import get_client\nclient = get_client()",
        # Answers, in every render format, streamed and not.
        f"%%gumloop chat --no-interpolate\nRepeat exactly: {ALL}",
        f"%%gumloop chat --no-interpolate -f html\nRepeat exactly: {ALL}",
        f"%%gumloop chat --no-interpolate -f text --no-stream\nRepeat exactly: {ALL}",
        f"%%gumloop chat --no-interpolate -f code\nRepeat exactly: {ALL}",
        # Model names: unknown models come back in error messages, columns and tables.
        f"%%gumloop chat --no-interpolate -m {NAME}\nhello",
        f"%%gumloop compare --no-interpolate -m gpt-4.1,{NAME}\nRepeat exactly: {ALL}",
        # Tool results: the tool's return value is sent back and quoted in the answer.
        "def get_weather(city: str) -> dict:\n"
        '    """Current weather for a city."""\n'
        f'    return {{"city": {quoted}, "sky": {NAME!r}}}\n\n'
        "tools = [get_weather]",
        "%%gumloop chat --no-interpolate --tools tools\nWhat's the weather in Paris?",
        # MCP rows and MCP errors.
        "%%gumloop mcp datasets query\n"
        + '{"sql": "SELECT '
        + "'"
        + NAME
        + "'"
        + ' AS name, 1 AS n"}',
        "%%gumloop mcp datasets query\n" + '{"sql": "SELECT * FROM ' + NAME + '"}',
        # Agents: a payload name in the agents table, a payload answer, a payload id.
        f"agent = client.agents.create(name={NAME!r}, model_name='gpt-4.1',"
        " system_prompt='x').agent\nagent_id = agent.id",
        "%gumloop agents",
        f"%%gumloop agent --no-interpolate $agent_id\nRepeat exactly: {ALL}",
        f"%gumloop flow {NAME}",
        # The widgets used directly.
        "from gumloop_nb import ChatBox, ChatStream\n"
        f"view = ChatStream({NAME!r}, model={NAME!r})\n"
        "reply = view.consume(client.chat.completions.create(model='gpt-4.1',"
        f" messages=[{{'role': 'user', 'content': 'Repeat exactly: ' + {quoted}}}], stream=True))",
        f"box = ChatBox(models=['gpt-4.1'])\nbox.send('Repeat exactly: ' + {quoted})\nbox",
        "client.agents.delete(agent_id)",
    ]


def test_payloads_run_nothing(page: Any, server: h.JupyterServer) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    # Errors are expected (unknown model, missing table, missing flow): keep Run All going.
    nb.cells = [
        nbformat.v4.new_code_cell(source, metadata={"tags": ["raises-exception"]})
        for source in safety_cells()
    ]
    name = "e2e_safety.ipynb"
    nbformat.write(nb, server.root_dir / name)

    notebook = h.NotebookPage(page, server, name).open()
    notebook.watch_unsafe_dom()
    seen_while_running: list[Any] = []

    def check() -> None:
        tripped = notebook.canary()
        if tripped is not None:
            seen_while_running.append(tripped)

    notebook.run_all(on_poll=check)
    assert seen_while_running == [], f"a payload ran while streaming: {seen_while_running}"
    assert notebook.canary() is None, f"a payload ran: {notebook.canary()!r}"
    unsafe = notebook.unsafe_dom()
    assert unsafe == [], "outputs held live markup:\n" + "\n".join(map(str, unsafe))
    # The payloads were shown as text (the test would be vacuous if nothing rendered).
    text = notebook.body_text()
    assert "onerror=window.__pwned='img'" in text
    assert "javascript:window.__pwned='link'" in text
    # Chromium reports each script the sandboxed HTML frame refused to run: that is the
    # sandbox working. Anything else logged is a failure.
    others = [e for e in notebook.console.errors if not SANDBOX_BLOCKED.match(e)]
    assert others == [], "\n".join(others)

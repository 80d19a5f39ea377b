"""The small expression language of ``compatible_printers_condition`` / ``compatible_prints_condition``.

The vendor bundles link print, filament and resin presets to printers through these conditions, not through
lists of names; without evaluating them we would hand PrusaSlicer a print preset tuned for another machine.
Only the subset the bundles use is understood (checked against every 2.5 bundle): ``and or && || ! not``,
parentheses, ``== != < > <= >=``, regex matches ``=~ /re/`` and ``!~ /re/``, strings, numbers, variables with
an optional ``[index]``. As in PrusaSlicer a regex must match the whole value (boost ``regex_match``), and
``.`` also matches a newline (``printer_notes`` holds several lines).
"""

import re
from collections.abc import Mapping

# What PrusaSlicer assumes for an option a preset does not set, for the options conditions read.
_DEFAULTS = {
    "printer_notes": "",
    "printer_model": "",
    "printer_variant": "",
    "nozzle_diameter": "0.4",
    "single_extruder_multi_material": "0",
    "layer_height": "0.3",
    "print_settings_id": "",
}

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<regex_op>=~|!~)\s*/(?P<regex>(?:\\.|[^/\\])*)/
      | (?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\))
      | "(?P<string>(?:\\.|[^"\\])*)"
      | (?P<number>-?\d+(?:\.\d*)?|-?\.\d+)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>\d+)\])?
    )""",
    re.VERBOSE,
)


class ConditionError(ValueError):
    """A condition this evaluator cannot read (unknown syntax or variable)."""


def _tokens(text: str) -> list[tuple[str, object]]:
    tokens: list[tuple[str, object]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(f"cannot read condition at {text[position : position + 20]!r}")
        position = match.end()
        if match.group("regex_op"):
            tokens.append(("regex", (match.group("regex_op"), match.group("regex"))))
        elif match.group("op"):
            tokens.append(("op", match.group("op")))
        elif match.group("string") is not None:
            tokens.append(("value", match.group("string")))
        elif match.group("number"):
            tokens.append(("value", float(match.group("number"))))
        else:
            name = match.group("name")
            if name in ("and", "or", "not"):
                tokens.append(("op", {"and": "&&", "or": "||", "not": "!"}[name]))
            elif name in ("true", "false"):
                tokens.append(("value", name == "true"))
            else:
                index = match.group("index")
                tokens.append(("variable", (name, int(index) if index is not None else None)))
    return tokens


class _Parser:
    def __init__(self, tokens, config: Mapping[str, str]):
        self.tokens = tokens
        self.position = 0
        self.config = config

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def expect_op(self, op: str):
        kind, value = self.take()
        if kind != "op" or value != op:
            raise ConditionError(f"expected {op!r}")

    def parse(self) -> bool:
        value = self.or_expression()
        if self.position != len(self.tokens):
            raise ConditionError("unexpected text after the condition")
        return _truth(value)

    def or_expression(self):
        value = self.and_expression()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_expression()
            value = _truth(value) or _truth(right)
        return value

    def and_expression(self):
        value = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            value = _truth(value) and _truth(right)
        return value

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not _truth(self.unary())
        return self.comparison()

    def comparison(self):
        left = self.primary()
        kind, value = self.peek()
        if kind == "regex":
            self.take()
            op, pattern = value
            matched = re.fullmatch(pattern, str(left), re.DOTALL) is not None
            return matched if op == "=~" else not matched
        if kind == "op" and value in ("==", "!=", "<", ">", "<=", ">="):
            self.take()
            right = self.primary()
            return _compare(left, value, right)
        return left

    def primary(self):
        kind, value = self.take()
        if kind == "op" and value == "(":
            inner = self.or_expression()
            self.expect_op(")")
            return inner
        if kind == "value":
            return value
        if kind == "variable":
            name, index = value
            return self.variable(name, index)
        raise ConditionError("expected a value")

    def variable(self, name: str, index: int | None):
        if name == "num_extruders":
            return float(len(_vector(self.config.get("nozzle_diameter", _DEFAULTS["nozzle_diameter"]))))
        if name in self.config:
            raw = self.config[name]
        elif name in _DEFAULTS:
            raw = _DEFAULTS[name]
        else:
            raise ConditionError(f"unknown variable {name!r}")
        if index is not None:
            items = _vector(raw)
            raw = items[index] if index < len(items) else items[-1]
        return raw


def _vector(raw: str) -> list[str]:
    return [item.strip().strip('"') for item in raw.split(",")] if raw else [""]


def _number(value) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except ValueError:
        raise ConditionError(f"{value!r} is not a number")


def _compare(left, op: str, right) -> bool:
    if isinstance(left, float | bool) or isinstance(right, float | bool):
        a, b = _number(left), _number(right)
        # Option values are decimals written in text; compare as PrusaSlicer does, with a small tolerance.
        equal = abs(a - b) < 1e-9
    else:
        a, b = str(left), str(right)
        equal = a == b
    if op == "==":
        return equal
    if op == "!=":
        return not equal
    if op == "<":
        return a < b and not equal
    if op == ">":
        return a > b and not equal
    if op == "<=":
        return a < b or equal
    return a > b or equal


def _truth(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    text = str(value).strip()
    if text in ("1", "true"):
        return True
    if text in ("0", "false", ""):
        return False
    try:
        return float(text) != 0
    except ValueError:
        raise ConditionError(f"{text!r} is not a yes/no value")


def evaluate(condition: str, config: Mapping[str, str]) -> bool:
    """Whether ``condition`` holds for ``config`` (option name -> value as written in the bundle).

    An empty condition holds. Raises ``ConditionError`` for text outside the supported subset.
    """
    if not condition.strip():
        return True
    return _Parser(_tokens(condition), config).parse()

"""GBNF: generate a grammar from a verdict model's JSON schema, parse GBNF, recognise strings.

Three independent pieces, so that the tests can check one against the others:

- :func:`schema_to_gbnf` turns the JSON schema of a model written in the dialect of
  :mod:`grammars.models` into a GBNF grammar that admits exactly the compact JSON pydantic
  dumps (fields in order, no whitespace). Anything outside the dialect raises
  :class:`GrammarError`: a grammar that silently admitted more than its model would be the
  bug this package exists to prevent.
- :func:`parse_gbnf` reads GBNF text (the subset llama.cpp documents and this package uses:
  rules, literals, character classes, groups, alternatives, ``? * + {m} {m,} {m,n}``) into a
  small tree, without looking at any model.
- :func:`admits` decides whether a grammar admits a string (a memoised set-of-positions
  matcher, fine for the non-recursive grammars here), and the tests sample strings from the
  tree with hypothesis.

llama.cpp itself is the fourth judge: the LLM service hands every grammar to
``llama_sampler_init_grammar`` at start-up and refuses to start if it is rejected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = [
    "GrammarError",
    "Node",
    "Literal",
    "CharClass",
    "Ref",
    "Seq",
    "Alt",
    "Repeat",
    "Grammar",
    "schema_to_gbnf",
    "parse_gbnf",
    "admits",
    "int_range_gbnf",
]

from .models import DECIMAL_PLACES_KEY, TEXT_PATTERN

# The text alphabet of TEXT_PATTERN as a GBNF character class.
_TEXT_CHAR = r'[^"\\\x00-\x1F\x7F]'


class GrammarError(ValueError):
    """A schema outside the supported dialect, or GBNF text that does not parse."""


# --- generation -----------------------------------------------------------------------------


def _lit(text: str) -> str:
    """A GBNF string literal for ``text`` (escaping quote, backslash and controls)."""
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _json_lit(value: Any) -> str:
    """A GBNF literal for the compact JSON of ``value`` (keys, enum members)."""
    return _lit(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _same_length_range(low: str, high: str) -> list[str]:
    """Alternatives (GBNF sequences) for the digit strings of one length in [low, high]."""
    if not low:
        return [""]
    rest = len(low) - 1
    if low[0] == high[0]:
        return [_join(f'"{low[0]}"', tail) for tail in _same_length_range(low[1:], high[1:])]
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return [_join(f"[{low[0]}-{high[0]}]", _any_digits(rest))]
    alts = [_join(f'"{low[0]}"', tail) for tail in _same_length_range(low[1:], "9" * rest)]
    first, last = int(low[0]) + 1, int(high[0]) - 1
    if first <= last:
        head = f'"{first}"' if first == last else f"[{first}-{last}]"
        alts.append(_join(head, _any_digits(rest)))
    alts += [_join(f'"{high[0]}"', tail) for tail in _same_length_range("0" * rest, high[1:])]
    return alts


def _any_digits(count: int) -> str:
    if count == 0:
        return ""
    return "[0-9]" if count == 1 else f"[0-9]{{{count}}}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def int_range_gbnf(low: int, high: int) -> str:
    """A GBNF expression for the decimal integers in ``[low, high]`` (no sign, no leading
    zeros), ``0 <= low <= high``."""
    if not (0 <= low <= high):
        raise GrammarError(f"integer range [{low}, {high}] is not supported")
    alts: list[str] = []
    for length in range(len(str(low)), len(str(high)) + 1):
        lo = max(low, 0 if length == 1 else 10 ** (length - 1))
        hi = min(high, 10**length - 1)
        if lo <= hi:
            alts += _same_length_range(str(lo).zfill(length), str(hi))
    return alts[0] if len(alts) == 1 else "(" + " | ".join(alts) + ")"


class _Generator:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.rules: dict[str, str] = {}
        self.pending: list[str] = []
        self.shared: dict[str, str] = {}

    def rule_for_def(self, name: str) -> str:
        rule = _rule_name(name)
        if rule not in self.rules and rule not in self.pending:
            if name not in self.defs:
                raise GrammarError(f"unresolved $ref {name!r}")
            self.pending.append(rule)
            self.rules[rule] = self.expr(self.defs[name])
            self.pending.remove(rule)
        elif rule in self.pending:
            raise GrammarError(f"recursive schema at {name!r} is not supported")
        return rule

    def shared_rule(self, name: str, body: str) -> str:
        # Common pieces (text of one length bound, a number range) become one named rule so
        # that the grammar stays readable and llama.cpp parses it once.
        existing = self.shared.get(body)
        if existing is not None:
            return existing
        rule = name
        n = 2
        while rule in self.rules:
            rule, n = f"{name}-{n}", n + 1
        self.rules[rule] = body
        self.shared[body] = rule
        return rule

    def expr(self, node: Mapping[str, Any]) -> str:
        if "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/$defs/"):
                raise GrammarError(f"unsupported $ref {ref!r}")
            return self.rule_for_def(ref[len("#/$defs/") :])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return "(" + " | ".join(self.expr(option) for option in node[key]) + ")"
        if "const" in node:
            return _json_lit(node["const"])
        if "enum" in node:
            return "(" + " | ".join(_json_lit(v) for v in node["enum"]) + ")"
        kind = node.get("type")
        if kind == "object":
            return self.object(node)
        if kind == "array":
            return self.array(node)
        if kind == "string":
            return self.text(node)
        if kind == "number":
            return self.decimal(node)
        if kind == "integer":
            return self.integer(node)
        if kind == "boolean":
            return '("true" | "false")'
        if kind == "null":
            return '"null"'
        raise GrammarError(f"unsupported schema node {dict(node)!r}")

    def object(self, node: Mapping[str, Any]) -> str:
        if node.get("additionalProperties") is not False:
            raise GrammarError("objects must forbid additional properties (extra='forbid')")
        props: Mapping[str, Any] = node.get("properties", {})
        if not props:
            raise GrammarError("empty objects are not supported")
        parts = []
        for index, (key, sub) in enumerate(props.items()):
            prefix = ("{" if index == 0 else ",") + json.dumps(key) + ":"
            parts.append(_lit(prefix))
            parts.append(self.expr(sub))
        parts.append('"}"')
        return " ".join(parts)

    def array(self, node: Mapping[str, Any]) -> str:
        if "items" not in node or "prefixItems" in node:
            raise GrammarError("arrays need one 'items' schema")
        low = int(node.get("minItems", 0))
        high = node.get("maxItems")
        if high is None:
            raise GrammarError("arrays need maxItems: LLM output must stay bounded")
        high = int(high)
        item = self.expr(node["items"])
        if " " in item or "|" in item:
            item = f"({item})"
        if high == 0:
            return '"[]"'
        more = f'("," {item}){{{max(low - 1, 0)},{high - 1}}}'
        body = f'"[" {item} {more} "]"'
        return body if low >= 1 else f'("[]" | {body})'

    def text(self, node: Mapping[str, Any]) -> str:
        if node.get("pattern") != TEXT_PATTERN:
            raise GrammarError("strings must be Text(...) (pattern TEXT_PATTERN) or enums")
        low = int(node.get("minLength", 0))
        high = node.get("maxLength")
        if high is None:
            raise GrammarError("strings need maxLength: LLM output must stay bounded")
        return self.shared_rule(
            f"text-{low}-{high}", f'"\\"" {_TEXT_CHAR}{{{low},{int(high)}}} "\\""'
        )

    def decimal(self, node: Mapping[str, Any]) -> str:
        places = node.get(DECIMAL_PLACES_KEY)
        low, high = node.get("minimum"), node.get("maximum")
        if places is None or low is None or high is None:
            raise GrammarError("numbers must be Decimal(low, high, places)")
        if int(low) != low or int(high) != high or not 0 <= low < high:
            raise GrammarError("Decimal bounds must be integers 0 <= low < high")
        low, high, places = int(low), int(high), int(places)
        frac = f'("." [0-9]{{1,{places}}})?'
        zeros = f'("." "0"{{1,{places}}})?'
        # Below the top: any fraction; at the top itself: only zeros after the point.
        body = f"({int_range_gbnf(low, high - 1)} {frac} | {_lit(str(high))} {zeros})"
        return self.shared_rule(f"decimal-{low}-{high}-{places}", body)

    def integer(self, node: Mapping[str, Any]) -> str:
        low, high = node.get("minimum"), node.get("maximum")
        if low is None or high is None:
            raise GrammarError("integers need minimum and maximum")
        return self.shared_rule(f"int-{low}-{high}", int_range_gbnf(int(low), int(high)))


def _rule_name(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("-")
        out.append(ch.lower() if ch.isalnum() else "-")
    return "".join(out)


def schema_to_gbnf(schema: Mapping[str, Any], *, title: str) -> str:
    """The GBNF grammar admitting exactly the compact JSON of ``schema``'s instances.

    ``schema`` is a pydantic model's ``model_json_schema()`` in the dialect of
    :mod:`grammars.models`; the output is deterministic (rules in first-use order) and starts
    with a header comment naming ``title``.
    """
    gen = _Generator(schema)
    root = gen.expr(schema)
    lines = [
        f"# {title}: generated from its pydantic model by `python -m grammars.generate`;",
        "# do not edit (tests/grammars fails when this file and the model disagree).",
        f"root ::= {root}",
    ]
    lines += [f"{name} ::= {body}" for name, body in gen.rules.items()]
    return "\n".join(lines) + "\n"


# --- parsing --------------------------------------------------------------------------------


class Node:
    """Base of the GBNF tree."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class Literal(Node):
    """A string literal."""

    text: str


@dataclass(frozen=True, eq=False)
class CharClass(Node):
    """``[...]`` or ``[^...]``: inclusive code point ranges."""

    ranges: tuple[tuple[int, int], ...]
    negated: bool

    def contains(self, ch: str) -> bool:
        """Whether one character is in the class."""
        code = ord(ch)
        inside = any(lo <= code <= hi for lo, hi in self.ranges)
        return inside != self.negated


@dataclass(frozen=True, eq=False)
class Ref(Node):
    """A reference to a rule."""

    name: str


@dataclass(frozen=True, eq=False)
class Seq(Node):
    """Items in order."""

    items: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Alt(Node):
    """Alternatives."""

    options: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Repeat(Node):
    """``item{low,high}``; ``high`` is ``None`` for unbounded (``*``, ``+``, ``{m,}``)."""

    item: Node
    low: int
    high: int | None


@dataclass(frozen=True)
class Grammar:
    """A parsed grammar: its rules and its root rule's name."""

    rules: Mapping[str, Node]
    root: str = "root"

    def __post_init__(self) -> None:
        if self.root not in self.rules:
            raise GrammarError(f"grammar has no {self.root!r} rule")
        for node in self.rules.values():
            for ref in _refs(node):
                if ref not in self.rules:
                    raise GrammarError(f"undefined rule {ref!r}")


def _refs(node: Node) -> Iterable[str]:
    if isinstance(node, Ref):
        yield node.name
    elif isinstance(node, Seq):
        for item in node.items:
            yield from _refs(item)
    elif isinstance(node, Alt):
        for option in node.options:
            yield from _refs(option)
    elif isinstance(node, Repeat):
        yield from _refs(node.item)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "[": "[", "]": "]", "-": "-"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, message: str) -> GrammarError:
        line = self.s.count("\n", 0, self.i) + 1
        return GrammarError(f"GBNF line {line}: {message}")

    def skip(self, newlines: bool) -> None:
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            elif ch in " \t" or (newlines and ch in "\r\n"):
                self.i += 1
            else:
                break

    def name(self) -> str:
        start = self.i
        while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "-_"):
            self.i += 1
        if start == self.i:
            raise self.error("expected a rule name")
        return self.s[start : self.i]

    def grammar(self) -> Grammar:
        rules: dict[str, Node] = {}
        self.skip(True)
        while self.i < len(self.s):
            name = self.name()
            self.skip(False)
            if not self.s.startswith("::=", self.i):
                raise self.error(f"expected '::=' after {name!r}")
            self.i += 3
            self.skip(True)
            if name in rules:
                raise self.error(f"rule {name!r} defined twice")
            rules[name] = self.alternatives(nested=False)
            self.skip(True)
        return Grammar(rules)

    def alternatives(self, nested: bool) -> Node:
        options = [self.sequence(nested)]
        while self.i < len(self.s) and self.s[self.i] == "|":
            self.i += 1
            self.skip(True)
            options.append(self.sequence(nested))
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def sequence(self, nested: bool) -> Node:
        items: list[Node] = []
        while True:
            self.skip(nested)
            if self.i >= len(self.s):
                break
            ch = self.s[self.i]
            if ch in "|)" or ch in "\r\n":
                break
            if ch.isalnum() or ch in "-_":
                save = self.i
                self.name()
                self.skip(False)
                is_rule_start = self.s.startswith("::=", self.i)
                self.i = save
                if is_rule_start:
                    break
            items.append(self.postfix(self.atom()))
        if not items:
            return Seq(())
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def atom(self) -> Node:
        ch = self.s[self.i]
        if ch == '"':
            return self.literal()
        if ch == "[":
            return self.char_class()
        if ch == "(":
            self.i += 1
            self.skip(True)
            node = self.alternatives(nested=True)
            self.skip(True)
            if self.i >= len(self.s) or self.s[self.i] != ")":
                raise self.error("expected ')'")
            self.i += 1
            return node
        if ch.isalnum() or ch in "-_":
            return Ref(self.name())
        raise self.error(f"unexpected {ch!r}")

    def char(self) -> str:
        ch = self.s[self.i]
        if ch != "\\":
            self.i += 1
            return ch
        esc = self.s[self.i + 1]
        if esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = self.s[self.i + 2 : self.i + 2 + width]
            if len(digits) != width:
                raise self.error("short escape")
            self.i += 2 + width
            return chr(int(digits, 16))
        if esc not in _ESCAPES:
            raise self.error(f"unknown escape \\{esc}")
        self.i += 2
        return _ESCAPES[esc]

    def literal(self) -> Node:
        self.i += 1
        out = []
        while self.i < len(self.s) and self.s[self.i] != '"':
            out.append(self.char())
        if self.i >= len(self.s):
            raise self.error("unterminated string")
        self.i += 1
        return Literal("".join(out))

    def char_class(self) -> Node:
        self.i += 1
        negated = self.s.startswith("^", self.i)
        if negated:
            self.i += 1
        ranges = []
        while self.i < len(self.s) and self.s[self.i] != "]":
            lo = self.char()
            hi = lo
            if self.s.startswith("-", self.i) and not self.s.startswith("-]", self.i):
                self.i += 1
                hi = self.char()
            ranges.append((ord(lo), ord(hi)))
        if self.i >= len(self.s):
            raise self.error("unterminated character class")
        self.i += 1
        return CharClass(tuple(ranges), negated)

    def postfix(self, node: Node) -> Node:
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == "?":
                node = Repeat(node, 0, 1)
            elif ch == "*":
                node = Repeat(node, 0, None)
            elif ch == "+":
                node = Repeat(node, 1, None)
            elif ch == "{":
                end = self.s.index("}", self.i)
                body = self.s[self.i + 1 : end]
                if "," in body:
                    lo, hi = body.split(",", 1)
                    node = Repeat(node, int(lo), int(hi) if hi.strip() else None)
                else:
                    node = Repeat(node, int(body), int(body))
                self.i = end
            else:
                break
            self.i += 1
        return node


def parse_gbnf(text: str) -> Grammar:
    """Parse GBNF text into a :class:`Grammar` (``GrammarError`` on anything it cannot read)."""
    try:
        return _Parser(text).grammar()
    except (IndexError, ValueError) as error:
        if isinstance(error, GrammarError):
            raise
        raise GrammarError(f"GBNF does not parse: {error}") from None


# --- recognition ----------------------------------------------------------------------------


def admits(grammar: Grammar, text: str) -> bool:
    """Whether ``grammar`` admits exactly ``text`` (the whole string)."""
    memo: dict[tuple[int, int], frozenset[int]] = {}

    def ends(node: Node, start: int) -> frozenset[int]:
        key = (id(node), start)
        found = memo.get(key)
        if found is not None:
            return found
        result: frozenset[int]
        if isinstance(node, Literal):
            ok = text.startswith(node.text, start)
            result = frozenset({start + len(node.text)}) if ok else frozenset()
        elif isinstance(node, CharClass):
            ok = start < len(text) and node.contains(text[start])
            result = frozenset({start + 1}) if ok else frozenset()
        elif isinstance(node, Ref):
            result = ends(grammar.rules[node.name], start)
        elif isinstance(node, Seq):
            positions = frozenset({start})
            for item in node.items:
                positions = frozenset(e for p in positions for e in ends(item, p))
                if not positions:
                    break
            result = positions
        elif isinstance(node, Alt):
            result = frozenset(e for option in node.options for e in ends(option, start))
        elif isinstance(node, Repeat):
            reached = {start} if node.low == 0 else set()
            frontier = frozenset({start})
            count = 0
            while frontier and (node.high is None or count < node.high):
                count += 1
                frontier = frozenset(e for p in frontier for e in ends(node.item, p))
                if node.high is None:
                    frontier = frontier - reached  # unbounded: stop once nothing is new
                if count >= node.low:
                    reached |= frontier
            result = frozenset(reached)
        else:  # pragma: no cover - the tree has no other node kinds
            raise TypeError(node)
        memo[key] = result
        return result

    return len(text) in ends(grammar.rules[grammar.root], 0)

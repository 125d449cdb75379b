"""Hypothesis strategies for the grammar tests, built independently of the generator.

- :func:`gbnf_strings` samples strings from a *parsed GBNF file* (``grammars.gbnf.parse_gbnf``),
  so what is sampled is what the file on disk admits, not what the generator meant.
- :func:`schema_values` samples JSON values from a model's JSON schema, deliberately wider
  than the dialect (any characters, any floats in range, any lengths up to the bound plus
  some), so that pydantic, not this strategy, decides what a valid instance is.
"""

from __future__ import annotations

from typing import Any, Mapping

from hypothesis import strategies as st

from grammars.gbnf import Alt, CharClass, Grammar, Literal, Node, Ref, Repeat, Seq

__all__ = ["gbnf_strings", "schema_values"]

# Characters worth trying in free text beyond what hypothesis picks on its own.
_INTERESTING = "{}[],:\"\\ \t\n\x00\x1f\x7f\u00e9\u2028\u4e2d\U0001f600-.0123456789eE+"


def _char_class(node: CharClass) -> st.SearchStrategy[str]:
    if not node.negated:
        return st.sampled_from(node.ranges).flatmap(
            lambda r: st.integers(r[0], r[1]).map(chr)
        )
    wide = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
    special = st.sampled_from([c for c in _INTERESTING if node.contains(c)])
    return st.one_of(special, wide.filter(node.contains))


def gbnf_strings(grammar: Grammar, *, unbounded_max: int = 8) -> st.SearchStrategy[str]:
    """Strings admitted by ``grammar`` (non-recursive grammars)."""
    memo: dict[int, st.SearchStrategy[str]] = {}

    def build(node: Node) -> st.SearchStrategy[str]:
        key = id(node)
        if key in memo:
            return memo[key]
        if isinstance(node, Literal):
            out: st.SearchStrategy[str] = st.just(node.text)
        elif isinstance(node, CharClass):
            out = _char_class(node)
        elif isinstance(node, Ref):
            out = st.deferred(lambda: build(grammar.rules[node.name]))
        elif isinstance(node, Seq):
            out = st.tuples(*(build(item) for item in node.items)).map("".join)
        elif isinstance(node, Alt):
            out = st.one_of(*(build(option) for option in node.options))
        elif isinstance(node, Repeat):
            high = node.high if node.high is not None else node.low + unbounded_max
            out = st.lists(build(node.item), min_size=node.low, max_size=high).map("".join)
        else:  # pragma: no cover
            raise TypeError(node)
        memo[key] = out
        return out

    return build(grammar.rules[grammar.root])


def schema_values(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values shaped like ``schema`` (a pydantic model's ``model_json_schema()``)."""
    defs = schema.get("$defs", {})

    def build(node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in node:
            return st.deferred(lambda: build(defs[node["$ref"].split("/")[-1]]))
        for key in ("anyOf", "oneOf"):
            if key in node:
                return st.one_of(*(build(option) for option in node[key]))
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        kind = node.get("type")
        if kind == "object":
            return st.fixed_dictionaries({k: build(v) for k, v in node["properties"].items()})
        if kind == "array":
            return st.lists(build(node["items"]), min_size=node.get("minItems", 0),
                            max_size=node.get("maxItems", 5) + 1)
        if kind == "string":
            chars = st.one_of(st.sampled_from(_INTERESTING),
                              st.characters(exclude_categories=("Cs",)))
            high = node.get("maxLength", 20)
            return st.text(chars, min_size=max(node.get("minLength", 0) - 1, 0),
                           max_size=high + 1)
        if kind == "number":
            low, high = node["minimum"], node["maximum"]
            return st.one_of(
                st.floats(low, high, allow_nan=False),
                st.integers(int(low), int(high)),
                st.sampled_from([low, high, -0.0, (low + high) / 2, high - 1e-9, low + 0.005]),
            )
        if kind == "integer":
            return st.integers(node.get("minimum", -10), node.get("maximum", 10))
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        raise TypeError(f"no strategy for {dict(node)!r}")

    return build(schema)

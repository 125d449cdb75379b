"""Every grammar is equivalent to its model, both ways.

- Every string sampled from the grammar *file* (parsed independently of the generator) parses
  into the model, and the model's canonical JSON of it is admitted again.
- Every valid model instance (pydantic decides validity of schema-shaped values) serialises,
  with ``model_dump_json()``, to a string the grammar admits, and parses back to itself.

Real generations with the embedded model are the third leg (tests/contexts/test_generations).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from grammars import VERDICT_MODELS, load_grammars
from grammars.gbnf import admits

from .strategies import gbnf_strings, schema_values

NAMES = sorted(VERDICT_MODELS)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("name", NAMES)
def test_every_string_the_grammar_admits_parses_into_the_model(name: str) -> None:
    spec = load_grammars()[name]

    @SETTINGS
    @given(gbnf_strings(spec.tree))
    def check(text: str) -> None:
        assert admits(spec.tree, text)  # the sampler and the recogniser agree
        instance = spec.model.model_validate_json(text)
        again = instance.model_dump_json()
        assert admits(spec.tree, again)
        assert spec.model.model_validate_json(again) == instance

    check()


@pytest.mark.parametrize("name", NAMES)
def test_every_model_instance_serialises_to_a_string_the_grammar_admits(name: str) -> None:
    spec = load_grammars()[name]
    schema = spec.model.model_json_schema()

    @SETTINGS
    @given(schema_values(schema))
    def check(value: object) -> None:
        try:
            instance = spec.model.model_validate(value)
        except ValidationError:
            assume(False)
            return
        text = instance.model_dump_json()
        assert admits(spec.tree, text), text
        assert spec.model.model_validate_json(text) == instance

    check()


@pytest.mark.parametrize(
    "name, text",
    [
        # keys out of order, whitespace, missing keys, extra keys, out-of-range numbers,
        # too many digits, escapes, a retry without its reason: none is admitted.
        ("step_verdict", '{"confidence":0.5,"decision":"proceed","reasoning":"x","warnings":[]}'),
        ("step_verdict", '{"decision": "proceed","confidence":0.5,"reasoning":"x","warnings":[]}'),
        ("step_verdict", '{"decision":"proceed","confidence":0.5,"reasoning":"x"}'),
        ("step_verdict", '{"decision":"proceed","confidence":1.5,"reasoning":"x","warnings":[]}'),
        ("step_verdict", '{"decision":"proceed","confidence":0.555,"reasoning":"x","warnings":[]}'),
        ("step_verdict", '{"decision":"proceed","confidence":0.5,"reasoning":"a\\"b","warnings":[]}'),
        ("step_verdict", '{"decision":"retry","confidence":0.5,"reasoning":"x","warnings":[]}'),
        ("step_verdict", '{"decision":"proceed","confidence":0.5,"reasoning":"","warnings":[]}'),
        ("step_verdict", '{"decision":"retry","confidence":0.5,"reasoning":"x","retry_reason":"y",'
                         '"suggested_params":[{"name":"pool_size","factor":10.5}],"warnings":[]}'),
        ("request_validation", '{"decision":"retry","confidence":0.5,"reasoning":"x","concerns":[]}'),
        ("chapter13_proposal", '{"failure_mode":"none","recommended_action":"hold",'
                               '"risk_level":"low","retrain_scope":"none","confidence":0.5,'
                               '"reasoning":"x","parameter_proposals":[{"name":"cooldown_hours",'
                               '"value":1001}]}'),
    ],
)
def test_near_misses_are_neither_admitted_nor_canonical(name: str, text: str) -> None:
    spec = load_grammars()[name]
    assert not spec.admits(text)


@pytest.mark.parametrize("name", NAMES)
def test_longest_texts_and_lists_are_admitted(name: str) -> None:
    """The bounds themselves (max lengths, max items, top of ranges) are inside the grammar."""
    spec = load_grammars()[name]
    schema = spec.model.model_json_schema()
    defs = schema.get("$defs", {})

    def biggest(node: dict) -> object:
        if "$ref" in node:
            return biggest(defs[node["$ref"].split("/")[-1]])
        if "oneOf" in node or "anyOf" in node:
            options = node.get("oneOf") or node.get("anyOf")
            return max((biggest(o) for o in options), key=lambda v: len(str(v)))
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return max(node["enum"], key=len)
        kind = node["type"]
        if kind == "object":
            return {k: biggest(v) for k, v in node["properties"].items()}
        if kind == "array":
            return [biggest(node["items"])] * node["maxItems"]
        if kind == "string":
            return "\u00e9" * node["maxLength"]
        if kind == "number":
            return node["maximum"]
        return True

    instance = spec.model.model_validate(biggest(schema))
    assert spec.admits(instance.model_dump_json())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 1200), st.integers(0, 1200))
def test_integer_ranges_match_exactly(a: int, b: int) -> None:
    from grammars.gbnf import int_range_gbnf, parse_gbnf

    low, high = min(a, b), max(a, b)
    tree = parse_gbnf(f"root ::= {int_range_gbnf(low, high)}\n")
    for n in {low, high, low - 1, high + 1, (low + high) // 2, 0, 9, 10, 99, 100, 1000}:
        if n >= 0:
            assert admits(tree, str(n)) == (low <= n <= high), (low, high, n)
    assert not admits(tree, "0" + str(high))  # no leading zeros

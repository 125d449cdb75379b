"""GBNF grammars and the verdict models they pair with, one model per grammar file.

The models (:mod:`grammars.models`) are the single source of truth; the ``*.gbnf`` files are
generated from them (``python -m grammars.generate``) and checked on load. Depends on pydantic
only; the llama.cpp check happens where llama.cpp is loaded (``handlers.llm_service``).
"""

from .gbnf import GrammarError, admits, parse_gbnf, schema_to_gbnf
from .models import (
    VERDICT_MODELS,
    Chapter13Proposal,
    ParamProposal,
    RequestValidationVerdict,
    SelfplayEvaluation,
    SieveAnalysis,
    StepVerdict,
    StrategyAdvice,
)
from .registry import (
    GRAMMAR_DIR,
    GrammarSpec,
    VerdictParseError,
    generate_grammar,
    get_grammar,
    load_grammars,
    parse_verdict,
)

__all__ = [
    "GrammarError",
    "admits",
    "parse_gbnf",
    "schema_to_gbnf",
    "VERDICT_MODELS",
    "Chapter13Proposal",
    "ParamProposal",
    "RequestValidationVerdict",
    "SelfplayEvaluation",
    "SieveAnalysis",
    "StepVerdict",
    "StrategyAdvice",
    "GRAMMAR_DIR",
    "GrammarSpec",
    "VerdictParseError",
    "generate_grammar",
    "get_grammar",
    "load_grammars",
    "parse_verdict",
]

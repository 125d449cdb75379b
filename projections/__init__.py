"""Read models folded from the ledger (requests, runs, steps, verdicts, draws, candidates,
incidents, predictions and their outcomes), for the CLI, the LLM's context bundles and reports.

Projections may import ``ledger`` and ``machine``'s event models; they never decide or write.
"""

from .views import (
    ALL_VIEWS,
    CandidatesView,
    DrawsView,
    IncidentsView,
    PredictionsView,
    Projection,
    RequestsView,
    RunsView,
    StepsView,
    VerdictsView,
    build_views,
)

__all__ = [
    "ALL_VIEWS",
    "CandidatesView",
    "DrawsView",
    "IncidentsView",
    "PredictionsView",
    "Projection",
    "RequestsView",
    "RunsView",
    "StepsView",
    "VerdictsView",
    "build_views",
]

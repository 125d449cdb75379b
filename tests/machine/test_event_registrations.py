"""Every event model of ``machine/events.py`` is readable and foldable: the discriminated union
(or the table of older versions) lists it, and the fold has a registration for it.

The models are found by looking at the module, not from a list kept here, so a new model that
is forgotten in the union or the fold fails this test rather than the first ledger holding it.
"""

from __future__ import annotations

import machine.events as events
from machine.events import EVENT_MODELS, LEGACY_MODELS, EventModel
from machine.fold import apply


def defined_models() -> set[type[EventModel]]:
    """Every ``EventModel`` subclass defined in ``machine/events.py``."""
    return {
        value for value in vars(events).values()
        if isinstance(value, type) and issubclass(value, EventModel) and value is not EventModel
        and value.__module__ == events.__name__
    }


def test_the_models_are_found() -> None:
    found = {model.__name__ for model in defined_models()}
    assert {"PoliciesSet", "StepCompleted", "VerdictRecorded", "LedgerRepaired"} <= found


def test_the_union_lists_every_current_model_and_legacy_the_older_versions() -> None:
    current, legacy = set(EVENT_MODELS.values()), set(LEGACY_MODELS.values())
    assert not current & legacy
    missing = sorted(m.__name__ for m in defined_models() - current - legacy)
    assert missing == [], "event models in neither the union nor LEGACY_MODELS"
    for name, model in EVENT_MODELS.items():
        assert model.model_fields["type"].default == name
    for (name, version), model in LEGACY_MODELS.items():
        assert model.model_fields["type"].default == name
        assert model.VERSION == version < EVENT_MODELS[name].VERSION


def test_every_event_model_has_its_own_fold_registration() -> None:
    # Exact registrations: a model that only inherits EventModel's falls to the default,
    # which refuses the event at replay.
    unregistered = sorted(m.__name__ for m in defined_models() if m not in apply.registry)
    assert unregistered == []

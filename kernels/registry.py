"""The generator registry: every class in ``kernels/generators/*`` listed in a module's
``GENERATORS`` tuple, keyed by name.

Adding a generator is adding one module (or one class to a family module) and its vector files;
nothing here changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from kernels import generators as _generators_pkg
from kernels.prng import PRNG

__all__ = ["all_generators", "get_generator", "generator_names"]


@cache
def all_generators() -> dict[str, type[PRNG]]:
    """Every registered generator class by name, sorted by (family, name)."""
    found: dict[str, type[PRNG]] = {}
    for module_info in pkgutil.iter_modules(_generators_pkg.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_generators_pkg.__name__}.{module_info.name}")
        for cls in getattr(module, "GENERATORS", ()):
            if cls.name in found:
                raise RuntimeError(
                    f"generator name {cls.name!r} registered twice "
                    f"({found[cls.name].__module__} and {cls.__module__})"
                )
            found[cls.name] = cls
    return dict(sorted(found.items(), key=lambda item: (item[1].family, item[0])))


def generator_names(include_legacy: bool = True) -> list[str]:
    return [name for name, cls in all_generators().items() if include_legacy or not cls.legacy]


def get_generator(name: str) -> type[PRNG]:
    """The generator class registered as ``name``; ``ValueError`` naming close matches if none."""
    registry = all_generators()
    try:
        return registry[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, registry, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else " (see `watcher prng list`)"
        raise ValueError(f"unknown generator {name!r}{hint}") from None

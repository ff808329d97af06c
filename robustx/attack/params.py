"""Typed parameter tables of an attack's parts, checked the way recipe parameters are."""

from __future__ import annotations

from typing import Any, Mapping, TypeVar

from robustx.errors import RobustxError
from robustx.perturb.base import check_param, param_types

P = TypeVar("P")


def build_params(params_class: type[P], values: Mapping[str, Any], where: str) -> P:
    """``params_class(**values)`` after checking keys and types; every error is one line naming ``where``."""
    if not isinstance(values, Mapping):
        raise RobustxError(f"{where}: must be a table, got {values!r}")
    hints = param_types(params_class)
    unknown = sorted(set(values) - set(hints), key=str)
    if unknown:
        raise RobustxError(f"{where}: unknown parameter {unknown[0]!r}; known: {', '.join(sorted(hints)) or 'none'}")
    for key, value in values.items():
        expected = check_param(value, hints[key])
        if expected is not None:
            raise RobustxError(f"{where}: {key!r} must be {expected}, got {value!r}")
    try:
        return params_class(**values)
    except (TypeError, ValueError) as exc:
        raise RobustxError(f"{where}: {exc}") from None

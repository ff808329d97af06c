"""Shipped recipes: TOML data files in ``attacks/`` (installed as ``robustx/attacks``).

A perturbation recipe names a registered perturbation, its parameters, a description and a
citation. An attack recipe says ``kind = "attack"`` and gives an attack's parts (the keys of
``[[attacks]]`` in a study, docs/attacks.md). Users can point a study at their own recipe
file by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from robustx.errors import RobustxError
from robustx.tomlio import read_toml


@dataclass(frozen=True)
class Recipe:
    name: str
    perturbation: str
    params: Mapping[str, Any]
    description: str = ""
    citation: str = ""
    fields: tuple[str, ...] = ()
    kind: str = "perturbation"
    attack: Mapping[str, Any] = field(default_factory=dict)  # an attack recipe's parts but its transformation and params


# The parts an attack recipe (and a study's [[attacks]] entry) may give.
ATTACK_PARTS = ("transformation", "params", "search", "search_params", "goal", "target", "constraints",
                "max_queries", "draws")


def recipe_dir() -> Path:
    return Path(str(resources.files("robustx") / "attacks"))


def shipped_recipes() -> list[str]:
    return sorted(p.stem for p in recipe_dir().glob("*.toml"))


def load_recipe(name_or_path: str) -> Recipe:
    """Load a shipped recipe by name, or a recipe file by path."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" and path.is_file()):
        path = recipe_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            import difflib

            close = difflib.get_close_matches(name_or_path, shipped_recipes(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise RobustxError(
                f"unknown recipe {name_or_path!r}{hint}; shipped: {', '.join(shipped_recipes())}"
            )
    data = read_toml(path)
    kind = data.get("kind", "perturbation")
    if kind not in ("perturbation", "attack"):
        raise RobustxError(f"{path}: kind must be \"perturbation\" or \"attack\", got {kind!r}")
    common = {"kind", "description", "citation", "fields"}
    allowed = common | ({"perturbation", "params"} if kind == "perturbation" else set(ATTACK_PARTS))
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RobustxError(f"{path}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    main = "perturbation" if kind == "perturbation" else "transformation"
    if not isinstance(data.get(main), str):
        raise RobustxError(f"{path}: missing string key {main!r}")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise RobustxError(f"{path}: 'params' must be a table")
    return Recipe(
        name=path.stem,
        perturbation=data[main],
        params=params,
        description=str(data.get("description", "")),
        citation=str(data.get("citation", "")),
        fields=tuple(data.get("fields", ())),
        kind=kind,
        attack={k: data[k] for k in ATTACK_PARTS if k in data and k not in ("transformation", "params")}
        if kind == "attack" else {},
    )

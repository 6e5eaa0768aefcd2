"""One typed config layer for every stage: dataclasses whose fields carry their help text, one strict
TOML loader, one rule for relative paths and one :class:`ConfigError`.

Why our own and not pydantic: the configs are plain dataclasses (TRL's ``field(metadata={"help": …})``
pattern), already passed around by every stage; what they lacked was a loader that refuses a typo or a
wrong type with the file, the section and the fix — which is all this module adds.

- :func:`option` declares a field with its help (and whether it is a path, resolved against the file
  that names it);
- :func:`from_dict` builds a config from a TOML table: unknown keys get a "did you mean" hint, values
  are checked against the field's type (``int``, ``float``, ``str``, ``bool``, ``list[...]``,
  ``dict``, ``X | None``, nested dataclasses) and named when wrong;
- :func:`load_toml` reads a file with a one-line error for a missing file or bad TOML;
- :func:`override` applies CLI flags to fields by name (``None`` means "not given").
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class ConfigError(ValueError):
    """A config the user wrote is wrong: the message names the file, the section, the key and the fix."""


def option(default: Any = dataclasses.MISSING, help: str = "", *, path: bool | str = False, **kw: Any) -> Any:
    """A dataclass field with its help text. ``path=True``: a file or folder (or glob), resolved against
    the folder of the config file that names it; ``path="model"``: a model that may also be a hub id or
    a built-in name, resolved only when it starts with ``./``/``../`` or exists there.

    A list or dict default is copied per instance (no shared mutable default)."""
    meta = {"help": help, "path": path}
    if isinstance(default, list | dict | set):
        value = default
        return dataclasses.field(default_factory=lambda: type(value)(value), metadata=meta, **kw)
    return dataclasses.field(default=default, metadata=meta, **kw)


def help_text(cls: type, name: str) -> str:
    """The help of field ``name`` of dataclass ``cls`` (the text ``--help`` and the docs show)."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            return str(f.metadata.get("help", ""))
    raise KeyError(name)


def load_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a TOML config file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def unknown_key_message(where: str, key: str, known: typing.Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return f"{where} unknown key {key!r} — {hint}"


def _type_name(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _check(value: Any, tp: Any, where: str, base_dir: Path | None) -> Any:
    """``value`` as type ``tp`` (ints accepted for floats, tuples for lists); a mismatch raises."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _check(value, arg, where, base_dir)
            except ConfigError as exc:
                errors.append(exc)
        raise ConfigError(f"{where} expects {_type_name(tp)}, got {value!r}")
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where} expects a table of {tp.__name__} keys, got {value!r}")
        return from_dict(tp, value, where, base_dir)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} expects a list, got {value!r}")
        args = typing.get_args(tp)
        item = args[0] if args else Any
        return [_check(v, item, f"{where}[{i}]", base_dir) for i, v in enumerate(value)]
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} expects a table, got {value!r}")
        return dict(value)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} expects true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} expects a whole number, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} expects a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} expects a string, got {value!r}")
        return value
    if isinstance(tp, type) and not isinstance(value, tp):
        raise ConfigError(f"{where} expects {_type_name(tp)}, got {value!r}")
    return value


def resolve_path(value: str, base_dir: Path | None, kind: bool | str = True) -> str:
    """The one rule for relative paths: relative to the folder of the file that names them. Absolute
    paths, ``~`` paths and URLs stay as written; so do model names (``kind="model"``) that are not
    ``./``-paths and do not exist there (a hub id, a built-in model)."""
    if not value or base_dir is None or "://" in value or value.startswith(("/", "~")):
        return value
    candidate = base_dir / value
    if kind != "model" or value.startswith(("./", "../")) or candidate.exists():
        return str(candidate.resolve() if "*" not in value else candidate)
    return value


def _join(where: str, key: str) -> str:
    if not where:
        return key
    return f"{where} {key}" if where.endswith("]") else f"{where}.{key}"


def from_dict(cls: type[T], data: dict[str, Any], where: str = "", base_dir: Path | None = None) -> T:
    """Build dataclass ``cls`` from a TOML table, strictly: every key known, every value of its type,
    path fields resolved against ``base_dir``. ``where`` prefixes messages (``FILE: [section]``)."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    prefix = f"{where} " if where else ""
    label = where if where.endswith("]") or not where else f"{where}:"
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(unknown_key_message(label or f"{cls.__name__}:", key, fields))
        f = fields[key]
        tp = hints[f.name]
        if (
            dataclasses.is_dataclass(tp)
            and isinstance(value, dict)
            and f.default_factory is not dataclasses.MISSING
        ):
            # a nested table overrides the field's own default instance, key by key
            default = f.default_factory()
            value = {g.name: getattr(default, g.name) for g in dataclasses.fields(default) if g.init} | value
        value = _check(value, tp, _join(where, key), base_dir)
        kind = f.metadata.get("path")
        if kind:
            if isinstance(value, str):
                value = resolve_path(value, base_dir, kind)
            elif isinstance(value, list):
                value = [resolve_path(v, base_dir, kind) if isinstance(v, str) else v for v in value]
        kwargs[key] = value
    missing = [
        n
        for n, f in fields.items()
        if n not in kwargs and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{prefix}missing required key(s): {', '.join(missing)}".strip())
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{prefix}{exc}".strip()) from None


def override(cfg: T, **values: Any) -> T:
    """``cfg`` with the fields named in ``values`` replaced (CLI flags; ``None`` = flag not given)."""
    given = {k: v for k, v in values.items() if v is not None}
    names = {f.name for f in dataclasses.fields(cfg)}  # type: ignore[arg-type]
    for key in given:
        if key not in names:
            raise ConfigError(unknown_key_message(f"{type(cfg).__name__}:", key, names))
    return dataclasses.replace(cfg, **given)  # type: ignore[type-var]


def to_dict(cfg: Any) -> dict[str, Any]:
    """A config as plain JSON-able data (for manifests and stage keys)."""
    return dataclasses.asdict(cfg)

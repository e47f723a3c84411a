"""Turn pydantic's validation errors into located, plain-spoken problems.

Pydantic reports a location as a tuple of keys, with union member names mixed in
(``("incidents", 0, "rapid_response", "needs")``); here the location is walked
through the user's data, so the path is what the user wrote and the line and column
come from the YAML reader. Messages say what was expected and suggest a close match.
"""

from __future__ import annotations

import difflib
import typing
from typing import Any, Sequence

from pydantic import BaseModel, ValidationError

from sispam_sim.errors import Problem, format_path, quote
from sispam_sim.scenario.quantities import describe as describe_quantity

_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "string_type": "a string",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "list_type": "a list",
    "tuple_type": "a list", "finite_number": "a finite number",
}


def suggest(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean "speed_kmh"?)`` or ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def describe(value: Any) -> str:
    """What the user wrote, for a message: strings in double quotes, the rest as quantities say."""
    return quote(value, '"') if isinstance(value, str) else describe_quantity(value)


def _walk(loc: Sequence[Any], data: Any) -> tuple[list[Any], bool]:
    """The part of ``loc`` that names places in ``data`` (union tags dropped); and whether all of it did."""
    path: list[Any] = []
    node = data
    for part in loc:
        if part == "[key]":  # the problem is the mapping key itself (already the last element of path)
            return path, True
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif part is loc[-1] and isinstance(node, dict) and isinstance(part, str) and _looks_like_key(part):
            path.append(part)  # a missing key
            return path, False
        # anything else is a union member's name: not a place in the data
    return path, True


def _looks_like_key(part: str) -> bool:
    return part.isidentifier() and part.lower() == part and "[" not in part


def _model_at(path: Sequence[Any], data: Any) -> type[BaseModel] | None:
    """The schema model that describes the mapping at ``path`` (for listing allowed keys)."""
    from sispam_sim.scenario.schema import Scenario

    annotation: Any = Scenario
    node = data
    for part in path:
        model = _resolve(annotation, node)
        if model is not None and isinstance(part, str):
            field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
            if field is None:
                return None
            annotation = field.annotation
        else:
            annotation = _item_type(annotation, part)
            if annotation is None:
                return None
        node = node[part] if isinstance(node, (dict, list)) else None
    return _resolve(annotation, node)


def _resolve(annotation: Any, node: Any) -> type[BaseModel] | None:
    """Unwrap Optional/Annotated/Union (by the data's own ``kind`` or ``dist``) down to a model."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _resolve(typing.get_args(annotation)[0], node)
    if origin is typing.Union or str(origin) == "types.UnionType":
        models = [m for m in (_resolve(a, node) for a in typing.get_args(annotation)) if m is not None]
        if isinstance(node, dict):
            for key in ("kind", "dist"):
                for model in models:
                    field = model.model_fields.get(key)
                    if field is not None and typing.get_args(field.annotation) == (node.get(key),):
                        return model
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _item_type(annotation: Any, part: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated or origin is typing.Union or str(origin) == "types.UnionType":
        for arg in typing.get_args(annotation):
            found = _item_type(arg, part)
            if found is not None:
                return found
        return None
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    if origin is dict and isinstance(part, str):
        return typing.get_args(annotation)[1]
    return None


def _message(error: dict, data: Any, path: list[Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "extra_forbidden":
        model = _model_at(path[:-1], data)
        allowed = [f.alias or name for name, f in model.model_fields.items()] if model else []
        hint = suggest(path[-1], allowed)
        if not hint and allowed:
            hint = f"; expected one of: {', '.join(allowed)}"
        return f"unknown key {describe(path[-1])}{hint}"
    if kind == "missing":
        return f'missing required key "{path[-1]}"'
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        if path and path[-1] == "version":
            from sispam_sim.scenario.versions import VERSIONS

            known = " or ".join(str(v) for v in VERSIONS)
            return f"version must be {known} (the scenario formats this sispam-sim reads), found {describe(value)}"
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        return f"expected {expected}, found {describe(value)}{suggest(value, choices) if isinstance(value, str) else ''}"
    if kind == "union_tag_invalid":
        tags = [t.strip().strip("'") for t in ctx.get("expected_tags", "").split(",")]
        what = "kind" if "kind" in ctx.get("discriminator", "") else "distribution"
        if what == "distribution":
            tags = [t for t in tags if t != "constant"]
        return f'unknown {what} "{ctx.get("tag")}"{suggest(ctx.get("tag", ""), tags)}; expected one of: {", ".join(tags)}'
    if kind == "union_tag_not_found":
        key = ctx.get("discriminator", "").strip("'")
        if key == "kind":
            from sispam_sim.scenario.kinds import names
            return f'missing required key "kind" (one of: {", ".join(names())})'
        from sispam_sim.scenario.distributions import DISTRIBUTIONS

        names = ", ".join(name for name in DISTRIBUTIONS if name != "constant")
        return f'missing required key "{key}" (one of: {names})'
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()))
        bound = str(bound) if isinstance(bound, int) else f"{bound:g}" if isinstance(bound, float) else bound
        return f"must be {sign} {bound}, found {describe(value)}"
    if kind == "too_short":  # every list and mapping with a minimum asks for at least one item
        return "must not be empty (at least 1 item)"
    if kind == "string_pattern_mismatch":
        return (f"{describe(value)} is not a valid id: use letters, digits, _, . and - "
                "(no spaces), starting with a letter, digit or _")
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"too long (at most {ctx.get('max_length')} characters)"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {describe(value)}"
    return error["msg"]


def _refused_by_other_members(key: tuple, errors: list, grouped: dict) -> bool:
    """A union member's type mismatch, when another member got further and found the real problem deeper."""
    if not all(e["type"] in _EXPECTED or e["type"] == "literal_error" for e, _, _ in errors):
        return False
    return any(len(other) > len(key) and other[: len(key)] == key for other in grouped)


def problems_from_validation(err: ValidationError, document) -> list[Problem]:
    """Every pydantic error as a located :class:`Problem`, one per key path."""
    data = document.data
    grouped: dict[tuple, list[tuple[dict, list[Any], bool]]] = {}
    for error in err.errors(include_url=False):
        path, complete = _walk(error["loc"], data)
        grouped.setdefault(tuple(path), []).append((error, path, complete))
    problems = []
    for key, errors in grouped.items():
        if _refused_by_other_members(key, errors, grouped):
            continue
        error, path, complete = errors[0]
        if len(errors) > 1 and all(e["type"] in _EXPECTED or e["type"] == "literal_error" for e, _, _ in errors):
            # Several union members refused the value: say what any of them would take.
            options = []
            for e, _, _ in errors:
                option = (e.get("ctx") or {}).get("expected") if e["type"] == "literal_error" else _EXPECTED[e["type"]]
                if option not in options:
                    options.append(option)
            message = f"expected {' or '.join(options)}, found {describe(error.get('input'))}"
        else:
            message = _message(error, data, path)
        if error["type"] == "missing" or not complete:
            position = document.locate(path[:-1])
            path_text = format_path(path[:-1])
        elif error["type"] == "extra_forbidden" or "[key]" in error["loc"]:
            position = document.key_position(path)
            path_text = format_path(path)
        else:
            position = document.locate(path)
            path_text = format_path(path)
        problems.append(Problem(position.file, position.line, position.col, path_text, message))
    problems.sort(key=lambda p: (p.file, p.line or 0, p.col or 0))
    return problems

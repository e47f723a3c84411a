"""The versions of the scenario format, and which keys each version added.

Format 1.1 is additive: every key it adds is marked on its model field with
``json_schema_extra={SINCE: "1.1"}`` (also visible in the JSON Schema). A file that uses such a
key says ``version: 1.1``; a ``version: 1`` file that uses one is told so, at the key
(:func:`keys_newer_than`), so that a version 1 file keeps its meaning and its results.
"""

from __future__ import annotations

from typing import Any, Iterator

from pydantic import BaseModel

__all__ = ["SINCE", "VERSIONS", "LATEST", "keys_newer_than", "since"]

#: The JSON Schema keyword (and field marker) naming the format version that added a key.
SINCE = "x-since-version"
#: The versions this sispam-sim reads, oldest first.
VERSIONS = (1, 1.1)
LATEST = VERSIONS[-1]


def since(version: str) -> dict[str, str]:
    """``Field(..., json_schema_extra=since("1.1"))``: the key was added by that version."""
    return {SINCE: version}


def _rank(version: Any) -> float:
    return float(version)


def keys_newer_than(value: Any, version: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """``(key path, version that added it)`` of every key written in ``value`` (a parsed model)
    that is newer than ``version``; defaults not written do not count."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        for name in sorted(value.model_fields_set, key=list(fields).index):
            info = fields[name]
            key = info.alias or name
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            added = extra.get(SINCE)
            if added is not None and _rank(added) > _rank(version):
                yield path + (key,), added
            yield from keys_newer_than(getattr(value, name), version, path + (key,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from keys_newer_than(item, version, path + (i,))
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from keys_newer_than(item, version, path + (k,))

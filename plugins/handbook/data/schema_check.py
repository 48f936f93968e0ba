"""The shipped JSON Schemas and how their complaints are worded for people editing YAML.

Schema errors become located problems in plain words (`expected text, got 2.3 read as float;
quote it`), with a did-you-mean for misspelt keys and values.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import ProblemLog
from .yaml_source import YamlDocument

# The shared data files and the schema each is checked against; customers/<id>.yml use `customer`.
DATA_FILES = {
    "handbook.yml": "handbook",
    "roles.yml": "roles",
    "phases.yml": "phases",
    "training.yml": "training",
    "faq.yml": "faq",
    "sla.yml": "sla",
}
OPTIONAL_DATA_FILES = {"glossary.yml": "glossary"}


@cache
def schema(kind: str) -> dict:
    """The JSON Schema shipped in the package for a data file kind (`customer`, `phases`, ...)."""
    text = resources.files("handbook.data").joinpath("schemas", f"{kind}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def schema_keys(kind: str) -> frozenset[str]:
    """Every property name the schema of `kind` (and the schemas it refers to) knows."""
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema(kind))
    if kind == "customer":
        walk(schema("faq"))
    return frozenset(keys)


if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


@cache
def validator(kind: str) -> Draft202012Validator:
    """The validator of a data file kind, resolving references between the shipped schemas."""
    # Imported here: jsonschema only words the errors of a file the compiled check doubts, and a
    # load whose files all come from the cache should not pay for importing it.
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        (schema(k)["$id"], Resource.from_contents(schema(k)))
        for k in [*DATA_FILES.values(), *OPTIONAL_DATA_FILES.values(), "customer"]
    )
    return Draft202012Validator(schema(kind), registry=registry)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or a list of the known values."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f" (known: {shown})"


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "boolean": "true or false", "object": "a mapping",
               "array": "a list", "number": "a number"}


def report_schema_error(doc: YamlDocument, error, problems: ProblemLog) -> None:
    """Record one jsonschema error as a located problem worded for a person."""
    path = tuple(error.absolute_path)
    value = error.instance
    where = doc.at(path)
    keyword = error.validator
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for key in sorted(set(value) - set(known)):
            problems.add(doc.at(path + (key,), key=True), f"unknown key '{key}'{did_you_mean(key, known)}")
        return
    if keyword == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        problems.add(where, f"missing required field '{missing[0] if missing else error.message}'")
        return
    if keyword == "type":
        wanted = error.validator_value
        wanted_text = _TYPE_WORDS.get(wanted, wanted)
        written = doc.source_text(path)
        if wanted == "string" and written is not None:
            message = f"expected text, got {written!r} read as {type(value).__name__}; quote it: \"{written}\""
        elif written is not None:
            message = f"expected {wanted_text}, got {written!r}"
        else:
            message = f"expected {wanted_text}, got {_type_name(value)}"
        problems.add(where, message)
        return
    if keyword == "enum":
        allowed = [str(v) for v in error.validator_value]
        problems.add(where, f"'{value}' is not allowed here{did_you_mean(str(value), allowed)}")
        return
    if keyword == "pattern":
        hint = error.schema.get("description") or f"must match {error.validator_value}"
        problems.add(where, f"'{value}' is not valid: {hint}")
        return
    if keyword == "uniqueItems":
        problems.add(where, "the list contains the same entry twice")
        return
    if keyword == "maxLength":
        problems.add(where, f"text is {len(value)} characters long; the limit is {error.validator_value}")
        return
    if keyword == "minLength":
        problems.add(where, "text must not be empty")
        return
    problems.add(where, error.message)


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing (null)"}.get(type(value), repr(value))

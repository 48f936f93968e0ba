"""A fast yes/no check of a data file against its JSON Schema, for the common case of no error.

jsonschema walks a 20 KB customer file in about 10 ms, several times what parsing it costs.
This module compiles the handful of keywords the shipped schemas use into plain Python closures
that only answer "certainly valid" or "maybe not". Only when the answer is "maybe not" does the
loader ask jsonschema, which then words every error exactly as before. A schema using any other
keyword is not compiled, and jsonschema checks every file of that kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import urldefrag, urljoin

Check = Callable[[object], bool]
_SCALARS = frozenset({str, int, float, bool, type(None)})
_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment", "examples", "default"}


def _all_of(checks: list[Check], only: type | tuple | None = None) -> Check:
    """One check passing when every one of `checks` passes (applied only to values of type `only`)."""
    checks = tuple(checks)
    kinds = only if isinstance(only, tuple) else (only,)

    def check(v: object) -> bool:
        if only is not None and type(v) not in kinds:
            return True
        for c in checks:
            if not c(v):
                return False
        return True

    return check


class Unsupported(Exception):
    """The schema uses a keyword this module does not compile."""


def compile_schema(schema: dict, schemas_by_id: dict[str, dict]) -> Check:
    """A predicate that is True only for instances jsonschema finds no error in."""
    return _Compiler(schemas_by_id).compile(schema, schema.get("$id", ""))


class _Compiler:
    def __init__(self, schemas_by_id: dict[str, dict]):
        self.schemas = schemas_by_id
        self.refs: dict[str, Check] = {}

    def resolve(self, ref: str, base: str) -> Check:
        url, fragment = urldefrag(urljoin(base, ref))
        key = f"{url}#{fragment}"
        if key not in self.refs:
            self.refs[key] = lambda v: False  # a cycle: answered "maybe not", jsonschema decides
            target = self.schemas[url]
            for part in [p for p in fragment.split("/") if p]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            self.refs[key] = self.compile(target, url)
        return self.refs[key]

    def compile(self, schema: dict | bool, base: str) -> Check:  # noqa: C901 - one branch per keyword
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        checks: list[Check] = []
        unknown = set(schema) - _ANNOTATIONS - {
            "type", "pattern", "maxLength", "minLength", "additionalProperties", "properties", "required", "items",
            "minItems", "maxItems", "enum", "uniqueItems", "minimum", "maximum", "$ref"}
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if "$ref" in schema:
            ref, target = schema["$ref"], []

            def via_ref(v: object) -> bool:
                if not target:  # resolved on first use: the target may still be compiling (a cycle)
                    target.append(self.resolve(ref, base))
                return target[0](v)

            checks.append(via_ref)
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            wanted = tuple({"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict,
                            "array": list, "null": type(None)}[n] for n in names)
            flat = frozenset(t for w in wanted for t in (w if isinstance(w, tuple) else (w,)))
            checks.append(lambda v: type(v) in flat)  # exact types: True is no integer, as in jsonschema
        if "enum" in schema:
            allowed = frozenset((type(x), x) for x in schema["enum"] if isinstance(x, (str, int, float, bool, type(None))))
            if len(allowed) != len(schema["enum"]):
                raise Unsupported("enum of lists or mappings")
            # The type is part of the key: 1 is no `true`, as in jsonschema.
            checks.append(lambda v: type(v) in _SCALARS and (type(v), v) in allowed)
        string_checks = []
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            string_checks.append(lambda v: search(v) is not None)
        if "maxLength" in schema:
            most = schema["maxLength"]
            string_checks.append(lambda v: len(v) <= most)
        if "minLength" in schema:
            least = schema["minLength"]
            string_checks.append(lambda v: len(v) >= least)
        if string_checks:
            checks.append(_all_of(string_checks, only=str))
        number_checks = []
        if "minimum" in schema:
            low = schema["minimum"]
            number_checks.append(lambda v: v >= low)
        if "maximum" in schema:
            high = schema["maximum"]
            number_checks.append(lambda v: v <= high)
        if number_checks:
            checks.append(_all_of(number_checks, only=(int, float)))
        if any(k in schema for k in ("properties", "required", "additionalProperties")):
            checks.append(self._object(schema, base))
        if any(k in schema for k in ("items", "minItems", "maxItems", "uniqueItems")):
            checks.append(self._array(schema, base))
        if len(checks) == 1:
            return checks[0]
        return _all_of(checks)

    def _object(self, schema: dict, base: str) -> Check:
        props = {k: self.compile(s, base) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        if extra is not False and extra is not True:
            raise Unsupported("additionalProperties with a schema")
        closed = extra is False

        def check(v: object) -> bool:
            if type(v) is not dict:
                return True
            for key in required:
                if key not in v:
                    return False
            for key, item in v.items():
                sub = props.get(key)
                if sub is None:
                    if closed:
                        return False
                elif not sub(item):
                    return False
            return True

        return check

    def _array(self, schema: dict, base: str) -> Check:
        items = self.compile(schema["items"], base) if "items" in schema else None
        least, most = schema.get("minItems", 0), schema.get("maxItems")
        unique = schema.get("uniqueItems", False)

        def check(v: object) -> bool:
            if type(v) is not list:
                return True
            if len(v) < least or (most is not None and len(v) > most):
                return False
            if unique and not (all(type(x) is str for x in v) and len(set(v)) == len(v)):
                return False  # only lists of text are judged here; anything else goes to jsonschema
            if items is not None:
                for x in v:
                    if not items(x):
                        return False
            return True

        return check


@cache
def _compiled(kind: str) -> Check | None:
    from .schema_check import DATA_FILES, schema

    try:
        return compile_schema(schema(kind), {schema(k)["$id"]: schema(k) for k in [*DATA_FILES.values(), "customer"]})
    except Unsupported:
        return None


def certainly_valid(kind: str, data: object) -> bool:
    """True only when jsonschema would find no error in `data` against the schema of `kind`."""
    check = _compiled(kind)
    return check is not None and check(data)

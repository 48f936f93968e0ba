"""Which site a build makes, passed to the plugin through the environment.

Like mike, which tells its plugin what it builds through environment variables, a customer bundle
is requested with `HANDBOOK_CUSTOMER` (the customer whose bundle this is) and `HANDBOOK_OFFLINE`
(made to be opened from disk); `handbook build` asks for the internal site offline too, and
`handbook publish` sets `HANDBOOK_VERSIONED` (Material's version selector, for mike's versions.json). The plugin reads them in `on_config`; nothing reaches into its
configuration from outside, and a plain `HANDBOOK_CUSTOMER=acme mkdocs build` works the same way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

CUSTOMER = "HANDBOOK_CUSTOMER"
OFFLINE = "HANDBOOK_OFFLINE"
VERSIONED = "HANDBOOK_VERSIONED"


@dataclass(frozen=True)
class BuildVariant:
    """The internal site (no customer; served, opened from disk, or published with mike) or a
    customer's offline bundle."""

    customer: str | None = None
    offline: bool = False
    versioned: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> BuildVariant:
        """The variant the environment asks for (the internal site when nothing is set)."""
        def flag(name: str) -> bool:
            return environ.get(name, "") not in ("", "0", "false")

        return cls(environ.get(CUSTOMER) or None, flag(OFFLINE), flag(VERSIONED))

    @classmethod
    def bundle(cls, customer_id: str) -> BuildVariant:
        """A customer's offline bundle."""
        return cls(customer_id, True)

    @classmethod
    def internal_offline(cls) -> BuildVariant:
        """The internal site, made to work opened from disk (what `handbook build` writes)."""
        return cls(None, True)

    @classmethod
    def published(cls) -> BuildVariant:
        """The internal site as mike publishes it: directory URLs and the version selector."""
        return cls(None, False, True)

    def env(self) -> dict[str, str]:
        """The environment variables that request this variant."""
        return {CUSTOMER: self.customer or "", OFFLINE: "1" if self.offline else "", VERSIONED: "1" if self.versioned else ""}


@contextlib.contextmanager
def requested(variant: BuildVariant) -> Iterator[None]:
    """Set the variant's variables for the duration of an in-process build, then restore them."""
    saved = {key: os.environ.get(key) for key in (CUSTOMER, OFFLINE, VERSIONED)}
    os.environ.update(variant.env())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

"""The immutable, typed model of a handbook: what every page generator reads.

Frozen dataclasses rather than pydantic: validation happens earlier, against the shipped JSON
Schemas, on values whose YAML positions are known, so every error can name its file, line and
column; pydantic would re-validate without positions and coerce values (`"1" -> 1`) silently.
Derived figures (progress, gate verdicts, UAT counts) are properties here, so they are computed
once, tested here, and only rendered by templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from .acceptance_record import *  # noqa: F403 - the model is one namespace for its readers (`m.X`)
from .methodology import *  # noqa: F403
from .methodology import (FaqCategory, FaqEntry, GlossaryTerm, Handbook, Phase, Priority, Role, SlaTier,
                          SupportContact, TrainingModule)
from .operations import ChecklistItem, Operations  # noqa: F401
from .progress import *  # noqa: F403
from .progress import Customer


@dataclass(frozen=True, slots=True)
class Model:
    """Everything the generators need; built once per build by the loader."""

    handbook: Handbook
    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    modules: tuple[TrainingModule, ...]
    faq_categories: tuple[FaqCategory, ...]
    faq: tuple[FaqEntry, ...]
    priorities: tuple[Priority, ...]
    sla_tiers: tuple[SlaTier, ...]
    customers: tuple[Customer, ...]
    health_checklist: tuple[ChecklistItem, ...] = ()
    support_contact: SupportContact | None = None
    business_hours: str = ""
    glossary: tuple[GlossaryTerm, ...] = ()
    audience: str = "internal"  # "internal" or "customer:<id>"
    as_of: dt.date = field(default_factory=dt.date.today)  # the day the figures are computed for
    # What changed since the previous published version (a `data.revisions.ChangeLog`), attached by
    # the caller before pages are generated; it feeds the 变更记录 page, which exists only with it.
    change_log: object | None = field(default=None, compare=False, repr=False)
    # The deliverable templates as Word/Excel files (`documents.deliverables.DeliverableFile`),
    # attached like the change log: made from the templates with the site's Markdown settings.
    documents: tuple = field(default=(), compare=False, repr=False)

    def role(self, role_id: str) -> Role:
        """The role with `role_id`."""
        return next(r for r in self.roles if r.id == role_id)

    def module(self, module_id: str) -> TrainingModule:
        """The training module with `module_id`."""
        return next(m for m in self.modules if m.id == module_id)

    def sla_tier(self, tier_id: str) -> SlaTier:
        """The SLA tier with `tier_id`."""
        return next(t for t in self.sla_tiers if t.id == tier_id)

    @property
    def sla_clocks(self) -> frozenset[str]:
        """The clocks the SLA targets run on, so pages explain only those in use."""
        return frozenset(t.clock for tier in self.sla_tiers for t in tier.targets)

    @property
    def abbreviations(self) -> tuple[tuple[str, str], ...]:
        """(abbreviation, tooltip) of every glossary abbreviation and SLA priority (P0-P3)."""
        terms = [(t.term, t.tooltip) for t in self.glossary if t.is_abbreviation]
        terms += [(p.id, f"{p.name}：{p.description}") for p in self.priorities]
        return tuple(terms)

    def modules_for(self, role_id: str) -> tuple[TrainingModule, ...]:
        """The modules of one role's manual, in the manual's order."""
        return tuple(m for m in self.modules if m.role == role_id)

    @property
    def role_pages(self) -> tuple[Role, ...]:
        """Roles that get a page: every role internally, a customer's copy leaves out internal ones
        (their names remain, for the task lists that mention them)."""
        return tuple(r for r in self.roles if self.is_internal or r.audience != "internal")

    def has_role_page(self, role_id: str) -> bool:
        """Whether `role_id` has a page to link to in this model."""
        return any(r.id == role_id for r in self.role_pages)

    def document(self, deliverable_id: str):
        """The downloadable file of a deliverable's template, if one was attached."""
        return next((d for d in self.documents if d.deliverable == deliverable_id), None)

    def faq_for_phase(self, phase_id: str) -> tuple[FaqEntry, ...]:
        """Global FAQ entries tagged with the phase."""
        return tuple(e for e in self.faq if phase_id in e.phases)

    def faq_for_role(self, role_id: str) -> tuple[FaqEntry, ...]:
        """Global FAQ entries tagged with the role."""
        return tuple(e for e in self.faq if role_id in e.roles)

    @property
    def is_internal(self) -> bool:
        return self.audience == "internal"

    def for_customer(self, customer_id: str) -> Model:
        """The model a customer's bundle is built from: the common handbook and that customer only."""
        chosen = tuple(c for c in self.customers if c.id == customer_id)
        if not chosen:
            raise KeyError(customer_id)
        # A log computed on every customer must not reach a bundle: the caller computes the
        # customer's own on filtered models (`data.revisions.change_log`).
        # Vendor-internal material is removed from the data, not hidden by the pages: an internal
        # role keeps its name (tasks mention it) but loses its responsibilities; internal training
        # modules are gone, so their manual is never generated.
        roles = tuple(replace(r, responsibilities=()) if r.audience == "internal" else r for r in self.roles)
        modules = tuple(mod for mod in self.modules if mod.audience != "internal")
        # Internal FAQ entries go too, the global ones and the customer's own: no FAQ page, tag,
        # search entry or related-question link can then show them.
        faq = tuple(e for e in self.faq if not e.is_internal)
        chosen = tuple(replace(c, faq=tuple(e for e in c.faq if not e.is_internal)) for c in chosen)
        return replace(self, customers=chosen, roles=roles, modules=modules, faq=faq,
                       audience=f"customer:{customer_id}", change_log=None)

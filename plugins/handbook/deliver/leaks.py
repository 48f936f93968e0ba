"""The leak scan: does a customer's bundle hold text that only another customer's data holds?

Built once per run from the already-loaded model (`LeakIndex.build`), never by re-reading YAML:
each customer's data is cut into distinctive tokens (whole short values, sentences of long ones,
long numbers), and every token that also occurs in what is really shared is dropped. What is
really shared is the text every bundle may carry whoever it is for: the common pages rendered
from the shared data (methodology, manuals, FAQ, SLA; a manual's title included), the shared
data itself, the words of the page templates and of the theme. Hand-written pages are not part
of it: a case study in `content/` naming a customer is exactly what must be caught.

The remaining tokens go into one Aho-Corasick automaton, so a bundle's files are each read in
one pass whatever the number of customers. Text on both sides is normalised the same way (NFKC,
zero-width characters removed), so a phone number with a U+200B in the data is still found.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import ahocorasick

from ..data import model as m

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SENTENCE = re.compile(r"[\n。！？；!?;]+")
# Records of the shared data a customer record points at: their text is the handbook's, not the customer's.
_SHARED_TYPES = (m.Handbook, m.Role, m.Step, m.Task, m.Deliverable, m.GateCriterion, m.Phase, m.Exercise,
                 m.TrainingModule, m.FaqCategory, m.Priority, m.SlaTarget, m.SlaTier)
_SKIPPED_FIELDS = {"canonical", "where", "as_of", "source", "prose_location", "body_location"}


def normalize(text: str) -> str:
    """The form both sides are compared in: NFKC (full-width letters and digits folded), no zero-width characters."""
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def strings_of(value: object, skip_shared: bool = True) -> Iterator[str]:
    """Every text value held by a model record, recursively (dates, numbers and flags are nobody's)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from strings_of(item, skip_shared)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item, skip_shared)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if skip_shared and isinstance(value, _SHARED_TYPES):
            return
        for f in dataclasses.fields(value):
            if f.name not in _SKIPPED_FIELDS:
                yield from strings_of(getattr(value, f.name), skip_shared)
    elif isinstance(value, (dt.date, int, float, bool)) or value is None:
        return


def identity_of(customer: m.Customer) -> Iterator[str]:
    """The values that say who a customer is: never shared, wherever else they appear."""
    yield from (customer.id, customer.name, customer.project)
    for contact in customer.contacts:
        yield from (contact.name, contact.email, contact.phone)
    for person in (customer.acceptance.vendor_signoff, customer.acceptance.customer_signoff):
        if person is not None:
            yield person.name


def tokens(texts: Iterable[str]) -> set[str]:
    """Distinctive pieces of text, normalised: whole short values, and the sentences of long ones.

    Numbers count only when long enough to be someone's (phone numbers, contract numbers).
    """
    found = set()
    for text in texts:
        text = normalize(text)
        pieces = [text] if len(text) <= 60 and "\n" not in text else _SENTENCE.split(text)
        for piece in pieces:
            piece = piece.strip(" \t-*#>|")
            if re.fullmatch(r"[\d\W_]+", piece):
                # Dates are nobody's; the build date in every footer would otherwise collide.
                if len(re.sub(r"\D", "", piece)) >= 7 and not _DATE.fullmatch(piece):
                    found.add(piece)
            elif len(piece) >= 2:
                found.add(piece)
    return found


def _automaton(words: Iterable[str]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def occurring(automaton: ahocorasick.Automaton | None, text: str) -> set[str]:
    """The words of `automaton` that occur in `text`, in one pass.

    A word that begins or ends with a Latin letter or digit counts only as a whole word there:
    a customer ID `c0188` inside a SHA-256 digest, or `beta` inside `alphabet`, is no mention.
    """
    if automaton is None or not text:
        return set()
    found = set()
    last = len(text) - 1
    for end, word in automaton.iter(text):
        if word in found:
            continue
        start = end - len(word) + 1
        if (_ASCII_WORD(word[0]) and start > 0 and _ASCII_WORD(text[start - 1])) or \
                (_ASCII_WORD(word[-1]) and end < last and _ASCII_WORD(text[end + 1])):
            continue
        found.add(word)
    return found


def _ASCII_WORD(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class LeakIndex:
    """Every customer's distinctive tokens that the shared text does not hold, in one automaton."""

    owners: dict[str, frozenset[str]]  # token -> customers whose data holds it
    own_text: dict[str, str]  # customer -> its data, normalised, for "is this also mine?"
    automaton: ahocorasick.Automaton | None

    @classmethod
    def build(cls, model: m.Model, shared_texts: Iterable[str], page_texts: Iterable[str] = ()) -> LeakIndex:
        """Index the customers of `model` against `shared_texts` (see `shared_reference`).

        `page_texts` are the hand-written pages every bundle carries: text a customer's data
        copied from them (a rollback plan written from the template) is shared, except what
        identifies the customer (its name, project, ID, contacts, signatories), which no shared
        page may hold.
        """
        per_customer = {c.id: tokens([*strings_of(c), c.id]) | {c.id} for c in model.customers}
        everything = set().union(*per_customer.values()) if per_customer else set()
        shared = _automaton(everything)
        common = set()
        for text in shared_texts:
            common |= occurring(shared, normalize(text))
        in_pages = set()
        for text in page_texts:
            in_pages |= occurring(shared, normalize(text))
        owners: dict[str, set[str]] = {}
        for c in model.customers:
            identifying = tokens(identity_of(c)) | {c.id}
            for token in per_customer[c.id] - common - (in_pages - identifying):
                owners.setdefault(token, set()).add(c.id)
        own_text = {c.id: "\n".join(normalize(s) for s in strings_of(c)) + "\n" + c.id for c in model.customers}
        return cls({t: frozenset(o) for t, o in owners.items()}, own_text, _automaton(owners))

    def foreign_in(self, customer_id: str, text: str) -> list[tuple[str, str]]:
        """(token, owner) pairs of other customers found in `text`, which must be normalised already."""
        found = []
        mine = self.own_text.get(customer_id, "")
        for token in sorted(occurring(self.automaton, text)):
            others = self.owners[token] - {customer_id}
            if others and token not in mine:
                found.append((token, min(others)))
        return found

    def foreign_tokens(self, customer_id: str) -> dict[str, str]:
        """Every token that must not appear in `customer_id`'s bundle, with (one of) its owners."""
        mine = self.own_text.get(customer_id, "")
        return {t: min(o - {customer_id}) for t, o in self.owners.items() if o - {customer_id} and t not in mine}


def shared_reference(model: m.Model, templates_dir: Path, theme_dirs: Iterable[Path]) -> Iterator[str]:
    """The text any bundle may hold: common pages rendered from the shared data, the shared data,
    the words of the page templates and of the theme (labels, translations)."""
    from ..data.schema_check import schema
    from ..pages.registry import generate

    common = replace(model, customers=())
    yield from strings_of(common, skip_shared=False)
    # Enumerated values (`recorded`, `passed`, ...) are vocabulary of the schema, not anyone's data.
    yield from _enum_values(schema("customer"))
    for page in generate(common, templates_dir):
        yield page.title
        yield page.markdown
        yield re.sub(r"\\(.)", r"\1", page.markdown)  # as shown: Markdown punctuation escapes undone
    for base in (templates_dir, *theme_dirs):
        # The theme holds some 14,000 icon files: filter by name before touching the disk.
        for folder, _dirs, names in os.walk(base):
            for name in names:
                if name.endswith((".j2", ".html", ".css", ".js")):
                    yield Path(folder, name).read_text(encoding="utf-8", errors="replace")


def _enum_values(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                yield from (str(v) for v in value)
            else:
                yield from _enum_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _enum_values(item)


def shared_pages(content_dir: Path, root: Path) -> Iterator[str]:
    """The text of the hand-written pages meant for every bundle (audience `all`)."""
    from ..data.audience import read_audience

    for path in sorted(content_dir.rglob("*.md")) if content_dir.is_dir() else []:
        if path.is_file() and not path.is_symlink() and read_audience(path, "").audience == "all" \
                and read_audience(path, "").customer is None:
            yield path.read_text(encoding="utf-8", errors="replace")

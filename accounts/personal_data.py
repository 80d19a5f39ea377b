"""Personal data: what each app holds about a person, how it is exported and how it is forgotten.

The accounts app stands low in the layers and knows no design, order or message, so each app says for itself what
it holds, in its own ``privacy.py`` module (found by ``AccountsConfig.ready`` through Django's module discovery, the
way the admin finds ``admin.py``):

- ``@exporter("designs")`` names a key of the export's ``data.json`` and a function ``(user) -> Export``: JSON-able
  data and the stored files that go into the zip under ``files/``;
- ``@eraser("designs")`` a function ``(erasure) -> None`` that forgets, inside the one transaction of the erasure,
  what the app holds about ``erasure.user``. Erasers run in the order of ``ERASURE_ORDER`` (the highest layer first:
  what refers to a row is settled before the row itself), each app's in the order it registered them;
- ``@erasure_blocker`` a function ``(user) -> list[str]`` naming what is under way that an erasure would break
  (an order being made, a maker's jobs in hand); any reason refuses the erasure with a 409.

An app that holds personal data and is missing from ``ERASURE_ORDER`` cannot register an eraser: adding an app
means deciding where it stands.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# Apps whose erasers run, first to last. Higher layers first: co-design's messages and proposals refer to versions
# and jobs, orders to design versions and makers, billing knows orders by id; designs go after slicing (slices hang
# on versions); the account itself (the user row, its addresses and tokens, and core's notifications, which the
# foundation below accounts cannot register) is anonymised last.
ERASURE_ORDER = ("codesign", "orders", "billing", "makers", "slicing", "designs", "accounts")

# Copies of a person's words in others' rows are looked for only from this length on: a short answer ("Yes, thanks")
# says nothing of who wrote it, and replacing it everywhere would damage other people's text.
MIN_COPIED_TEXT_LENGTH = 12

# What an erased text is replaced with (kept in the row so the thread or timeline still reads in order).
ERASED_TEXT = "(deleted: the author's account was erased)"


@dataclass(frozen=True)
class ExportFile:
    """A file of the export: ``path`` inside the zip (below ``files/``), from storage or made on the fly."""

    path: str
    storage_name: str = ""
    content: bytes | None = None


@dataclass
class Export:
    data: object
    files: list[ExportFile] = field(default_factory=list)


@dataclass
class Erasure:
    """One erasure under way: the person (their name and e-mail as they were when it began, for erasers that look
    for them in text), the stored files to delete once the transaction commits, and what each eraser did."""

    user: object
    username: str
    email: str
    files_to_delete: set[str] = field(default_factory=set)
    summary: dict[str, int] = field(default_factory=dict)

    def forget_file(self, field_file) -> None:
        """Delete ``field_file``'s stored file after commit (the caller blanks or deletes the row)."""
        if field_file and field_file.name:
            self.files_to_delete.add(field_file.name)

    def count(self, what: str, number: int) -> None:
        if number:
            self.summary[what] = self.summary.get(what, 0) + number


_exporters: dict[str, Callable] = {}
_erasers: dict[str, list[Callable]] = {}
_blockers: list[Callable] = []


def exporter(key: str):
    """Register the function that exports ``key`` of ``data.json`` (one app per key)."""

    def register(function):
        if _exporters.get(key, function) is not function:
            raise ValueError(f"Two exporters for {key!r}.")
        _exporters[key] = function
        return function

    return register


def eraser(app_label: str):
    """Register an eraser of ``app_label`` (which must stand in ``ERASURE_ORDER``)."""
    if app_label not in ERASURE_ORDER:
        raise ValueError(f"{app_label!r} is not in ERASURE_ORDER: say where its eraser runs.")

    def register(function):
        functions = _erasers.setdefault(app_label, [])
        if function not in functions:
            functions.append(function)
        return function

    return register


def erasure_blocker(function):
    """Register a check ``(user) -> list[str]``: reasons the account cannot be erased now."""
    if function not in _blockers:
        _blockers.append(function)
    return function


def exporters() -> dict[str, Callable]:
    return dict(_exporters)


def erasers() -> list[Callable]:
    return [function for label in ERASURE_ORDER for function in _erasers.get(label, [])]


def blockers() -> list[Callable]:
    return list(_blockers)


def replace_texts(queryset, fields: tuple[str, ...], texts, replacement: str = ERASED_TEXT) -> int:
    """Replace each of ``texts`` (a person's own words, copied into others' rows: a notification quoting a message)
    inside ``fields`` of the rows of ``queryset``; returns how many rows changed."""
    texts = sorted(
        {text for text in texts if text and len(text.strip()) >= MIN_COPIED_TEXT_LENGTH}, key=len, reverse=True
    )
    changed = 0
    for row in queryset.iterator():
        updates = {}
        for name in fields:
            value = getattr(row, name)
            new = value
            for text in texts:
                new = new.replace(text, replacement)
            if new != value:
                updates[name] = new
        if updates:
            type(row).objects.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed

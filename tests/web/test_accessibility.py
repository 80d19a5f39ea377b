"""Every page that any persona can open: each visible form field has a label a screen reader announces, the
keyboard order is the document order, and nothing clickable is a bare element the keyboard cannot reach."""

from html.parser import HTMLParser

import pytest

from tests.web.conftest import client_as
from tests.web.test_page_access import PAGES, PERSONAS, persona_user

pytestmark = pytest.mark.django_db

FIELDS = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class FormAudit(HTMLParser):
    """Collects the form fields, the labels and what they point at, and positive tabindex values."""

    def __init__(self):
        super().__init__()
        self.fields: list[dict] = []
        self.label_targets: set[str] = set()
        self.open_labels = 0
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        if tag in FIELDS and attributes.get("type", "text") not in UNLABELLED_TYPES:
            self.fields.append({**attributes, "_tag": tag, "_wrapped": self.open_labels > 0})
        tabindex = attributes.get("tabindex")
        if tabindex and tabindex.lstrip("-").isdigit() and int(tabindex) > 0:
            self.problems.append(f"<{tag}> has tabindex={tabindex}, which breaks the keyboard order")
        if tag in {"div", "span", "li", "td"} and "onclick" in attributes:
            self.problems.append(f"<{tag}> with onclick is not reachable by keyboard")

    def handle_endtag(self, tag):
        if tag == "label" and self.open_labels:
            self.open_labels -= 1

    def unlabelled(self) -> list[str]:
        missing = []
        for field in self.fields:
            labelled = (
                field["_wrapped"]
                or field.get("id") in self.label_targets
                or field.get("aria-label")
                or field.get("aria-labelledby")
            )
            if not labelled:
                missing.append(f"<{field['_tag']} name={field.get('name')!r} id={field.get('id')!r}>")
        return missing


def pages_with_a_reader():
    """(path, persona) for every page and the first persona that may open it, plus the public forms."""
    yield "/login/", "anonymous"
    yield "/signup/", "anonymous"
    for path, answers in PAGES.items():
        for persona, status in zip(PERSONAS, answers, strict=True):
            if status == 200:
                yield path, persona
                break


@pytest.fixture(autouse=True)
def _no_worker_ping(monkeypatch):
    monkeypatch.setattr("web.queues.check_worker", lambda timeout: "down: no worker answered")


@pytest.mark.parametrize(("path", "persona"), list(pages_with_a_reader()))
def test_every_field_has_a_label_and_the_keyboard_order_is_the_page_order(world, path, persona):
    url = path.format(design=world.design.pk, quote=world.quote.pk, order=world.order.pk, job=world.job.pk)
    response = client_as(persona_user(world, persona)).get(url)
    assert response.status_code == 200
    audit = FormAudit()
    audit.feed(response.content.decode())
    assert audit.unlabelled() == [], f"{url} as {persona}: fields without a label"
    assert audit.problems == [], url


def test_the_audit_catches_an_unlabelled_field_and_a_positive_tabindex():
    audit = FormAudit()
    audit.feed(
        '<label for="a">A</label><input id="a" name="a">'
        '<label>B <input name="b"></label>'
        '<input name="c" aria-label="C"><input type="hidden" name="csrf">'
        '<input name="d" id="d"><button tabindex="3">go</button>'
    )
    assert audit.unlabelled() == ["<input name='d' id='d'>"]
    assert audit.problems == ["<button> has tabindex=3, which breaks the keyboard order"]


def test_the_pages_with_forms_are_really_read(world):
    """Guards the audit against reading nothing: the forms of the design, job and quote pages are found."""
    counts = {}
    for url, user in (
        (f"/designs/{world.design.pk}/", world.customer),
        (f"/maker/jobs/{world.job.pk}/", world.maker),
        ("/designs/upload/", world.customer),
    ):
        audit = FormAudit()
        audit.feed(client_as(user).get(url).content.decode())
        counts[url] = len(audit.fields)
    assert all(count >= 2 for count in counts.values()), counts

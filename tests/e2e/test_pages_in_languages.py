"""The pages of joining and making, read in German and French: each is in the reader's language (the html element
says so and the English sentences are gone) and none scrolls sideways on a phone, where German words are longest.

The English render of the same page is the reference: a page counts as translated when at most a fifth of its
English lines (words, not numbers or names) still appear in the German or French render."""

import re

import pytest
from django.test import Client

from accounts.models import Role
from makers.services import maker_application_submit
from tests.factories import MakerFactory, MaterialFactory, PrinterFactory, UserFactory
from tests.makers.test_applications import application_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
# Lines that are the same in every language: the brand, units, language names in the switch, people's names.
SAME_EVERYWHERE = re.compile(r"^(Makernet|API|English|Deutsch|Français|Nederlands|PLA|PETG|IBAN|BIC|[\d\W]+)$")


def signed_in(context, base: str, user) -> None:
    """Put a session of ``user`` into the browser context (the log-in itself is another test's subject)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


# Long option lists are catalogues of names (the printer models PrusaSlicer knows), not sentences: left out.
MAIN_TEXT_WITHOUT_CATALOGUES = """() => {
    const main = document.querySelector('main').cloneNode(true);
    main.querySelectorAll('select').forEach((select) => { if (select.options.length > 20) select.remove(); });
    document.body.appendChild(main);
    const text = main.innerText;
    main.remove();
    return text;
}"""


def lines(page) -> set[str]:
    text = page.evaluate(MAIN_TEXT_WITHOUT_CATALOGUES)
    return {line.strip() for line in text.splitlines() if line.strip() and not SAME_EVERYWHERE.match(line.strip())}


def read(chromium, base: str, path: str, language: str, user=None, width: int = 1280):
    context = chromium.new_context(viewport={"width": width, "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    if user is not None:
        signed_in(context, base, user)
    page = context.new_page()
    page.goto(base + path)
    return context, page


@pytest.fixture
def people(db):
    MaterialFactory()
    applicant = UserFactory(username="dana", role=Role.CUSTOMER)
    maker_application_submit(applicant=applicant, **application_data())
    staff = UserFactory(username="sam", role=Role.STAFF, is_staff=True)
    maker_user = UserFactory(username="mia", role=Role.MAKER)
    maker = MakerFactory(name="Mia's Prints", slug="mias-prints")
    maker.members.add(maker_user)
    PrinterFactory(maker=maker)
    return {"applicant": applicant, "staff": staff, "maker": maker_user}


PAGES = [
    ("signup", "/signup/", None),
    ("login", "/login/", None),
    ("password-reset", "/accounts/password/reset/", None),
    ("maker-apply", "/makers/apply/", "applicant"),
    ("account-email", "/accounts/email/", "applicant"),
    ("security", "/accounts/2fa/", "applicant"),
    ("maker-profile", "/maker/profile/", "maker"),
    ("maker-printers", "/maker/printers/", "maker"),
    ("maker-numbers", "/maker/numbers/", "maker"),
    ("staff-makers", "/dashboard/makers/", "staff"),
]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_joining_and_making_pages_are_in_the_readers_language(live_server, chromium, screens, people, language):
    base = live_server.url
    for name, path, who in PAGES:
        user = people[who] if who else None
        english_context, english = read(chromium, base, path, "en", user)
        reference = lines(english)
        english_context.close()
        context, page = read(chromium, base, path, language, user)
        assert page.evaluate("document.documentElement.lang") == language, name
        left = lines(page) & reference
        assert len(left) <= max(1, len(reference) // 5), f"{name} in {language} still reads in English: {sorted(left)}"
        screens.shoot(page, f"languages-{name}-{language}-1280")
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        screens.shoot(page, f"languages-{name}-{language}-390")
        context.close()
        assert width <= PHONE_WIDTH, f"{name} in {language} scrolls sideways on a phone ({width} px)"

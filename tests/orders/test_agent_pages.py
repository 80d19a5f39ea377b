"""Pages of the print agent (issue 18): the start button and live progress on the maker's job page, the maker's
printers with their correction, and the staff's network view."""

from datetime import timedelta

import pytest
from django.utils import timezone

from makers.models import Printer
from orders.models import Job
from tests.orders.test_agent_api import accepted, agent, report, start  # noqa: F401 - shared fixtures
from tests.orders.test_dispatch import member
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db

BUTTON = "Start the print: the bed is clear"


def test_the_start_button_shows_once_the_agent_uploaded_and_confirms_the_start(agent, accepted):  # noqa: F811
    maker = client_as(member(accepted.maker))
    page = f"/maker/jobs/{accepted.pk}/"
    assert BUTTON not in maker.get(page).content.decode()  # no agent yet

    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    waiting = maker.get(page).content.decode()
    assert "The agent is putting the print file on the printer." in waiting and BUTTON not in waiting

    report(agent, accepted, "uploaded")
    html = maker.get(page).content.decode()
    assert BUTTON in html
    assert f'action="/maker/jobs/{accepted.pk}/confirm-start/"' in html and "csrfmiddlewaretoken" in html

    response = maker.post(f"/maker/jobs/{accepted.pk}/confirm-start/")
    assert response.status_code == 302 and response["Location"] == page
    assert Job.objects.get(pk=accepted.pk).start_confirmed_at is not None
    after = maker.get(page).content.decode()
    assert BUTTON not in after
    assert "Start confirmed: the agent starts the print when the printer is ready." in after


def test_the_job_page_shows_live_progress(agent, accepted):  # noqa: F811
    start(agent, accepted)
    report(agent, accepted, "progress", percent=42.5, layer=17, seconds_left=3900)
    html = client_as(member(accepted.maker)).get(f"/maker/jobs/{accepted.pk}/").content.decode()
    assert "42.5 % · layer 17 · 1 h 05 min left" in html


def test_a_failed_print_offers_a_retry(agent, accepted):  # noqa: F811
    start(agent, accepted)
    report(agent, accepted, "failed", reason="bed adhesion lost")
    html = client_as(member(accepted.maker)).get(f"/maker/jobs/{accepted.pk}/").content.decode()
    assert "Retry the print: the bed is clear" in html and "bed adhesion lost" in html


def test_another_maker_cannot_confirm_the_start(agent, accepted, makers):  # noqa: F811
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    report(agent, accepted, "uploaded")
    other = client_as(member(makers["munich"]))
    assert other.post(f"/maker/jobs/{accepted.pk}/confirm-start/").status_code == 404
    assert other.get(f"/maker/jobs/{accepted.pk}/").status_code == 404
    assert Job.objects.get(pk=accepted.pk).start_confirmed_at is None


def test_the_makers_printers_page_shows_state_material_and_the_correction(agent, accepted, materials, makers):  # noqa: F811
    Printer.objects.filter(pk=accepted.printer_id).update(
        agent_state="idle", agent_seen_at=timezone.now(), loaded_material=materials["petg"]
    )
    start(agent, accepted)
    report(agent, accepted, "finished", elapsed_seconds=5400)
    html = client_as(member(accepted.maker)).get("/maker/printers/").content.decode()
    row = html[html.index(f'data-printer-live="{accepted.printer.name}"') :]
    row = row[: row.index("</tr>")]
    assert "Idle" in row and "PETG" in row
    assert '<td class="num" data-correction>× 1.50</td>' in row
    assert '<td class="num" data-error-raw>33 %</td>' in row
    assert '<td class="num" data-error-corrected>33 %</td>' in row  # one print: its quote knew no correction yet
    # Another maker sees its own printers only
    other = client_as(member(makers["munich"])).get("/maker/printers/").content.decode()
    assert f'data-printer-live="{accepted.printer.name}"' not in other


def test_staff_see_the_network_of_printers(agent, accepted, staff, customer, settings):  # noqa: F811
    Printer.objects.filter(pk=accepted.printer_id).update(
        agent_state="printing", agent_percent=40, agent_seen_at=timezone.now()
    )
    html = client_as(staff).get("/dashboard/printers/").content.decode()
    assert f'data-printer="{accepted.printer_id}"' in html
    assert '<dd data-state="printing">1</dd>' in html
    assert '<dd data-state="none">5</dd>' in html  # the world's other printers run no agent
    Printer.objects.filter(pk=accepted.printer_id).update(
        agent_seen_at=timezone.now() - timedelta(seconds=settings.AGENT_OFFLINE_AFTER_SECONDS + 1)
    )
    html = client_as(staff).get("/dashboard/printers/").content.decode()
    assert '<dd data-state="offline">1</dd>' in html and '<dd data-state="printing">0</dd>' in html
    assert client_as(customer).get("/dashboard/printers/").status_code == 404
    assert client_as(member(accepted.maker)).get("/dashboard/printers/").status_code == 404


@pytest.mark.parametrize(
    ("language", "button"),
    [
        ("de", "Druck starten: Das Druckbett ist frei"),
        ("fr", "Lancer l'impression : le plateau est libre"),
        ("nl", "Print starten: het printbed is leeg"),
    ],
)
def test_the_start_button_speaks_the_makers_language(agent, accepted, language, button):  # noqa: F811
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    report(agent, accepted, "uploaded")
    user = member(accepted.maker)
    user.language = language
    user.save(update_fields=["language"])
    html = client_as(user).get(f"/maker/jobs/{accepted.pk}/").content.decode()
    assert button in html


def test_the_timeline_says_the_agents_reasons_in_the_makers_language(agent, accepted):  # noqa: F811
    start(agent, accepted)
    report(agent, accepted, "failed", reason="thermal runaway")
    user = member(accepted.maker)
    user.language = "de"
    user.save(update_fields=["language"])
    html = client_as(user).get(f"/maker/jobs/{accepted.pk}/").content.decode()
    assert f"vom Agenten auf {accepted.printer.name} gestartet" in html
    assert f"Druck auf {accepted.printer.name} fehlgeschlagen: thermal runaway" in html

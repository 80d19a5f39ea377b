"""A template design crosses the broker like an upload: generated and analysed by a real worker process."""

import pytest

from designs.models import DesignVersion
from tests.conftest import client_for
from tests.factories import MaterialFactory
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_ring_from_the_template_is_generated_and_analysed_by_the_worker(celery_worker, customer):
    MaterialFactory()
    response = client_for(customer).post(
        "/api/templates/ring/designs/", {"parameters": {"size": 54}, "material": "pla"}, format="json"
    )
    assert response.status_code == 201, response.json()
    version_id = response.json()["latest_version"]["id"]
    version = wait_until(
        lambda: DesignVersion.objects.filter(pk=version_id, status__in=["ready", "failed"]).first(),
        timeout=120,
        message="the template design to be generated and analysed",
    )
    assert version.status == "ready", version.error
    assert version.parameters["size"] == 54 and version.analysis["watertight"] is True
    assert version.file and version.preview and version.thumbnail

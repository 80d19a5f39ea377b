"""The designs list and detail build their bodies from plain rows (designs.selectors.design_bodies), not through
DesignSerializer: the JSON must still say exactly what the serializer says, for every shape of design and every
caller, in a fixed number of queries.

The reference is the old path itself: the same views with DRF's own list and retrieve (the serializer over model
instances), called with the same request."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import mixins
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api import RawJSONRenderer
from designs.api import DesignDetailView, DesignListCreateView, DesignSerializer
from designs.models import Design, Source, VersionStatus
from designs.selectors import design_bodies, design_rows, designs_visible_to
from orders.models import Job
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_place
from tests.conftest import client_for
from tests.factories import DesignFactory, ReadyVersionFactory, UserFactory, api_key_for
from tests.money import delivery, pay

pytestmark = pytest.mark.django_db


class SerializedList(DesignListCreateView):
    """The list as it was rendered before: DesignSerializer over the page's Design instances."""

    list = mixins.ListModelMixin.list


class SerializedDetail(DesignDetailView):
    """The detail as it was rendered before: DesignSerializer over the Design instance."""

    retrieve = mixins.RetrieveModelMixin.retrieve


@pytest.fixture(autouse=True)
def _fresh_renders(settings):
    # Every answer rendered afresh: a kept body would compare the cache, not the render.
    settings.READ_CACHE_SECONDS = 0


@pytest.fixture
def shelf(customer, other_customer, version):
    """The customer's designs in every shape the body has, one of another customer's, and the ready cube
    (``version``) a maker gets a job for."""
    full = ReadyVersionFactory(
        design__owner=customer,
        design__name="Zahnrad — größer ✓",
        file="designs/1/original.stl",
        preview="designs/1/derived/preview.glb",
        thumbnail="designs/1/derived/thumbnail.png",
        repaired_file="designs/1/derived/repaired.stl",
        original_filename="zahnrad größer.stl",
        file_size=123_456_789_012,
        sha256="ab" * 32,
        units="cm",
        message="thicker teeth",
        created_by=customer,
        analysed_at=datetime(2025, 3, 4, 5, 6, 7, 891_011, tzinfo=UTC),
    )
    queued = ReadyVersionFactory(
        design__owner=customer, status=VersionStatus.QUEUED, analysis=None, file="designs/2/a.obj", file_format="obj"
    )
    failed = ReadyVersionFactory(
        design__owner=customer,
        status=VersionStatus.FAILED,
        analysis=None,
        error="The file is not a mesh: no faces.",
        error_code="no_faces",
        created_by=customer,
    )
    template_design = DesignFactory(owner=customer, source=Source.TEMPLATE, template_slug="box")
    ReadyVersionFactory(
        design=template_design,
        template_slug="box",
        parameters={"width_mm": 40, "lid": True, "label": "Schrauben ⌀3", "holes": [1.5, 2.5], "note": None},
        file="designs/t/box.stl",
        preview="designs/t/derived/preview.glb",
    )
    revised = ReadyVersionFactory(design__owner=customer, number=1, message="first")
    ReadyVersionFactory(design=revised.design, number=2, message="second", reused_from=full, created_by=None)
    DesignFactory(owner=customer, name="Nothing uploaded yet")
    on_the_second = ReadyVersionFactory(design__owner=customer, analysis={"faces": 0, "issues": [], "odd": "\u2028"})
    # A time on the whole second: ISO 8601 then has no fraction, in both paths.
    Design.objects.filter(pk=on_the_second.design_id).update(created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    ReadyVersionFactory(design__owner=other_customer, design__name="Oscar's", preview="designs/o/derived/p.glb")
    return {"full": full, "queued": queued, "failed": failed, "template": template_design}


@pytest.fixture
def maker_with_a_job(customer, version, makers, shelf):
    """A maker offered the job for the customer's cube (the maker rule the orders app registers)."""
    order = order_place(
        customer=customer,
        delivery=delivery(),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=1)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    return Job.objects.get(order=order).maker.members.get()


def old_and_new(view, path, user, **kwargs):
    """(status, parsed JSON) of the old serializer view and of the client's answer for the same request."""
    headers = {"HTTP_AUTHORIZATION": f"Token {api_key_for(user)}"} if user is not None else {}
    old = view.as_view()(APIRequestFactory().get(path, **headers), **kwargs)
    old.render()
    new = client_for(user).get(path)
    return (old.status_code, json.loads(old.content)), (new.status_code, new.json())


def callers(customer, other_customer, staff, maker_with_a_job):
    """Each caller, and the answers its detail reads may get (the others' designs are 404, never 403)."""
    return {
        "owner": (customer, {200, 404}),
        "other customer": (other_customer, {200, 404}),
        "staff": (staff, {200, 404}),
        "maker": (maker_with_a_job, {200, 404}),
        "a maker without jobs": (UserFactory(role="maker"), {404}),
        "anonymous": (None, {401}),
    }


def test_the_detail_says_what_the_serializer_says_for_every_design_and_caller(
    customer, other_customer, staff, maker_with_a_job
):
    design_ids = [*Design.objects.values_list("pk", flat=True), 999_999]
    for who, (user, statuses) in callers(customer, other_customer, staff, maker_with_a_job).items():
        answers = set()
        for design_id in design_ids:
            old, new = old_and_new(SerializedDetail, f"/api/designs/{design_id}/", user, pk=design_id)
            assert new == old, (who, design_id)
            answers.add(new[0])
        assert answers == statuses, who


def test_the_list_says_what_the_serializer_says_on_every_page_for_every_caller(
    customer, other_customer, staff, maker_with_a_job
):
    for who, (user, _statuses) in callers(customer, other_customer, staff, maker_with_a_job).items():
        for query in ("", "?page_size=3", "?page_size=3&page=2", "?page_size=3&page=3", "?page=9", "?page_size=500"):
            old, new = old_and_new(SerializedList, f"/api/designs/{query}", user)
            assert new == old, (who, query)
    # the pages were not all empty: the owner sees their eight designs, staff every one
    assert client_for(customer).get("/api/designs/").json()["count"] == 8
    assert client_for(staff).get("/api/designs/").json()["count"] == Design.objects.count() == 9


def test_the_bodies_are_the_serializers_for_every_design_in_any_time_zone(shelf, rf):
    # given every design as staff sees them, and the request the serializer builds its URLs from
    request = Request(rf.get("/api/designs/", HTTP_HOST="localhost:8443", secure=True))
    designs = designs_visible_to(UserFactory(is_staff=True, role="staff"))
    for zone in ("UTC", "Europe/Berlin", "America/St_Johns"):
        with timezone.override(zone):
            # when both paths write them
            bodies = json.loads(RawJSONRenderer().render(design_bodies(design_rows(designs), request=request)))
            serialized = DesignSerializer(designs, many=True, context={"request": request}).data
            # then the JSON is the same
            assert bodies == json.loads(JSONRenderer().render(serialized)), zone
    # and it had all the shapes in it
    by_id = {body["id"]: body for body in bodies}
    full = by_id[shelf["full"].design_id]["latest_version"]
    assert full["preview_url"] == (
        f"https://localhost:8443/api/designs/{shelf['full'].design_id}/versions/{shelf['full'].number}/preview/"
    )
    assert full["analysed_at"] == "2025-03-04T01:36:07.891011-03:30"
    assert by_id[shelf["queued"].design_id]["latest_version"]["thumbnail_url"] is None
    assert by_id[shelf["failed"].design_id]["latest_version"]["error_code"] == "no_faces"
    assert by_id[shelf["template"].pk]["latest_version"]["parameters"]["label"] == "Schrauben ⌀3"
    assert [body["status"] for body in bodies if body["latest_version"] is None] == [None]


def test_utc_times_end_in_z_with_their_microseconds(customer, shelf):
    body = client_for(customer).get(f"/api/designs/{shelf['full'].design_id}/").json()
    assert body["latest_version"]["analysed_at"] == "2025-03-04T05:06:07.891011Z"


def read_queries(client, path) -> list[str]:
    client.get(path)  # the token's last use is written once a minute: not part of a read
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_detail_reads_in_one_query_after_the_callers_checks(customer, staff, maker_with_a_job, shelf):
    # the token check, for staff whether they have two-factor authentication, then the design
    for user, queries in ((customer, 2), (staff, 3), (maker_with_a_job, 2)):
        design_id = designs_visible_to(user).values_list("pk", flat=True).first()
        assert len(read_queries(client_for(user), f"/api/designs/{design_id}/")) == queries, user


def test_the_list_reads_in_two_queries_after_the_callers_checks_whatever_the_page_size(customer, staff):
    # given many designs
    for _ in range(12):
        ReadyVersionFactory(design__owner=customer, preview="designs/x/derived/p.glb", created_by=customer)
    for user, checks in ((customer, 1), (staff, 2)):
        client = client_for(user)
        # then the caller's checks, the count and the page: for two rows as for all of them
        assert len(read_queries(client, "/api/designs/?page_size=2")) == checks + 2
        queries = read_queries(client, "/api/designs/?page_size=100")
        assert len(queries) == checks + 2
        # and the count joins nothing, as when it counted models
        count = queries[checks]
        assert count.startswith("SELECT COUNT(*)") and "JOIN" not in count, count

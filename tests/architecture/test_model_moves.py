"""Moving models between apps keeps every row: the database as it was before the move, with data in it, is
migrated forward and read through the models' new homes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# The schema as it was before the layers: everything of the marketplace in the orders app.
BEFORE_THE_MOVE = [
    ("orders", "0001_initial"),
    ("catalogue", None),
    ("makers", None),
    ("codesign", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_the_move_of_materials_makers_and_codesign_keeps_rows_links_and_permissions():
    # Given the database before the move, with a material, a maker with a member and a printer, an order whose
    # job went to that maker, a message and a decided proposal, and the content types of the old homes.
    old = migrate(BEFORE_THE_MOVE)
    now = timezone.now()
    User = old.get_model("accounts", "User")
    customer = User.objects.create(username="carla", role="customer")
    maker_user = User.objects.create(username="mika", role="maker")
    material = old.get_model("orders", "Material").objects.create(
        code="pla",
        name="PLA",
        process="fdm",
        density_g_cm3=Decimal("1.24"),
        price_per_cm3=Decimal("0.1"),
        machine_rate_per_hour=Decimal("3"),
        setup_fee=Decimal("2"),
        min_wall_mm=Decimal("0.8"),
        min_detail_mm=Decimal("0.4"),
        max_x_mm=250,
        max_y_mm=210,
        max_z_mm=210,
    )
    maker = old.get_model("orders", "Maker").objects.create(
        name="Kreuzberg Print Lab", slug="kpl", city="Berlin", country="DE", latitude=52.5, longitude=13.4
    )
    maker.members.add(maker_user)
    printer = old.get_model("orders", "Printer").objects.create(
        maker=maker, name="MK3S", process="fdm", build_x_mm=250, build_y_mm=210, build_z_mm=210
    )
    printer.materials.add(material)
    design = old.get_model("designs", "Design").objects.create(owner=customer, name="bracket")
    version = old.get_model("designs", "DesignVersion").objects.create(design=design, number=1, status="ready")
    version_two = old.get_model("designs", "DesignVersion").objects.create(design=design, number=2, status="ready")
    order = old.get_model("orders", "Order").objects.create(
        customer=customer, status="in_production", ship_to_latitude=52.5, ship_to_longitude=13.4, total=Decimal("9")
    )
    item = old.get_model("orders", "OrderItem").objects.create(
        order=order,
        design_version=version,
        material=material,
        quantity=1,
        unit_price=Decimal("9"),
        total_price=Decimal("9"),
    )
    batch = old.get_model("orders", "Batch").objects.create(
        maker=maker, material=material, status="in_production", joinable_until=now + timedelta(hours=1)
    )
    job = old.get_model("orders", "Job").objects.create(
        order=order, batch=batch, maker=maker, material=material, status="accepted", offer_expires_at=now
    )
    old.get_model("orders", "Message").objects.create(author=customer, body="Can you print it in red?", job=job)
    old.get_model("orders", "RevisionProposal").objects.create(
        job=job,
        order_item=item,
        proposed_by=maker_user,
        version=version_two,
        previous_version=version,
        message="thicker clip",
        status="rejected",
        decided_at=now + timedelta(minutes=5),
        decided_by=customer,
        decision_note="keep mine",
    )
    old_types = {
        model: ContentType.objects.get_or_create(app_label="orders", model=model)[0].pk
        for model in ("material", "maker", "printer", "message", "revisionproposal")
    }

    # When the project migrates forward.
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # Then every row is read through the new homes, with its links.
    from catalogue.models import Material
    from codesign.models import Message, ProposalEvent, RevisionProposal
    from makers.models import Maker, Printer
    from orders.models import Job, OrderItem

    assert list(Material.objects.values_list("code", flat=True)) == ["pla"]
    moved_maker = Maker.objects.get()
    assert (moved_maker.slug, list(moved_maker.members.values_list("username", flat=True))) == ("kpl", ["mika"])
    moved_printer = Printer.objects.get()
    assert (moved_printer.maker_id, list(moved_printer.materials.values_list("code", flat=True))) == (
        moved_maker.pk,
        ["pla"],
    )
    moved_job = Job.objects.select_related("maker", "material").get()
    assert (moved_job.maker.slug, moved_job.material.code) == ("kpl", "pla")
    assert OrderItem.objects.get().material.code == "pla"
    assert Message.objects.get().body == "Can you print it in red?"
    proposal = RevisionProposal.objects.get()
    assert (proposal.status, proposal.decision_note, proposal.job_id) == ("rejected", "keep mine", moved_job.pk)
    # ... the proposal got the events its state machine would have written ...
    assert list(ProposalEvent.objects.filter(proposal=proposal).values_list("from_status", "to_status")) == [
        ("", "pending"),
        ("pending", "rejected"),
    ]
    # ... and the content types moved with their models (same ids, so permissions and admin history follow).
    for model, app_label in {
        "material": "catalogue",
        "maker": "makers",
        "printer": "makers",
        "message": "codesign",
        "revisionproposal": "codesign",
    }.items():
        assert ContentType.objects.get(pk=old_types[model]).app_label == app_label

"""Realistic platform data at scale, written with ``bulk_create`` (seconds, not minutes).

Call ``seed_platform`` / ``seed_dispatch`` in a process where Django is set up against a throwaway database
(see ``harness.Stack.setup_django``). The shapes follow what the services write: versions carry the analysis
report of a real shared mesh (analysed once, here, by the geometry package), orders have 1-3 items and a
timeline of events, confirmed orders have jobs (with items and events) grouped into batches with a packing
layout, and makers have 1-5 printers with loaded materials around European cities. A fixed seed makes every
run build the same rows.
"""

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

SEED = 20250101
# Meshes from ../shared/meshes whose reports stand for customer parts (small and mid-size real parts).
REPORT_MESHES = (
    "numpystl__rear_case.stl",
    "trimesh__cycloidal.ply",
    "trimesh__1002_tray_bottom.STL",
    "trimesh__ADIS16480.STL",
    "trimesh__ballA.off",
    "trimesh__featuretype.STL",
    "trimesh__pins.glb",
    "trimesh__busted.STL",
)
PROCESS_MIX = (("fdm", 0.6), ("sla", 0.2), ("sls", 0.1), ("mjf", 0.05), ("metal", 0.05))
BUILD_VOLUMES = {
    "fdm": ((180, 180, 180), (250, 210, 210), (256, 256, 256), (300, 300, 400), (350, 350, 350)),
    "sla": ((145, 145, 185), (200, 125, 220), (335, 200, 300)),
    "sls": ((165, 165, 300), (340, 340, 600)),
    "mjf": ((380, 284, 380),),
    "metal": ((125, 125, 125), (250, 250, 325)),
}
# Where orders stand, as a shop with some history sees it.
ORDER_STATUS_MIX = (
    ("placed", 0.08),
    ("confirmed", 0.01),
    ("routing", 0.08),
    ("in_production", 0.22),
    ("shipped", 0.14),
    ("delivered", 0.38),
    ("on_hold", 0.03),
    ("cancelled", 0.06),
)
ORDER_PATHS = {
    "placed": ["placed"],
    "confirmed": ["placed", "confirmed"],
    "routing": ["placed", "confirmed", "routing"],
    "in_production": ["placed", "confirmed", "routing", "in_production"],
    "shipped": ["placed", "confirmed", "routing", "in_production", "shipped"],
    "delivered": ["placed", "confirmed", "routing", "in_production", "shipped", "delivered"],
    "on_hold": ["placed", "confirmed", "on_hold"],
    "cancelled": ["placed", "confirmed", "routing", "cancelled"],
}
JOB_PATHS = {
    "offered": ["offered"],
    "accepted": ["offered", "accepted"],
    "printing": ["offered", "accepted", "printing"],
    "printed": ["offered", "accepted", "printing", "printed"],
    "shipped": ["offered", "accepted", "printing", "printed", "shipped"],
    "declined": ["offered", "declined"],
    "expired": ["offered", "expired"],
    "cancelled": ["offered", "cancelled"],
}
PASSWORD = "bench-pass-123"


@dataclass
class Account:
    username: str
    token: str
    user_id: int
    design_ids: list[int] = field(default_factory=list)
    order_ids: list[int] = field(default_factory=list)
    job_ids: list[int] = field(default_factory=list)
    maker_id: int | None = None


@dataclass
class ScaleData:
    customers: list[Account]
    makers: list[Account]
    counts: dict
    placed_order_ids: list[int] = field(default_factory=list)

    def heavy_customer(self) -> Account:
        return max(self.customers, key=lambda account: (len(account.order_ids), len(account.design_ids)))

    def heavy_maker(self) -> Account:
        return max(self.makers, key=lambda account: len(account.job_ids))


# Reference data ------------------------------------------------------------------------------------------


def seed_materials() -> dict:
    """The demo catalogue (the same rows ``seed_demo`` writes)."""
    from catalogue.models import Material
    from web.management.commands.seed_demo import Command

    Command()._materials()
    return {material.code: material for material in Material.objects.all()}


def _synthetic_report(size_mm: tuple[float, float, float], codes: list[str]) -> dict:
    volume = size_mm[0] * size_mm[1] * size_mm[2] * 0.35
    return {
        "format": "stl_binary",
        "faces": 24_000,
        "vertices": 12_000,
        "shells": 1,
        "bounding_box_mm": list(size_mm),
        "oriented_extents_mm": list(size_mm),
        "volume_mm3": round(volume, 1),
        "area_mm2": round(2 * (size_mm[0] * size_mm[1] + size_mm[1] * size_mm[2] + size_mm[0] * size_mm[2]), 1),
        "watertight": True,
        "winding_consistent": True,
        "open_edges": 0,
        "non_manifold_edges": 0,
        "degenerate_faces": 0,
        "units_suspected": None,
        "issues": [],
        "repair": {"performed": False},
        "min_wall_mm": 1.6,
        "overhang_area_mm2": 120.0,
        "support_volume_mm3": 300.0,
        "materials": {code: {"printable": True, "reasons": [], "warnings": []} for code in codes},
    }


def reference_reports() -> list[dict]:
    """Analysis reports of real shared meshes against the seeded catalogue (synthetic ones without them)."""
    from designs.selectors import material_specs

    specs = material_specs()
    codes = [spec.code for spec in specs]
    folder = _shared_meshes()
    reports = []
    if folder is not None:
        from designs.geometry import LoadLimits, analyse, load_mesh

        limits = LoadLimits(
            max_bytes=100 * 1024 * 1024, max_faces=5_000_000, max_archive_total_bytes=2**30, max_archive_ratio=100
        )
        for name in REPORT_MESHES:
            path = folder / name
            if not path.is_file():
                continue
            mesh = load_mesh(path, units=None, limits=limits, file_format=path.suffix.lower().lstrip("."))
            report = dict(analyse(mesh, materials=specs).report)
            report["pipeline_ms"] = {"fetch_or_generate": 1.0, "load": 20.0, "analyse": 80.0, "render": 150.0}
            if any(verdict.get("printable") for verdict in report.get("materials", {}).values()):
                reports.append(report)
    if not reports:
        reports = [_synthetic_report(size, codes) for size in ((40, 30, 20), (80, 60, 25), (120, 40, 40))]
    return reports


def _shared_meshes() -> Path | None:
    try:
        from tests.meshes import shared_meshes_dir
    except ImportError:
        return None
    return shared_meshes_dir()


def european_cities():
    from orders.matching.cities import CITIES

    return [city for city in CITIES if -25 < city.lon < 32 and 35 < city.lat < 66]


# Accounts ------------------------------------------------------------------------------------------------


def create_accounts(*, prefix: str, count: int, role: str) -> list[Account]:
    """Users with one shared password hash (hashing 10,000 passwords would take minutes), a verified e-mail
    address (customers may order) and an API key each (kept as accounts.ApiToken digests, as the platform
    keeps them)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from accounts.models import ApiToken, User

    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{index:05d}", email=f"{prefix}{index:05d}@bench.local", role=role, password=password
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users], batch_size=2000
    )
    keys = [secrets.token_hex(20) for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=user, name="bench", prefix=key[:8], digest=ApiToken.digest_of(key))
            for user, key in zip(users, keys, strict=True)
        ],
        batch_size=2000,
    )
    return [Account(username=user.username, token=key, user_id=user.pk) for user, key in zip(users, keys, strict=True)]


# Makers --------------------------------------------------------------------------------------------------


@dataclass
class MakerIndex:
    """Makers by city and material, to give jobs to a plausible maker near the customer."""

    cities: list
    by_city_material: dict = field(default_factory=lambda: defaultdict(list))
    by_city: dict = field(default_factory=lambda: defaultdict(list))
    name_of: dict = field(default_factory=dict)
    biggest_printer: dict = field(default_factory=dict)

    def pick(self, rng: random.Random, city_index: int, material_code: str) -> int:
        candidates = (
            self.by_city_material.get((city_index, material_code)) or self.by_city.get(city_index) or list(self.name_of)
        )
        return rng.choice(candidates)


def create_makers(
    *, count: int, materials: dict, rng: random.Random, printers=(1, 5)
) -> tuple[list[Account], MakerIndex]:
    """``count`` makers (one member account each) scattered around European cities, with printers."""
    from makers.models import Maker, Printer

    cities = european_cities()
    by_process = defaultdict(list)
    for code, material in materials.items():
        by_process[material.process].append(code)
    processes = [process for process, _ in PROCESS_MIX]
    weights = [weight for _, weight in PROCESS_MIX]
    accounts = create_accounts(prefix="maker", count=count, role="maker")
    city_of = [rng.randrange(len(cities)) for _ in range(count)]
    makers = Maker.objects.bulk_create(
        [
            Maker(
                name=f"Maker {index:05d}",
                slug=f"bench-maker-{index:05d}",
                city=cities[city_of[index]].name,
                country=cities[city_of[index]].country,
                latitude=cities[city_of[index]].lat + rng.gauss(0, 0.35),
                longitude=cities[city_of[index]].lon + rng.gauss(0, 0.5),
                email=f"maker{index:05d}@bench.local",
                capacity=rng.randint(2, 8),
                hours_to_respond=rng.choice((1, 2, 4, 8, 24)),
                price_factor=Decimal(rng.choice(("0.85", "0.90", "1.00", "1.10", "1.25"))),
                reliability=round(rng.uniform(0.6, 1.0), 3),
            )
            for index in range(count)
        ],
        batch_size=2000,
    )
    Maker.members.through.objects.bulk_create(
        [
            Maker.members.through(maker_id=maker.pk, user_id=account.user_id)
            for maker, account in zip(makers, accounts, strict=True)
        ],
        batch_size=5000,
    )
    index = MakerIndex(cities=cities)
    printer_rows, loaded = [], []
    for position, maker in enumerate(makers):
        index.by_city[city_of[position]].append(maker.pk)
        index.name_of[maker.pk] = maker.name
        maker_materials = set()
        for number in range(rng.randint(*printers)):
            # The first printer is FDM for most makers: it is what most shops start with.
            process = "fdm" if number == 0 and rng.random() < 0.8 else rng.choices(processes, weights)[0]
            codes = by_process[process]
            chosen = rng.sample(codes, rng.randint(1, min(3, len(codes))))
            printer_rows.append(
                Printer(
                    maker=maker,
                    name=f"{process.upper()} printer {number + 1}",
                    process=process,
                    build_x_mm=(volume := rng.choice(BUILD_VOLUMES[process]))[0],
                    build_y_mm=volume[1],
                    build_z_mm=volume[2],
                    colours=[],
                    is_online=rng.random() < 0.92,
                )
            )
            loaded.append(chosen)
            maker_materials.update(chosen)
        for code in maker_materials:
            index.by_city_material[(city_of[position], code)].append(maker.pk)
    printer_rows = Printer.objects.bulk_create(printer_rows, batch_size=5000)
    Printer.materials.through.objects.bulk_create(
        [
            Printer.materials.through(printer_id=printer.pk, material_id=materials[code].pk)
            for printer, codes in zip(printer_rows, loaded, strict=True)
            for code in codes
        ],
        batch_size=5000,
    )
    for printer in printer_rows:
        size = printer.build_x_mm * printer.build_y_mm * printer.build_z_mm
        best = index.biggest_printer.get(printer.maker_id)
        if best is None or size > best[0]:
            index.biggest_printer[printer.maker_id] = (
                size,
                printer.name,
                [printer.build_x_mm, printer.build_y_mm, printer.build_z_mm],
            )
    for account, maker in zip(accounts, makers, strict=True):
        account.maker_id = maker.pk
    return accounts, index


# Designs -------------------------------------------------------------------------------------------------


def create_designs(*, customers: list[Account], per_customer, reports: list[dict], rng: random.Random) -> dict:
    """Ready designs with 1-2 versions each; returns {user_id: [latest version, ...]}."""
    from designs.models import Design, DesignVersion, DesignVersionEvent

    designs, owners = [], []
    for account in customers:
        for number in range(per_customer(account)):
            designs.append(Design(owner_id=account.user_id, name=f"Part {number + 1} of {account.username}"))
            owners.append(account)
    designs = Design.objects.bulk_create(designs, batch_size=5000)
    versions, version_reports = [], []
    for design in designs:
        for number in range(1, (2 if rng.random() < 0.25 else 1) + 1):
            report = rng.choice(reports)
            folder = f"designs/{design.pk}"
            versions.append(
                DesignVersion(
                    design=design,
                    number=number,
                    status="ready",
                    created_by_id=design.owner_id,
                    file=f"{folder}/{secrets.token_hex(8)}.stl",
                    original_filename=f"part-{design.pk}-v{number}.stl",
                    file_format="stl",
                    file_size=rng.randint(50_000, 5_000_000),
                    sha256=secrets.token_hex(32),
                    analysis=report,
                    preview=f"{folder}/derived/v{number}-preview.glb",
                    thumbnail=f"{folder}/derived/v{number}-thumbnail.png",
                    analysis_attempts=1,
                )
            )
            version_reports.append(report)
    versions = DesignVersion.objects.bulk_create(versions, batch_size=2000)
    latest = {}
    for version in versions:
        latest[version.design_id] = version
    Design.objects.bulk_update(
        [Design(pk=design_id, latest_version_id=version.pk) for design_id, version in latest.items()],
        ["latest_version"],
        batch_size=5000,
    )
    DesignVersionEvent.objects.bulk_create(
        [
            DesignVersionEvent(version_id=version.pk, from_status=before, to_status=after, reason=reason)
            for version in versions
            for before, after, reason in (
                ("", "queued", "uploaded"),
                ("queued", "analysing", "a mesh worker started"),
                ("analysing", "ready", "analysis finished"),
            )
        ],
        batch_size=5000,
    )
    by_owner = defaultdict(list)
    for design, account in zip(designs, owners, strict=True):
        account.design_ids.append(design.pk)
        by_owner[account.user_id].append(latest[design.pk])
    return by_owner


def printable_codes(report: dict) -> list[str]:
    return sorted(code for code, verdict in (report.get("materials") or {}).items() if verdict.get("printable"))


# Orders, jobs and batches --------------------------------------------------------------------------------


def _weighted(rng: random.Random, mix) -> str:
    return rng.choices([value for value, _ in mix], [weight for _, weight in mix])[0]


def _price(report: dict, material, quantity: int) -> tuple[Decimal, Decimal, dict]:
    volume_cm3 = float(report.get("volume_mm3") or 1000.0) / 1000.0
    unit = (Decimal(str(round(volume_cm3, 3))) * material.price_per_cm3 + material.handling_per_part).quantize(
        Decimal("0.01")
    )
    total = (unit * quantity + material.setup_fee).quantize(Decimal("0.01"))
    breakdown = {
        "material": str((unit - material.handling_per_part) * quantity),
        "setup": str(material.setup_fee),
        "handling": str(material.handling_per_part * quantity),
        "unit_price": str(unit),
        "total": str(total),
        "currency": "EUR",
        "lead_time_days": 4,
    }
    return unit, total, breakdown


def _job_status_for(order_status: str, rng: random.Random) -> str:
    if order_status == "routing":
        return "offered"
    if order_status == "in_production":
        return rng.choice(("accepted", "printing", "printed"))
    if order_status in ("shipped", "delivered"):
        return "shipped"
    return "cancelled"


def create_orders(
    *,
    customers: list[Account],
    versions_by_owner: dict,
    materials: dict,
    makers: list[Account],
    maker_index: MakerIndex,
    count: int,
    rng: random.Random,
    status_mix=ORDER_STATUS_MIX,
    heavy_orders: int = 0,
) -> dict:
    """``count`` orders with items, events, jobs (items, events), batches (events, packing). The first
    ``heavy_orders`` go to the first customer and their jobs to the first maker (a big shop and a busy
    maker, for the page-size checks)."""
    from django.utils import timezone

    from orders.models import Batch, BatchEvent, Job, JobEvent, JobItem, Order, OrderEvent, OrderItem

    now = timezone.now()
    cities = maker_index.cities
    berlin = next(index for index, city in enumerate(cities) if city.name == "Berlin")
    material_by_pk = {material.pk: material for material in materials.values()}
    order_rows, plans = [], []
    weights = [rng.lognormvariate(0, 0.75) for _ in customers]
    for number in range(count):
        heavy = number < heavy_orders
        customer = customers[0] if heavy else rng.choices(customers, weights)[0]
        status = "in_production" if heavy else _weighted(rng, status_mix)
        city_index = berlin if heavy else rng.randrange(len(cities))
        city = cities[city_index]
        versions = versions_by_owner[customer.user_id]
        items = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            version = rng.choice(versions)
            codes = printable_codes(version.analysis) or list(materials)
            code = rng.choice([c for c in codes if materials[c].process == "fdm"] or codes)
            quantity = rng.choice((1, 1, 2, 5, 10, 25))
            items.append((version, materials[code], quantity))
        order_rows.append(
            Order(
                customer_id=customer.user_id,
                status=status,
                status_changed_at=now,
                ship_to_latitude=city.lat + rng.gauss(0, 0.1),
                ship_to_longitude=city.lon + rng.gauss(0, 0.15),
                ship_to_label=f"{city.name}, {city.country}",
                total=Decimal("0"),
                confirmed_at=now if status != "placed" else None,
                delivered_at=now if status == "delivered" else None,
                hold_reason="no maker within 400 km can make item 1 (PLA)" if status == "on_hold" else "",
            )
        )
        plans.append((customer, status, city_index, items, heavy))
    orders = Order.objects.bulk_create(order_rows, batch_size=2000)
    item_rows = []
    for order, (_customer, _status, _city, items, _heavy) in zip(orders, plans, strict=True):
        for version, material, quantity in items:
            unit, total, breakdown = _price(version.analysis, material, quantity)
            item_rows.append(
                OrderItem(
                    order=order,
                    design_version=version,
                    material=material,
                    quantity=quantity,
                    unit_price=unit,
                    total_price=total,
                    price_breakdown=breakdown,
                )
            )
    item_rows = OrderItem.objects.bulk_create(item_rows, batch_size=5000)
    items_by_order = defaultdict(list)
    for item in item_rows:
        items_by_order[item.order_id].append(item)
    Order.objects.bulk_update(
        [Order(pk=order.pk, total=sum(item.total_price for item in items_by_order[order.pk])) for order in orders],
        ["total"],
        batch_size=5000,
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=order,
                from_status=path[step - 1] if step else "",
                to_status=path[step],
                actor_id=plan[0].user_id if path[step] in ("placed", "confirmed", "delivered", "cancelled") else None,
                reason=f"{path[step]} (benchmark data)",
            )
            for order, plan in zip(orders, plans, strict=True)
            for path in (ORDER_PATHS[plan[1]],)
            for step in range(len(path))
        ],
        batch_size=5000,
    )
    for order, plan in zip(orders, plans, strict=True):
        plan[0].order_ids.append(order.pk)

    # Jobs: one per (maker, material) of the order; some orders went through a declined or expired offer.
    job_rows, job_plans = [], []
    maker_by_pk = {account.maker_id: account for account in makers}
    heavy_maker = makers[0].maker_id
    for order, (_customer, status, city_index, _items, heavy) in zip(orders, plans, strict=True):
        if status in ("placed", "confirmed", "on_hold"):
            continue
        groups = defaultdict(list)
        for item in items_by_order[order.pk]:
            material = material_by_pk[item.material_id]
            maker_id = heavy_maker if heavy else maker_index.pick(rng, city_index, material.code)
            groups[(maker_id, material.pk)].append(item)
        for (maker_id, material_id), items in groups.items():
            statuses = [_job_status_for(status, rng)]
            if rng.random() < 0.12 and not heavy:
                statuses.insert(0, rng.choice(("declined", "expired")))
            for job_status in statuses:
                chosen = (
                    maker_id
                    if job_status == statuses[-1]
                    else maker_index.pick(rng, city_index, material_by_pk[material_id].code)
                )
                job_rows.append(
                    Job(
                        order=order,
                        maker_id=chosen,
                        material_id=material_id,
                        status=job_status,
                        status_changed_at=now,
                        quantity=sum(item.quantity for item in items),
                        price=sum((item.total_price for item in items), Decimal("0")),
                        offer_expires_at=now + timedelta(hours=4),
                        due_at=now + timedelta(days=rng.randint(2, 9)),
                        responded_at=None if job_status == "offered" else now,
                        shipped_at=now if job_status == "shipped" else None,
                        tracking_number=f"TRK{rng.randrange(10**9):09d}" if job_status == "shipped" else "",
                        carrier="DHL" if job_status == "shipped" else "",
                        decline_reason="no free printer this week" if job_status == "declined" else "",
                        distance_km=round(rng.uniform(2, 120), 1),
                        co2_kg=round(rng.uniform(0.05, 1.5), 3),
                        match={
                            "items": {
                                str(item.pk): {
                                    "maker": chosen,
                                    "name": maker_index.name_of[chosen],
                                    "distance_km": round(rng.uniform(2, 120), 1),
                                    "co2_kg": round(rng.uniform(0.05, 1.5), 3),
                                    "lead_time_days": rng.randint(2, 9),
                                    "price": str(item.total_price),
                                    "score": round(rng.random(), 4),
                                    "score_parts": {"distance": 0.4, "price": 0.3, "reliability": 0.2, "speed": 0.1},
                                }
                                for item in items
                            }
                        },
                    )
                )
                job_plans.append((job_status, items))
    # Batches: a maker's jobs in one material, up to four at a time (the small-batch window).
    batch_members = defaultdict(list)
    for position, job in enumerate(job_rows):
        batch_members[(job.maker_id, job.material_id)].append(position)
    batch_specs, batch_of_job = [], {}
    for (maker_id, material_id), positions in batch_members.items():
        for start in range(0, len(positions), 4):
            chunk = positions[start : start + 4]
            statuses = [job_rows[position].status for position in chunk]
            groups = [job_plans[position][1] for position in chunk]
            batch_specs.append(
                _batch_row(maker_id, material_by_pk[material_id], statuses, groups, maker_index, rng, now)
            )
            for position in chunk:
                batch_of_job[position] = len(batch_specs) - 1
    batch_rows = Batch.objects.bulk_create([row for row, _path in batch_specs], batch_size=2000)
    BatchEvent.objects.bulk_create(
        [
            BatchEvent(
                batch=batch, from_status=path[step - 1] if step else "", to_status=path[step], reason="benchmark data"
            )
            for batch, (_row, path) in zip(batch_rows, batch_specs, strict=True)
            for step in range(len(path))
        ],
        batch_size=5000,
    )
    for position, job in enumerate(job_rows):
        job.batch = batch_rows[batch_of_job[position]]
    jobs = Job.objects.bulk_create(job_rows, batch_size=2000)
    JobItem.objects.bulk_create(
        [
            JobItem(job=job, order_item=item, quantity=item.quantity)
            for job, (_s, items) in zip(jobs, job_plans, strict=True)
            for item in items
        ],
        batch_size=5000,
    )
    JobEvent.objects.bulk_create(
        [
            JobEvent(
                job=job,
                from_status=path[step - 1] if step else "",
                to_status=path[step],
                reason=f"{path[step]} (benchmark data)",
            )
            for job in jobs
            for path in (JOB_PATHS[job.status],)
            for step in range(len(path))
        ],
        batch_size=5000,
    )
    for job in jobs:
        account = maker_by_pk.get(job.maker_id)
        if account is not None:
            account.job_ids.append(job.pk)
    _spread_timestamps()
    return {
        "orders": len(orders),
        "order_items": len(item_rows),
        "jobs": len(jobs),
        "batches": len(batch_rows),
        "placed_order_ids": [order.pk for order, plan in zip(orders, plans, strict=True) if plan[1] == "placed"],
    }


def _batch_row(maker_id, material, statuses, item_groups, maker_index, rng, now):
    from orders.models import Batch

    live = [status for status in statuses if status not in ("declined", "expired", "cancelled", "failed")]
    if not live:
        path = ["open", "cancelled"]
    elif all(status == "shipped" for status in live):
        path = ["open", "in_production", "completed"]
    elif any(status in ("printing", "printed", "shipped") for status in live):
        path = ["open", "in_production"]
    else:
        path = ["open"]
    _size, printer_name, build = maker_index.biggest_printer.get(maker_id, (0, "printer", [250, 210, 210]))
    placements = []
    for items in item_groups:
        for item in items:
            extents = (item.design_version.analysis or {}).get("bounding_box_mm") or [40, 30, 20]
            for copy in range(min(item.quantity, 6)):
                placements.append(
                    {
                        "item": item.pk,
                        "copy": copy,
                        "x": round(rng.uniform(0, 150), 1),
                        "y": round(rng.uniform(0, 150), 1),
                        "z": 0.0,
                        "size_mm": [round(float(value), 1) for value in extents],
                        "rotated": rng.random() < 0.3,
                    }
                )
    packing = {
        "printer": printer_name,
        "build_volume_mm": build,
        "plates": [
            {
                "height_mm": round(rng.uniform(10, 120), 2),
                "fill_ratio": round(rng.uniform(0.1, 0.8), 4),
                "hours": round(rng.uniform(1, 20), 2),
                "placements": placements,
            }
        ],
    }
    row = Batch(
        maker_id=maker_id,
        material=material,
        status=path[-1],
        status_changed_at=now,
        plates=1,
        fill_ratio=packing["plates"][0]["fill_ratio"],
        machine_hours=packing["plates"][0]["hours"],
        packing=packing,
        joinable_until=now + timedelta(hours=2),
    )
    return row, path


def _spread_timestamps() -> None:
    """bulk_create stamps every row with the same time; spread them over about a year, older ids older."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, column in (
            ("designs_design", "created_at"),
            ("designs_designversion", "created_at"),
            ("orders_order", "created_at"),
            ("orders_job", "offered_at"),
            ("orders_batch", "created_at"),
        ):
            cursor.execute(
                f"UPDATE {table} SET {column} = now() - ((SELECT max(id) FROM {table}) - id) * interval '17 minutes'"
            )
        cursor.execute("ANALYZE")


# Whole populations ---------------------------------------------------------------------------------------


def seed_platform(*, orders: int = 10_000, makers: int = 1_000, customers: int = 500) -> ScaleData:
    """The API-under-load population: ``orders`` orders of ``customers`` customers, ``makers`` makers."""
    rng = random.Random(SEED)
    materials = seed_materials()
    reports = reference_reports()
    maker_accounts, maker_index = create_makers(count=makers, materials=materials, rng=rng)
    customer_accounts = create_accounts(prefix="customer", count=customers, role="customer")
    heavy = min(60, orders // 10)
    versions_by_owner = create_designs(
        customers=customer_accounts,
        per_customer=lambda account: 60 if account is customer_accounts[0] else rng.randint(2, 16),
        reports=reports,
        rng=rng,
    )
    counts = create_orders(
        customers=customer_accounts,
        versions_by_owner=versions_by_owner,
        materials=materials,
        makers=maker_accounts,
        maker_index=maker_index,
        count=orders,
        rng=rng,
        heavy_orders=heavy,
    )
    counts.pop("placed_order_ids")
    counts.update(makers=makers, customers=customers, designs=sum(len(a.design_ids) for a in customer_accounts))
    counts["printers"] = _count("orders_printer")
    counts["design_versions"] = _count("designs_designversion")
    counts["events"] = sum(_count(table) for table in ("orders_orderevent", "orders_jobevent", "orders_batchevent"))
    return ScaleData(customers=customer_accounts, makers=maker_accounts, counts=counts)


def seed_dispatch(*, orders: int = 1_000, makers: int = 10_000, customers: int = 200) -> ScaleData:
    """The dispatch population: ``makers`` makers (about 3 printers each) and ``orders`` placed orders."""
    rng = random.Random(SEED + 1)
    materials = seed_materials()
    reports = reference_reports()
    maker_accounts, maker_index = create_makers(count=makers, materials=materials, rng=rng)
    customer_accounts = create_accounts(prefix="customer", count=customers, role="customer")
    versions_by_owner = create_designs(
        customers=customer_accounts, per_customer=lambda account: rng.randint(2, 8), reports=reports, rng=rng
    )
    counts = create_orders(
        customers=customer_accounts,
        versions_by_owner=versions_by_owner,
        materials=materials,
        makers=maker_accounts,
        maker_index=maker_index,
        count=orders,
        rng=rng,
        status_mix=(("placed", 1.0),),
    )
    placed = counts.pop("placed_order_ids")
    counts.update(makers=makers, customers=customers, printers=_count("orders_printer"))
    return ScaleData(customers=customer_accounts, makers=maker_accounts, counts=counts, placed_order_ids=placed)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]

"""Sixty days of past trade for the demo, made by the platform's own services on a simulated clock.

Customers in five cities place an order or two a day (some taking a particular maker's offer); they pay through
the test provider (its signed webhook, the ledger, the invoice), dispatch offers the parts to makers, makers accept
(or decline, or fail a print), report printing, printed (with a photo) and shipped, customers confirm delivery,
payouts are held and released, a claim is refunded and another waits for staff, and everybody reads their
notifications every few days (the notifications page's "mark all as read" service). Every status moves through
its door and every amount through the ledger: nothing here writes a status or a balance.

It is kept small enough to seed in about ten seconds of CPU: some fifty orders (a hundred took twice as long, the
services' queries being most of it), eight template designs analysed once each, and the makers near each
customer matched once per design and material rather than once per order.

What a real run cannot do is wait sixty days. So the seed sets ``django.utils.timezone.now`` (which the services,
the doors and every ``auto_now_add`` field read) to the moment each step happens, in time order, and puts the real
clock back afterwards: the rows then carry their simulated times, and the latest steps end at the real present
(offers expiring within the hour, a job past its due date, an order paid a minute ago).

The e-mails and webhooks of the past, and the dispatches the simulation ran itself, are recorded as sent at the
time they were made (their outbox rows and notifications), so the worker does not send a month of mail when the
demo starts. The jobs of the older past were dispatched as on a server without the slicer (their offers keep the
estimates); the slices of the last week and anything else queued stay queued: the worker makes them.

Idempotent: the history is written once, in one transaction; a second run finds it and adds nothing.
"""

import heapq
import io
import itertools
import random
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import address_check
from billing import services as billing
from billing.models import Payment, PaymentStatus
from billing.providers import testing as test_provider
from catalogue.models import Material
from core.errors import DomainError
from core.models import Notification, OutboxMessage
from core.notifications import NOTIFICATION_DELIVER_TASK, notifications_mark_read
from designs.models import DesignVersion, VersionStatus
from designs.parametric import get_template, validate_parameters
from designs.services import design_create_from_template, design_upload
from designs.services.analysis import design_version_analyse
from makers.models import Maker
from orders.models import JOB_ACTIVE, Job, JobStatus, Order, OrderStatus
from orders.services import checkout, claims, dispatch, jobs, ordering, quoting

HISTORY_DAYS = 60
SEED = 7

# username, name, street, postcode, city, country, latitude, longitude, [(design name, template, parameters)]
# fmt: off
CUSTOMERS = [
    # The demo's log-ins (seed_demo makes them first, with their password) have a past too.
    ("alice", "Alice Example", "Oranienstraße 25", "10999", "Berlin", "DE", 52.5020, 13.4190,
     [("Cable clips", "cable-clip", {})]),
    ("bob", "Bob Example", "Sendlinger Straße 7", "80331", "Munich", "DE", 48.1350, 11.5690,
     [("Cable tidy box", "box-with-lid", {})]),
    ("carla", "Carla Berger", "Invalidenstraße 44", "10115", "Berlin", "DE", 52.5317, 13.3817,
     [("Cable clips", "cable-clip", {}), ("Gear 32 teeth", "spur-gear", {"teeth": 32})]),
    ("dirk", "Dirk Hansen", "Ottenser Hauptstraße 10", "22765", "Hamburg", "DE", 53.5527, 9.9296,
     [("Phone stand", "phone-stand", {})]),
    ("elif", "Elif Yilmaz", "Leopoldstraße 50", "80802", "Munich", "DE", 48.1590, 11.5850,
     [("Ring size 58", "ring", {"size": 58})]),
    ("femke", "Femke de Vries", "Prinsengracht 263", "1016 GV", "Amsterdam", "NL", 52.3752, 4.8840,
     [("Spur gear", "spur-gear", {})]),
    ("gaspard", "Gaspard Martin", "12 rue de la Roquette", "75011", "Paris", "FR", 48.8550, 2.3730,
     [("Box with lid", "box-with-lid", {})]),
]
# fmt: on
# Materials the customers like, most often first (PLA and PETG are most of any maker's work).
MATERIAL_WEIGHTS = {
    "pla": 10,
    "petg": 6,
    "r-petg": 3,
    "resin-standard": 3,
    "asa": 2,
    "tpu": 1,
    "pa12-sls": 2,
    "pa12-mjf": 2,
}  # fmt: skip
BROKEN_UPLOADS = [  # (owner, file name, bytes): customers' files the analysis cannot read
    ("dirk", "bracket-v2.stl", b"solid bracket\n  facet normal 0 0 1\n    outer loop\n      vertex 0 0\nendsolid\n"),
    ("femke", "lamp-shade.obj", b"# exported by a scanner app\nv 0 0 0\nv 1 0 0\nf 1 2 9\n"),
]

# Hours between the steps of an order's life: (low, high) of a uniform draw.
PAY_AFTER = (0.02, 0.6)
ACCEPT_AFTER = (0.2, 3.5)  # within OFFER_TTL_HOURS (4 h), or the offer would have expired
PRINT_AFTER = (0.5, 14.0)
PRINTED_AFTER = (2.0, 26.0)
SHIP_AFTER = (1.0, 12.0)
DELIVER_AFTER = (20.0, 60.0)
CARRIERS = ("DHL", "DPD", "Hermes", "PostNL", "Colissimo")
DECLINE_REASONS = ("Both printers are booked this week.", "We are out of that colour until Monday.")
FAIL_REASONS = ("The print warped off the bed twice; passing it on.", "Our printer's hotend failed.")
# Offers on makers' boards at the present, each from a customer who took that maker's offer on the quote page:
# (minutes ago, customer, maker, material). Kreuzberg Print Lab, the README's maker, has two.
PRESENT_OFFERS = [
    (20, "carla", "kreuzberg-print-lab", "pla"),
    (205, "alice", "kreuzberg-print-lab", "petg"),
    (195, "dirk", "hafen-fabrik", "pla"),
    (90, "elif", "schwabing-3d", "pla"),
    (230, "femke", "noord-makers", "petg"),
]
SETTLED = timedelta(hours=PAY_AFTER[1] + ACCEPT_AFTER[1] + 1)  # an everyday order placed this long ago is taken
READ_UNTIL_DAYS_AGO = 3  # notifications newer than this are unread
PRESENT_DAYS = 7  # the present's orders (offers out, payments pending...) were placed during the last week
LOCAL_KM = 40  # a maker "in their town", whose offer a customer may prefer to the best-ranked one
HOUR = timedelta(hours=1)
CLAIM_REASONS = (
    "Two of the clips snapped when I fitted them; the layers came apart.",
    "The lid does not close: it is about a millimetre too tight all round.",
)


class SimulatedClock:
    """``django.utils.timezone.now`` while the history is written: the moment of the step being made."""

    def __init__(self):
        self.moment = timezone.now()

    def now(self) -> datetime:
        return self.moment


@contextmanager
def simulated_clock():
    clock = SimulatedClock()
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now


@dataclass
class Life:
    """One order on its way: what happens next and when."""

    customer: User
    order_id: int
    ending: str  # how far it goes: "delivered", "shipped", "accepted", "stalled", "offered", "placed", "cancelled"...
    rng: random.Random
    job_plan: dict = field(default_factory=dict)  # job id -> "decline" | "fail" | "" (what its maker will do)
    # For the present's orders: when the customer pays (or, if they do not, confirms), some time after placing it.
    act_at: datetime | None = None
    alternatives: int = 1  # how many makers near the customer can make it (one who declines has a successor)
    holds: int = 0  # times it went on hold for want of a free maker


@dataclass(frozen=True)
class Summary:
    created: bool
    orders: int
    jobs: int


def history_exists() -> bool:
    """The history's own customers have orders (alice and bob may have ordered in the demo, not in the past)."""
    own = [row[0] for row in CUSTOMERS if row[0] not in ("alice", "bob")]
    return Order.objects.filter(customer__username__in=own).exists()


def history_seed(*, days: int = HISTORY_DAYS, seed: int = SEED, now: datetime | None = None) -> Summary:
    """Write the demo's past (once): an order or two a day for ``days`` days up to ``now``."""
    if history_exists():
        return Summary(created=False, orders=Order.objects.count(), jobs=Job.objects.count())
    now = now or timezone.now()
    rng = random.Random(seed)
    first_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic(), simulated_clock() as clock:
        clock.moment = now - timedelta(days=days + 1)
        customers, combos = _customers_and_designs(rng)
        simulation = _Simulation(clock=clock, now=now, rng=rng)
        simulation.plan(customers=customers, combos=combos, days=days)
        simulation.run()
        clock.moment = now
        checkout.payouts_release_due(now=now)
        _past_mail_sent(first_outbox=first_outbox, first_notification=first_notification, keep=simulation.undispatched)
    return Summary(created=True, orders=Order.objects.count(), jobs=Job.objects.count())


def _verified_email(user: User) -> None:
    """With allauth's accounts app (e-mail verification), the customer's address is verified: they order."""
    if not apps.is_installed("allauth.account"):
        return
    email_address = apps.get_model("account", "EmailAddress")
    email_address.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def _customers_and_designs(rng: random.Random):
    """The customers (new ones without a password: the demo's background, not log-ins) and their analysed designs,
    with every (version, material) pair that prices without warnings: what they may order."""
    customers, combos = [], {}
    materials = [m for m in Material.objects.filter(is_active=True, code__in=MATERIAL_WEIGHTS).order_by("code")]
    for username, name, street, postcode, city, country, latitude, longitude, designs in CUSTOMERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": Role.CUSTOMER, "email": f"{username}@makernet.local", "first_name": name.split()[0]},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        _verified_email(user)
        address = address_check({"name": name, "line1": street, "postcode": postcode, "city": city, "country": country})
        delivery = ordering.Delivery(address=address, ship_to=quoting.ShipTo(latitude, longitude, f"{city}, {country}"))
        customers.append((user, delivery))
        combos[user.pk] = []
        for design_name, slug, parameters in designs:
            result = design_create_from_template(
                owner=user,
                template_slug=slug,
                parameters=validate_parameters(get_template(slug), parameters),
                name=design_name,
            )
            version = result.version
            # What the mesh worker does with it, here and now (the order needs the analysis).
            design_version_analyse(version_id=version.pk)
            version.refresh_from_db()
            if version.status != VersionStatus.READY:
                continue
            for material in materials:
                try:
                    quoting.price(version=version, material=material, quantity=1)
                except DomainError:
                    continue
                if quoting.risk_warnings(version=version, material=material):
                    continue
                combos[user.pk].append((version, material))
    return customers, combos


@contextmanager
def _slicer_off():
    """Dispatch as on a server without PrusaSlicer: the offer keeps its estimate and asks for no print file.

    For the older past only: the worker would otherwise slice the print files of forty jobs made weeks ago when the
    demo starts, and the slices visitors ask for (and the present's jobs') would wait behind them."""
    with override_settings(PRUSASLICER_BIN=str(Path(settings.VAR_DIR) / "no-slicer-for-the-past")):
        yield


def _photo() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (236, 232, 224))
    drawing = ImageDraw.Draw(image)
    drawing.rounded_rectangle((90, 70, 230, 170), radius=18, fill=(70, 110, 170))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("parts.jpg", buffer.getvalue(), "image/jpeg")


class _Simulation:
    """A queue of (moment, step) over every order, run in time order on the simulated clock."""

    def __init__(self, *, clock: SimulatedClock, now: datetime, rng: random.Random):
        self.clock, self.now, self.rng = clock, now, rng
        self.queue: list = []
        self.counter = itertools.count()
        self.undispatched: set[int] = set()
        self.photo = _photo()
        self.nearby_makers: dict[tuple, list[int]] = {}
        self.claims = self.declined = self.failed = 0
        # Who answers for each maker on its job board (one query here, none per step).
        self.maker_users = {}
        for maker in Maker.objects.prefetch_related("members").order_by("pk"):
            members = sorted(maker.members.all(), key=lambda member: member.pk)
            if members:
                self.maker_users[maker.pk] = members[0]

    def makers_for(self, *, user: User, version: DesignVersion, material: Material, ship_to: quoting.ShipTo):
        """The makers near the customer who can make the part in this material, best first: the offers the quote
        page shows (matched once per pair: whether a maker's printer takes a part does not depend on how many
        copies are ordered)."""
        key = (user.pk, version.pk, material.pk)
        if key not in self.nearby_makers:
            breakdown = quoting.price(version=version, material=material, quantity=1)
            result = quoting.match(
                report=version.analysis,
                material=material,
                quantity=1,
                colour="",
                ship_to=ship_to,
                breakdown=breakdown,
                eligible_only=True,
            )
            self.nearby_makers[key] = [(ranked.maker_id, ranked.distance_km) for ranked in result.ranked]
        return self.nearby_makers[key]

    def maker_user(self, job_id: int) -> User:
        return self.maker_users[Job.objects.values_list("maker_id", flat=True).get(pk=job_id)]

    def at(self, moment: datetime, step, life: Life | None = None, **arguments) -> None:
        if moment <= self.now:
            heapq.heappush(self.queue, (moment, next(self.counter), step, life, arguments))

    def later(self, hours: tuple[float, float], step, life: Life, **arguments) -> None:
        self.at(self.clock.moment + timedelta(hours=life.rng.uniform(*hours)), step, life, **arguments)

    def plan(self, *, customers, combos, days: int) -> None:
        start = self.now - timedelta(days=days)
        for day in range(days + 1):
            midnight = (start + timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0)
            # An order or two every day of the last month (the dashboard charts 30 days), fewer in the older one
            # (which feeds the makers' statements and the 90-day sourcing figures), and in the last week, whose
            # other orders are the present's below.
            recent = day >= days - 30
            last_week = day > days - PRESENT_DAYS
            for _ in range(self.rng.choice((0, 1) if last_week else (1, 1, 1, 1, 2) if recent else (0, 0, 0, 1))):
                moment = midnight + timedelta(hours=self.rng.uniform(7, 22))
                # The everyday orders have left the makers' boards by now (paid within 0.6 h, taken within 3.5 h):
                # the offers waiting at the present are the present's below, whatever the hour the demo is seeded.
                if moment > self.now - SETTLED:
                    moment = self.now - SETTLED - timedelta(hours=self.rng.uniform(0, 8))
                self.at(moment, self.place, None, customers=customers, combos=combos)
        # The present, from orders placed during the last week: one paid a minute ago (the worker dispatches it
        # when the demo starts), one waiting for its payment, one whose card was declined, one a maker has just
        # taken, and offers on makers' boards, taken from a maker's quote: fresh ones, and ones sent 3 h 15 to
        # 3 h 50 ago that expire within the hour (OFFER_TTL_HOURS = 4).
        present = [
            (timedelta(minutes=1), "confirmed", None),
            (timedelta(minutes=25), "awaiting_payment", None),
            (timedelta(minutes=50), "declined_payment", None),
            (timedelta(hours=9), "accepted", None),
        ]
        present += [(timedelta(minutes=minutes), "offered", chosen) for minutes, *chosen in PRESENT_OFFERS]
        for before_now, ending, chosen in present:
            act_at = self.now - before_now
            placed_at = act_at - timedelta(hours=self.rng.uniform(0.5, PRESENT_DAYS * 24 - before_now / HOUR))
            self.at(placed_at, self.place, None, customers=customers, combos=combos, ending=ending,
                    chosen=tuple(chosen) if chosen else None, act_at=act_at)  # fmt: skip
        # One just placed, one nobody nearby can make, a job its maker started printing a week ago and never
        # reported again (overdue), and an order on its way to the customer.
        self.at(self.now - timedelta(minutes=8), self.place, None, customers=customers, combos=combos, ending="placed")
        self.at(self.now - timedelta(hours=30), self.place_unmakeable, None, customers=customers)
        for when, ending in ((timedelta(days=PRESENT_DAYS), "stalled"), (timedelta(days=3), "shipped")):
            self.at(self.now - when, self.place, None, customers=customers, combos=combos, ending=ending)
        # Files the analysis refuses (the dashboard's failures list).
        for index, (username, filename, content) in enumerate(BROKEN_UPLOADS):
            self.at(self.now - timedelta(days=2 + index * 9, hours=5), self.upload_broken, None, username=username,
                    filename=filename, content=content)  # fmt: skip
        # People read their notifications every few days; what came in the last three days is still unread.
        readers = list(User.objects.filter(Q(role=Role.MAKER) | Q(is_staff=True)).order_by("pk"))
        readers += [user for user, _delivery in customers]
        last_visit = self.now - timedelta(days=READ_UNTIL_DAYS_AGO)
        for user in readers:
            moment = start + timedelta(days=self.rng.uniform(0.5, 4.0))
            while moment < last_visit:
                self.at(moment, self.read_notifications, None, user=user)
                moment += timedelta(days=self.rng.uniform(2.0, 7.0))
            self.at(last_visit - timedelta(hours=self.rng.uniform(0, 20)), self.read_notifications, None, user=user)

    def run(self) -> None:
        while self.queue:
            moment, _count, step, life, arguments = heapq.heappop(self.queue)
            self.clock.moment = moment
            step(life, **arguments) if life is not None else step(**arguments)

    # An order's life, one step at a time ------------------------------------------------------------------

    def place(
        self,
        *,
        customers,
        combos,
        ending: str = "",
        chosen: tuple[str, str, str] | None = None,
        act_at: datetime | None = None,
    ) -> None:
        rng = random.Random(self.rng.random())
        offer_maker_id = None
        if chosen is not None:
            # The customer took this maker's offer on the quote page: dispatch offers the job to that maker first.
            username, maker_slug, material_code = chosen
            user, delivery = next((user, delivery) for user, delivery in customers if user.username == username)
            version, material = next(pair for pair in combos[user.pk] if pair[1].code == material_code)
            quantity = rng.choice((1, 2, 4))
            offer_maker_id = Maker.objects.values_list("pk", flat=True).get(slug=maker_slug)
        else:
            user, delivery = rng.choice(customers)
            weights = [MATERIAL_WEIGHTS[material.code] for _version, material in combos[user.pk]]
            # Customers order what the makers near them can make (the quote showed them): a few tries.
            for _attempt in range(6):
                version, material = rng.choices(combos[user.pk], weights=weights)[0]
                quantity = rng.choice((1, 1, 2, 2, 3, 4, 6, 10))
                makers = self.makers_for(user=user, version=version, material=material, ship_to=delivery.ship_to)
                if makers:
                    break
            # Some take the offer of another maker in their town they like rather than the best-ranked one.
            local = [maker_id for maker_id, distance_km in makers if distance_km <= LOCAL_KM]
            if local and rng.random() < 0.4:
                offer_maker_id = rng.choice(local)
        order = ordering.order_place(
            customer=user,
            items=[
                ordering.ItemRequest(
                    design_version_id=version.pk,
                    material_code=material.code,
                    quantity=quantity,
                )
            ],
            delivery=delivery,
            offer_maker_id=offer_maker_id,
        )
        if not ending:
            draw = rng.random()
            ending = "cancelled" if draw < 0.04 else "abandoned" if draw < 0.07 else "delivered"
        life = Life(customer=user, order_id=order.pk, ending=ending, rng=rng, act_at=act_at)
        if chosen is None:
            life.alternatives = len(makers)
        if ending == "placed":
            return
        if ending == "cancelled":
            self.later((0.1, 5.0), self.cancel, life)
            return
        if act_at is None:
            self.later((0.05, 0.3) if ending == "delivered" else (0.002, 0.004), self.confirm, life)
        elif ending in ("awaiting_payment", "declined_payment"):
            self.at(act_at, self.confirm, life)
        else:
            self.at(act_at - timedelta(minutes=rng.uniform(0.5, 3)), self.confirm, life)

    def place_unmakeable(self, *, customers) -> None:
        """Nylon (MJF) to Paris: the nearest MJF maker is too far, so the order waits on hold for staff."""
        user, delivery = next((user, delivery) for user, delivery in customers if user.username == "gaspard")
        version = DesignVersion.objects.filter(design__owner=user, status=VersionStatus.READY).order_by("pk").first()
        order = ordering.order_place(
            customer=user,
            items=[ordering.ItemRequest(design_version_id=version.pk, material_code="pa12-mjf", quantity=20)],
            delivery=delivery,
        )
        life = Life(customer=user, order_id=order.pk, ending="held", rng=random.Random(self.rng.random()))
        self.later((0.005, 0.02), self.confirm, life)

    def cancel(self, life: Life) -> None:
        ordering.order_cancel(order_id=life.order_id, actor=life.customer, reason="ordered the wrong size")

    def confirm(self, life: Life) -> None:
        ordering.order_confirm(order_id=life.order_id, actor=life.customer)
        if life.ending == "awaiting_payment":
            return
        if life.ending == "abandoned":
            # Never paid: the customer cancels the checkout a day later.
            self.later((20.0, 30.0), self.cancel, life)
            return
        if life.ending == "declined_payment":
            self._pay(life, succeed=False)
            return
        if life.act_at is not None:
            self.at(life.act_at, self.pay, life)
        else:
            self.later(PAY_AFTER if life.ending == "delivered" else (0.002, 0.004), self.pay, life)

    def _pay(self, life: Life, *, succeed: bool) -> None:
        payment = Payment.objects.filter(
            order_id=life.order_id, status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]
        ).latest("id")
        extra = {} if succeed else {"failure_message": "Your card was declined."}
        payload = test_provider.event_payload(
            event_type="payment.succeeded" if succeed else "payment.failed",
            payment_ref=payment.provider_ref,
            reference=payment.reference,
            amount=payment.amount,
            **extra,
        )
        signature = test_provider.sign(payload, settings.TEST_PAYMENT_SECRET)
        billing.webhook_receive(
            provider_name="test", payload=payload, headers={test_provider.SIGNATURE_HEADER: signature}
        )

    def pay(self, life: Life) -> None:
        self._pay(life, succeed=True)
        if life.ending == "confirmed":
            self.undispatched.add(life.order_id)
            return
        # The dispatch worker picks it up seconds later.
        self.at(self.clock.moment + timedelta(seconds=life.rng.uniform(2, 20)), self.dispatch, life)

    def dispatch(self, life: Life) -> None:
        with _slicer_off() if self.clock.moment < self.now - timedelta(days=PRESENT_DAYS + 1) else nullcontext():
            status = dispatch.order_dispatch(order_id=life.order_id)
        if status == OrderStatus.ON_HOLD:
            # Every maker near enough is busy: staff dispatch it again later (the admin's "Dispatch again").
            if life.ending == "delivered" and life.holds < 6:
                life.holds += 1
                self.later((4.0, 24.0), self.dispatch, life)
            return
        if life.ending == "offered":
            return
        for job in Job.objects.filter(order_id=life.order_id, status=JobStatus.OFFERED).order_by("pk"):
            if job.pk in life.job_plan:
                continue
            # A maker declines or fails an order's first offer only where two more nearby can take the parts over
            # (the first two such offers are: the past has both).
            plan = ""
            if life.ending == "delivered" and life.alternatives > 2 and not life.job_plan:
                draw = life.rng.random()
                plan = "decline" if draw < 0.05 else "fail" if draw < 0.08 else ""
                if not self.declined:
                    plan = "decline"
                elif not self.failed:
                    plan = "fail"
                self.declined += plan == "decline"
                self.failed += plan == "fail"
            life.job_plan[job.pk] = plan
            if life.job_plan[job.pk] == "decline":
                self.later((0.2, 2.0), self.decline, life, job_id=job.pk)
            else:
                self.later(ACCEPT_AFTER, self.accept, life, job_id=job.pk)

    def decline(self, life: Life, *, job_id: int) -> None:
        jobs.job_decline(job_id=job_id, actor=self.maker_user(job_id), reason=life.rng.choice(DECLINE_REASONS))
        self.at(self.clock.moment + timedelta(seconds=5), self.dispatch, life)

    def accept(self, life: Life, *, job_id: int) -> None:
        jobs.job_accept(job_id=job_id, actor=self.maker_user(job_id))
        if life.ending == "accepted":
            return
        self.later(PRINT_AFTER, self.progress, life, job_id=job_id, status=JobStatus.PRINTING)

    def progress(self, life: Life, *, job_id: int, status: str) -> None:
        maker_user = self.maker_user(job_id)
        if status == JobStatus.PRINTING:
            jobs.job_report_progress(job_id=job_id, actor=maker_user, status=status)
            if life.ending == "stalled":
                return  # the maker started and went quiet: past its due date, on the dashboard's overdue list
            if life.job_plan.get(job_id) == "fail":
                self.later((2.0, 8.0), self.fail, life, job_id=job_id)
            else:
                self.later(PRINTED_AFTER, self.progress, life, job_id=job_id, status=JobStatus.PRINTED)
        elif status == JobStatus.PRINTED:
            self.photo.seek(0)
            jobs.job_report_progress(job_id=job_id, actor=maker_user, status=status, photo=self.photo)
            self.later(SHIP_AFTER, self.progress, life, job_id=job_id, status=JobStatus.SHIPPED)
        else:
            jobs.job_report_progress(
                job_id=job_id,
                actor=maker_user,
                status=status,
                carrier=life.rng.choice(CARRIERS),
                tracking_number=f"{life.rng.randrange(10**11, 10**12)}",
            )
            if life.ending == "shipped":
                return  # on its way
            if Order.objects.filter(pk=life.order_id, status=OrderStatus.SHIPPED).exists():
                self.later(DELIVER_AFTER, self.deliver, life)

    def fail(self, life: Life, *, job_id: int) -> None:
        jobs.job_fail(job_id=job_id, actor=self.maker_user(job_id), reason=life.rng.choice(FAIL_REASONS))
        self.at(self.clock.moment + timedelta(seconds=5), self.dispatch, life)

    def deliver(self, life: Life) -> None:
        ordering.order_mark_delivered(order_id=life.order_id, actor=life.customer)
        # Two deliveries of the last days (while the maker's payout is still held) come with a problem.
        recent = self.now - timedelta(days=settings.PAYOUT_HOLD_DAYS - 2) <= self.clock.moment
        if recent and self.clock.moment <= self.now - timedelta(days=1) and self.claims < len(CLAIM_REASONS):
            self.later((5.0, 8.0), self.claim_open, life, index=self.claims)
            self.claims += 1

    def claim_open(self, life: Life, *, index: int) -> None:
        """One refunded by staff from the maker's held payout after the maker agreed, one waiting for them."""
        job = Job.objects.filter(order_id=life.order_id, status=JobStatus.SHIPPED).order_by("pk").first()
        self.photo.seek(0)
        claim = claims.claim_open(
            order_id=life.order_id, customer=life.customer, reason=CLAIM_REASONS[index], photos=[self.photo],
            job_id=job.pk,
        )  # fmt: skip
        if index == 0:
            self.later((2.0, 4.0), self.claim_answer, life, claim_id=claim.pk, job_id=job.pk)

    def claim_answer(self, life: Life, *, claim_id: int, job_id: int) -> None:
        answer = "Sorry about that: a cold spell in the workshop. Refund ok."
        claims.claim_answer(claim_id=claim_id, actor=self.maker_user(job_id), answer=answer)
        self.later((3.0, 6.0), self.claim_decide, life, claim_id=claim_id, job_id=job_id)

    def claim_decide(self, life: Life, *, claim_id: int, job_id: int) -> None:
        staff = User.objects.filter(is_staff=True).order_by("pk").first()
        if staff is None:
            return
        claims.claim_decide(
            claim_id=claim_id,
            actor=staff,
            decision="refund",
            amount=(Job.objects.get(pk=job_id).price / 2).quantize(Decimal("0.01")),
            note="Half the parts were unusable: half the price back.",
        )

    def upload_broken(self, *, username: str, filename: str, content: bytes) -> None:
        result = design_upload(
            owner=User.objects.get(username=username),
            uploaded_file=SimpleUploadedFile(filename, content, "application/octet-stream"),
            units="mm",
        )
        design_version_analyse(version_id=result.version.pk)

    def read_notifications(self, *, user: User) -> None:
        notifications_mark_read(user=user)


def _past_mail_sent(*, first_outbox: int, first_notification: int, keep: set[int]) -> None:
    """The history's e-mails went out when they were written, and the dispatches it ran are done: their outbox rows
    are marked sent at their own time, so the worker does not repeat the past when the demo starts. An order left
    confirmed (``keep``) keeps its dispatch message: the worker dispatches it."""
    past = OutboxMessage.objects.filter(pk__gt=first_outbox, sent_at__isnull=True)
    delivered = past.filter(task_name=NOTIFICATION_DELIVER_TASK)
    dispatched = past.filter(task_name=dispatch.ORDER_DISPATCH_TASK).exclude(kwargs__order_id__in=sorted(keep))
    for rows in (delivered, dispatched):
        rows.update(sent_at=F("created_at"), attempts=1, last_attempt_at=F("created_at"))
    Notification.objects.filter(pk__gt=first_notification, email_sent_at__isnull=True).update(
        email_sent_at=F("created_at")
    )


def history_counts() -> dict[str, int]:
    """What the history holds, for the seed's report and its tests."""
    return {
        "orders": Order.objects.count(),
        "jobs": Job.objects.count(),
        "active jobs": Job.objects.filter(status__in=JOB_ACTIVE).count(),
    }

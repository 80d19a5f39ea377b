"""Fill a demo: materials, makers in five cities with printers, staff, customers and sample designs.

Idempotent: running it again updates the same rows and adds nothing twice.
"""

import functools
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from accounts.services import address_check, address_locate, address_save, totp_enrol
from accounts.staff import sync_staff_membership
from catalogue.models import Material
from designs.models import Design
from designs.parametric import get_template, validate_parameters
from designs.services import design_create_from_template
from makers.services import maker_application_submit, maker_onboard, printer_upsert
from web.demo.history import history_seed

DEMO_PASSWORD = "demo-pass-123"
# The demo staff account's authenticator secret (staff need two-factor authentication): add it to an
# authenticator app by hand, or compute the code with `python manage.py demo_totp`. A demo secret, public.
DEMO_TOTP_SECRET = "MAKERNETDEMOSTAFFTOTP234"


@functools.cache
def demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


# code, name, process, density, price/cm3, machine rate/h, set-up, handling, min wall, min detail, build, colours,
# recycled, bio-based, description
# fmt: off
MATERIALS = [
    ("pla", "PLA", "fdm", "1.24", "0.08", "2.50", "5.00", "0.50", "0.80", "0.40", (250, 210, 210),
     ["black", "white", "grey", "red", "blue", "green"], False, True,
     "Plant-based, stiff and easy to print: enclosures, prototypes, decorative parts."),
    ("petg", "PETG", "fdm", "1.27", "0.10", "2.50", "5.00", "0.50", "0.80", "0.40", (250, 210, 210),
     ["black", "white", "clear", "orange"], False, False,
     "Tougher than PLA and heat resistant to about 70 °C: brackets, clips, outdoor parts."),
    ("r-petg", "Recycled PETG", "fdm", "1.27", "0.09", "2.50", "5.00", "0.50", "0.80", "0.40", (250, 210, 210),
     ["black", "grey"], True, False, "PETG made from recycled bottles and factory scrap, same strength."),
    ("asa", "ASA", "fdm", "1.07", "0.12", "3.00", "6.00", "0.60", "1.00", "0.50", (300, 300, 300),
     ["black", "white"], False, False, "UV-stable and weatherproof: car parts, garden fittings."),
    ("tpu", "TPU 95A", "fdm", "1.21", "0.18", "3.50", "6.00", "0.60", "1.20", "0.60", (250, 210, 210),
     ["black", "red"], False, False, "Flexible rubber-like filament: seals, bumpers, phone cases."),
    ("resin-standard", "Standard resin", "sla", "1.15", "0.30", "4.00", "8.00", "1.00", "0.60", "0.10",
     (145, 145, 185), ["grey", "white", "clear"], False, False,
     "Fine detail and smooth surfaces: miniatures, jewellery masters, dental models."),
    ("pa12-sls", "Nylon PA12 (SLS)", "sls", "1.01", "0.45", "8.00", "15.00", "1.50", "0.70", "0.30",
     (300, 300, 300), ["white", "black"], False, False,
     "Strong, slightly flexible engineering nylon with no support marks: functional parts, hinges."),
    ("pa12-mjf", "PA12 (HP MJF)", "mjf", "1.01", "0.40", "9.00", "15.00", "1.50", "0.60", "0.25",
     (380, 284, 380), ["grey", "black"], False, False,
     "Dense, isotropic nylon from multi jet fusion: end-use parts in small series."),
    ("steel-316l", "Stainless steel 316L", "metal", "7.90", "2.50", "25.00", "40.00", "3.00", "1.00", "0.50",
     (250, 250, 280), ["steel"], False, False, "Corrosion-resistant metal parts by laser powder bed fusion."),
]

# slug, name, city, country, lat, lon, capacity, hours to respond, price factor,
# printers: (name, printer model (PrusaSlicer profile, empty for powder/metal), process, build volume, materials,
# colours). The build volumes are the models' own, written out so the demo also seeds where PrusaSlicer is missing.
MK3S, SL1S = "PrusaResearch/MK3S/0.4", "PrusaResearch/SL1S/default"
MAKERS = [
    ("kreuzberg-print-lab", "Kreuzberg Print Lab", "Berlin", "DE", 52.4990, 13.4030, 4, 2, "1.00", [
        ("Prusa MK3S+ #1", MK3S, "fdm", (250, 210, 210), ["pla", "petg", "tpu"], []),
        ("Prusa MK3S+ #2", MK3S, "fdm", (250, 210, 210), ["pla", "petg", "r-petg"], []),
        ("Prusa SL1S", SL1S, "sla", (127, 80, 150), ["resin-standard"], [])]),
    ("spree-additive", "Spree Additive", "Berlin", "DE", 52.5310, 13.3850, 6, 4, "1.10", [
        ("HP Jet Fusion 5200", "", "mjf", (380, 284, 380), ["pa12-mjf"], []),
        ("Fuse 1+", "", "sls", (165, 165, 300), ["pa12-sls"], [])]),
    ("neukoelln-makerspace", "Neukölln Makerspace", "Berlin", "DE", 52.4810, 13.4350, 2, 8, "0.85", [
        ("Voron 2.4 350", "Voron/Voron_v2_350/0.4", "fdm", (350, 350, 350), ["pla", "petg", "asa", "r-petg"], [])]),
    ("hafen-fabrik", "Hafen Fabrik", "Hamburg", "DE", 53.5430, 9.9660, 5, 3, "1.05", [
        ("Voron 2.4 300", "Voron/Voron_v2_300/0.4", "fdm", (300, 300, 300), ["pla", "petg", "asa"], []),
        ("EOS M 290", "", "metal", (250, 250, 325), ["steel-316l"], [])]),
    ("altona-resin", "Altona Resin Works", "Hamburg", "DE", 53.5500, 9.9350, 3, 4, "0.95", [
        ("Prusa SL1S #1", SL1S, "sla", (127, 80, 150), ["resin-standard"], []),
        ("Prusa SL1S #2", SL1S, "sla", (127, 80, 150), ["resin-standard"], [])]),
    ("isar-prototyping", "Isar Prototyping", "Munich", "DE", 48.1310, 11.5580, 4, 4, "1.05", [
        ("Sinterit Lisa X", "", "sls", (130, 180, 330), ["pa12-sls"], []),
        ("Voron 2.4 350", "Voron/Voron_v2_350/0.4", "fdm", (350, 350, 350), ["pla", "petg", "tpu", "asa"], [])]),
    ("schwabing-3d", "Schwabing 3D", "Munich", "DE", 48.1650, 11.5860, 2, 6, "0.90", [
        ("Prusa MK3S+", MK3S, "fdm", (250, 210, 210), ["pla", "petg"], ["black", "white", "grey"])]),
    ("noord-makers", "Noord Makers", "Amsterdam", "NL", 52.3840, 4.9020, 3, 4, "1.00", [
        ("Ultimaker 2", "Ultimaker/ULTIMAKER2/0.4", "fdm", (224, 225, 212), ["pla", "petg", "tpu", "r-petg"], []),
        ("Prusa SL1S", SL1S, "sla", (127, 80, 150), ["resin-standard"], [])]),
    ("zuidas-additive", "Zuidas Additive", "Amsterdam", "NL", 52.3380, 4.8730, 6, 3, "1.15", [
        ("HP Jet Fusion 4200", "", "mjf", (380, 284, 380), ["pa12-mjf"], [])]),
    ("atelier-bastille", "Atelier Bastille", "Paris", "FR", 48.8530, 2.3690, 3, 5, "1.00", [
        ("Creality Ender-3 S1", "Creality/ENDER3S1/0.4", "fdm", (210, 220, 270), ["pla", "petg", "asa"], []),
        ("Formlabs Fuse 1", "", "sls", (165, 165, 300), ["pa12-sls"], [])]),
]
# fmt: on


class Command(BaseCommand):
    help = "Create (or refresh) the demo data. Safe to run again."
    # The demo runs migrate (which checks the project) just before; checking again costs half a second.
    requires_system_checks = []

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            self._addresses(users)
            self._materials()
            self._makers()
            self._maker_application()
        self._designs(users)
        history = history_seed()
        self.stdout.write(
            f"History: {history.orders} orders, {history.jobs} jobs" + ("" if history.created else " (kept)")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Accounts (password {DEMO_PASSWORD}): staff; customers alice, bob, carla (applied to be "
                "a maker: see /dashboard/makers/); makers "
                + ", ".join(f"maker-{slug}" for slug, *_ in MAKERS)
                + f". Staff's authenticator secret: {DEMO_TOTP_SECRET} (or: python manage.py demo_totp)"
            )
        )

    def _user(self, username, role, email=""):
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "email": email or f"{username}@makernet.local"}
        )
        if created:
            # One hash for every demo account: hashing is slow on purpose (about 0.4 s each).
            user.password = demo_password_hash()
        user.role = role
        user.is_staff = user.is_superuser = role == Role.STAFF
        user.save()
        sync_staff_membership(user)
        # Demo addresses are taken as verified (customers may order at once).
        EmailAddress.objects.update_or_create(
            user=user, email=user.email.lower(), defaults={"primary": True, "verified": True}
        )
        if role == Role.STAFF:
            totp_enrol(user=user, secret=DEMO_TOTP_SECRET)
        return user

    def _users(self):
        return {
            "staff": self._user("staff", Role.STAFF),
            "alice": self._user("alice", Role.CUSTOMER),
            "bob": self._user("bob", Role.CUSTOMER),
        }

    def _addresses(self, users):
        """Each demo customer has a delivery address in the book (the quote page fills the order form with it)."""
        book = {
            "alice": ({"name": "Alice Example", "line1": "Oranienstraße 25", "postcode": "10999", "city": "Berlin"},
                      (52.5020, 13.4190)),
            "bob": ({"name": "Bob Example", "line1": "Sendlinger Straße 7", "postcode": "80331", "city": "Munich"},
                    (48.1350, 11.5690)),
        }  # fmt: skip
        for username, (fields, (lat, lon)) in book.items():
            address = address_check({**fields, "country": "DE"})
            # The street's coordinates, as the history's orders give them (no city lookup: its table loads slowly).
            latitude, longitude, _label = address_locate(address, lat=lat, lon=lon)
            address_save(user=users[username], address=address, latitude=latitude, longitude=longitude)

    def _materials(self):

        for (
            code,
            name,
            process,
            density,
            price,
            rate,
            setup,
            handling,
            wall,
            detail,
            build,
            colours,
            recycled,
            bio,
            description,
        ) in MATERIALS:
            Material.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "process": process,
                    "density_g_cm3": Decimal(density),
                    "price_per_cm3": Decimal(price),
                    "machine_rate_per_hour": Decimal(rate),
                    "setup_fee": Decimal(setup),
                    "handling_per_part": Decimal(handling),
                    "min_wall_mm": Decimal(wall),
                    "min_detail_mm": Decimal(detail),
                    "max_x_mm": build[0],
                    "max_y_mm": build[1],
                    "max_z_mm": build[2],
                    "colours": colours,
                    "is_recycled": recycled,
                    "is_bio_based": bio,
                    "description": description,
                    "is_active": True,
                },
            )

    def _makers(self):

        for slug, name, city, country, lat, lon, capacity, respond, factor, printers in MAKERS:
            maker = maker_onboard(
                slug=slug,
                name=name,
                city=city,
                country=country,
                latitude=lat,
                longitude=lon,
                capacity=capacity,
                hours_to_respond=respond,
                price_factor=Decimal(factor),
                email=f"{slug}@makernet.local",
            )
            maker.members.add(self._user(f"maker-{slug}", Role.MAKER))
            # A demo seeded before keeps no printer that is not in the table any more.
            maker.printers.exclude(name__in=[printer[0] for printer in printers]).delete()
            for printer_name, profile, process, build, materials, colours in printers:
                printer_upsert(
                    maker=maker,
                    name=printer_name,
                    profile=profile,
                    process=process,
                    build_volume_mm=build,
                    material_codes=materials,
                    colours=colours,
                )

    def _maker_application(self):
        """carla asked to become a maker: staff find her application waiting on /dashboard/makers/."""
        carla = User.objects.filter(username="carla").first() or self._user("carla", Role.CUSTOMER)
        if carla.role != Role.CUSTOMER or carla.maker_applications.exists():
            return
        maker_application_submit(
            applicant=carla,
            kind="business",
            legal_name="Carla Druckwerk UG",
            display_name="Carla's Druckwerk",
            address={"address_line1": "Weserstraße 40", "postcode": "12045", "city": "Berlin", "country": "DE"},
            about="Three Prusa printers in a shared workshop in Neukölln; PLA and PETG in many colours.",
            capacity=3,
            hours_to_respond=6,
            printers=[
                {
                    "name": "Workshop FDM",
                    "process": "fdm",
                    "build_volume_mm": [250, 210, 210],
                    "materials": ["pla", "petg"],
                    "colours": ["black", "white", "orange"],
                }
            ],
            payout_account_holder="Carla Druckwerk UG",
            payout_iban="DE89370400440532013000",
        )

    def _designs(self, users):

        samples = [
            (users["alice"], "Ring size 54", "ring", {"size": 54}),
            (users["alice"], "Box with lid", "box-with-lid", {}),
            (users["bob"], "Phone stand", "phone-stand", {}),
            (users["bob"], "Spur gear 20 teeth", "spur-gear", {}),
        ]
        for owner, name, slug, parameters in samples:
            if Design.objects.filter(owner=owner, name=name).exists():
                continue
            try:
                values = validate_parameters(get_template(slug), parameters)
            except (ImportError, KeyError) as error:
                self.stderr.write(f"skipping sample {name}: {error}")
                continue
            design_create_from_template(owner=owner, template_slug=slug, parameters=values, name=name)

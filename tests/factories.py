"""factory_boy factories for the models tests touch most."""

import time
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.models import Role, User
from accounts.services import api_token_create, totp_enrol

# The authenticator secret of every staff account the factories make (tests compute codes from it).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.CUSTOMER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def token(self, create, extracted, **kwargs):
        """Saved with a verified e-mail address (``email_verified=False`` leaves it unverified), an API key
        (``user.api_key``), and for staff an enrolled authenticator app (``two_factor=False``: none)."""
        if create:
            self.save()
            _token, self.api_key = api_token_create(user=self, name="tests")

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        if create and self.email:
            verified = True if extracted is None else bool(extracted)
            EmailAddress.objects.create(user=self, email=self.email.lower(), primary=True, verified=verified)

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        enrol = self.is_staff if extracted is None else bool(extracted)
        if create and enrol:
            totp_enrol(user=self, secret=STAFF_TOTP_SECRET)


def totp_code(secret: str = STAFF_TOTP_SECRET, *, step: int = 0) -> str:
    """The RFC 6238 code of ``secret`` now (``step``: 30 s periods later or earlier)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def api_key_for(user) -> str:
    """A fresh API key of ``user`` (keys are stored hashed, so a new one is made)."""
    return api_token_create(user=user, name="tests")[1]


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogue.Material"
        django_get_or_create = ("code",)

    code = "pla"
    name = "PLA"
    process = "fdm"
    density_g_cm3 = Decimal("1.24")
    price_per_cm3 = Decimal("0.10")
    machine_rate_per_hour = Decimal("3.00")
    setup_fee = Decimal("5.00")
    handling_per_part = Decimal("0.50")
    min_wall_mm = Decimal("0.80")
    min_detail_mm = Decimal("0.40")
    max_x_mm = 250
    max_y_mm = 210
    max_z_mm = 210
    colours = factory.LazyFunction(lambda: ["black", "white", "red"])


class MakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "makers.Maker"

    name = factory.Sequence(lambda n: f"Maker {n}")
    slug = factory.Sequence(lambda n: f"maker-{n}")
    city = "Berlin"
    country = "DE"
    latitude = 52.52
    longitude = 13.405
    capacity = 3
    reliability = 0.9


class PrinterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "makers.Printer"
        skip_postgeneration_save = True

    maker = factory.SubFactory(MakerFactory)
    name = factory.Sequence(lambda n: f"Printer {n}")
    process = "fdm"
    build_x_mm = 250
    build_y_mm = 210
    build_z_mm = 210
    colours = factory.LazyFunction(list)
    is_online = True

    @factory.post_generation
    def materials(self, create, extracted, **kwargs):
        if create and extracted:
            self.materials.set(extracted)


class DesignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "designs.Design"

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Part {n}")


def cube_report(size_mm: float = 20.0, *, materials=None, printable: bool = True, reasons=None) -> dict:
    """An analysis report of a solid cube, as the geometry package writes it (for tests of later stages)."""
    from catalogue.models import Material

    codes = materials if materials is not None else list(Material.objects.values_list("code", flat=True))
    extents = [size_mm, size_mm, size_mm]
    return {
        "faces": 12,
        "vertices": 8,
        "shells": 1,
        "bounding_box_mm": extents,
        "volume_mm3": size_mm**3,
        "area_mm2": 6 * size_mm**2,
        "watertight": True,
        "winding_consistent": True,
        "open_edges": 0,
        "non_manifold_edges": 0,
        "degenerate_faces": 0,
        "units_suspected": None,
        "issues": [],
        "repair": {"performed": False},
        "min_wall_mm": size_mm,
        "overhang_area_mm2": 0.0,
        "support_volume_mm3": 0.0,
        "oriented_extents_mm": extents,
        "print_extents_mm": extents,
        "materials": {code: {"printable": printable, "reasons": list(reasons or []), "warnings": []} for code in codes},
    }


class ReadyVersionFactory(factory.django.DjangoModelFactory):
    """A design version already analysed (status ready) with a cube's report."""

    class Meta:
        model = "designs.DesignVersion"
        skip_postgeneration_save = True

    design = factory.SubFactory(DesignFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = "ready"
    file_format = "stl"
    original_filename = "cube.stl"
    analysis = factory.LazyFunction(cube_report)

    @factory.post_generation
    def latest(self, create, extracted, **kwargs):
        if create:
            type(self.design).objects.filter(pk=self.design_id).update(latest_version=self)

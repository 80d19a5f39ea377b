"""Becoming a maker: an application checked field by field, decided by staff through the status door."""

import pytest
from django.test import override_settings

from accounts.models import Role
from core.errors import Conflict, DomainError, TransitionNotAllowed
from core.models import Notification
from makers import services
from makers.bank_details import iban_check, vat_check
from makers.models import ApplicationStatus, Maker, MakerApplication, MakerApplicationEvent, Printer

pytestmark = pytest.mark.django_db

GOOD_IBAN = "DE89 3704 0044 0532 0130 00"


def application_data(**overrides) -> dict:
    data = {
        "kind": "private",
        "display_name": "Dana's Prints",
        "address": {
            "address_line1": "Oranienstraße 25",
            "postcode": "10999",
            "city": "Berlin",
            "country": "DE",
        },
        "about": "Two printers in a workshop.",
        "capacity": 4,
        "hours_to_respond": 6,
        "printers": [
            {
                "name": "Garage FDM",
                "profile": "",
                "process": "fdm",
                "build_volume_mm": [250, 210, 210],
                "materials": ["pla"],
                "colours": ["Black", " white "],
            }
        ],
        "payout_account_holder": "Dana  Example",
        "payout_iban": GOOD_IBAN,
        "payout_bic": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def applicant(customer):
    return customer


# --- IBAN and VAT --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "valid", "normalised", "reason"),
    [
        ("de89 3704 0044 0532 0130 00", True, "DE89370400440532013000", ""),
        ("NL91ABNA0417164300", True, "NL91ABNA0417164300", ""),
        (
            "DE88370400440532013000",
            False,
            "DE88370400440532013000",
            "The check digits of this IBAN do not match: is there a typo?",
        ),
        ("DE41370400440532013", False, "DE41370400440532013", "This IBAN has the wrong length for its country."),
        ("NL58ABNA041716430", False, "NL58ABNA041716430", "This IBAN has the wrong length for its country."),
        ("", False, "", "No IBAN was given."),
    ],
)
def test_iban_check_digits_and_country_length(raw, valid, normalised, reason):
    assert iban_check(raw) == (valid, normalised, reason)


def test_vat_numbers_are_checked_offline():
    assert vat_check("de 136.695.976") == (True, "DE136695976", "")
    assert vat_check("DE136695977").valid is False
    assert vat_check("DE136695977").reason == "The check digits of this VAT number do not match: is there a typo?"


# --- Submitting ---------------------------------------------------------------------------------------------


def test_an_application_is_submitted_with_its_place_derived_from_the_address(applicant, materials, staff):
    application = services.maker_application_submit(applicant=applicant, **application_data())

    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.city, application.country, application.postcode) == ("Berlin", "DE", "10999")
    assert round(application.latitude, 2) == 52.52 and round(application.longitude, 2) == 13.41
    assert application.payout_iban == "DE89370400440532013000"
    assert application.payout_account_holder == "Dana Example"
    assert application.printers == [
        {
            "name": "Garage FDM",
            "profile": "",
            "process": "fdm",
            "build_volume_mm": [250, 210, 210],
            "materials": ["pla"],
            "colours": ["black", "white"],
        }
    ]
    assert list(MakerApplicationEvent.objects.values_list("from_status", "to_status")) == [("", "submitted")]
    assert Notification.objects.filter(user=staff, kind="maker_application.submitted").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"display_name": "  "}, "display_name", "The display name is required."),
        ({"kind": "robot"}, "kind", "Say whether you apply as a business or as a private person."),
        ({"kind": "business"}, "legal_name", "A business gives its registered (legal) name."),
        (
            {"kind": "business", "legal_name": "Dana GmbH", "vat_number": "DE136695977"},
            "vat_number",
            "The check digits of this VAT number do not match: is there a typo?",
        ),
        ({"capacity": 0}, "capacity", "Give a number from 1 to 1000."),
        ({"hours_to_respond": "soon"}, "hours_to_respond", "Give a whole number."),
        (
            {"address": {"address_line1": "X 1", "postcode": "1099", "city": "Berlin", "country": "DE"}},
            "postcode",
            "Postcode '1099' is not a valid postcode in Germany.",
        ),
        (
            {"address": {"postcode": "10999", "city": "Berlin", "country": "DE"}},
            "address_line1",
            "Address line 1 is required.",
        ),
        (
            {"address": {"address_line1": "X 1", "postcode": "10999", "city": "Hintertupfingen", "country": "DE"}},
            "city",
            "We cannot place 'Hintertupfingen' in DE on the map: check the city's spelling, or give the address's lat "
            "and lon.",
        ),
        ({"printers": []}, "printers", "Add at least one printer."),
        (
            {
                "printers": [
                    {"name": "P", "profile": "", "process": "fdm", "build_volume_mm": [250, 210, 210], "materials": []}
                ]
            },
            "printers.0.materials",
            "Choose at least one material.",
        ),
        (
            {"printers": [{"name": "P", "profile": "", "process": "", "build_volume_mm": None, "materials": ["pla"]}]},
            "printers.0.profile",
            "Choose a printer model (see /api/printer-models/), or give the process and the build volume.",
        ),
        (
            {
                "printers": [
                    {
                        "name": "P",
                        "profile": "",
                        "process": "fdm",
                        "build_volume_mm": [3500, 210, 210],
                        "materials": ["pla"],
                    }
                ]
            },
            "printers.0.build_volume_mm",
            "Build sizes must be between 10 and 3000 mm.",
        ),
        ({"payout_account_holder": ""}, "payout_account_holder", "Give the name on the bank account."),
        (
            {"payout_iban": "DE88370400440532013000"},
            "payout_iban",
            "The check digits of this IBAN do not match: is there a typo?",
        ),
        ({"payout_bic": "COBADEF"}, "payout_bic", "A BIC has 8 or 11 characters."),
    ],
)
def test_each_wrong_field_is_named_and_nothing_is_written(applicant, materials, overrides, field, message):
    with pytest.raises(services.ApplicationInvalid) as raised:
        services.maker_application_submit(applicant=applicant, **application_data(**overrides))

    assert raised.value.errors == {field: message}
    assert MakerApplication.objects.count() == 0
    assert MakerApplicationEvent.objects.count() == 0


def test_all_wrong_fields_are_named_at_once(applicant, materials):
    with pytest.raises(services.ApplicationInvalid) as raised:
        services.maker_application_submit(
            applicant=applicant, **application_data(capacity="x", payout_iban="nope", display_name="")
        )

    assert sorted(raised.value.errors) == ["capacity", "display_name", "payout_iban"]
    assert MakerApplication.objects.count() == 0


def test_one_pending_application_per_person(applicant, materials):
    services.maker_application_submit(applicant=applicant, **application_data())

    with pytest.raises(Conflict):
        services.maker_application_submit(applicant=applicant, **application_data())
    assert MakerApplication.objects.count() == 1


def test_a_maker_cannot_apply(maker_user, materials):
    with pytest.raises(Conflict):
        services.maker_application_submit(applicant=maker_user, **application_data())
    assert MakerApplication.objects.count() == 0


# --- Deciding -----------------------------------------------------------------------------------------------


def test_approving_creates_exactly_one_maker_with_its_printers(applicant, materials, staff):
    application = services.maker_application_submit(
        applicant=applicant,
        **application_data(
            printers=[
                *application_data()["printers"],
                {
                    "name": "Resin",
                    "process": "sla",
                    "build_volume_mm": [145, 145, 185],
                    "materials": ["resin-standard"],
                },
            ]
        ),
    )

    approved = services.maker_application_approve(application_id=application.pk, actor=staff)

    assert Maker.objects.count() == 1
    maker = Maker.objects.get()
    assert approved.status == ApplicationStatus.APPROVED
    assert MakerApplication.objects.get().maker == maker
    assert (maker.name, maker.city, maker.postcode, maker.address_line1) == (
        "Dana's Prints",
        "Berlin",
        "10999",
        "Oranienstraße 25",
    )
    assert (maker.latitude, maker.longitude) == (application.latitude, application.longitude)
    assert (maker.capacity, maker.hours_to_respond, maker.on_probation) == (4, 6, True)
    assert maker.payout_iban == "DE89370400440532013000"
    assert list(maker.members.all()) == [applicant]
    applicant.refresh_from_db()
    assert applicant.role == Role.MAKER
    printers = {p.name: p for p in Printer.objects.filter(maker=maker)}
    assert sorted(printers) == ["Garage FDM", "Resin"]
    assert printers["Resin"].process == "sla"
    assert [m.code for m in printers["Garage FDM"].materials.all()] == ["pla"]
    assert printers["Garage FDM"].colours == ["black", "white"]
    assert list(MakerApplicationEvent.objects.values_list("from_status", "to_status")) == [
        ("", "submitted"),
        ("submitted", "approved"),
    ]
    assert Notification.objects.filter(user=applicant, kind="maker_application.approved").count() == 1


def test_approving_twice_makes_no_second_maker(applicant, materials, staff):
    application = services.maker_application_submit(applicant=applicant, **application_data())
    services.maker_application_approve(application_id=application.pk, actor=staff)

    services.maker_application_approve(application_id=application.pk, actor=staff)

    assert Maker.objects.count() == 1
    assert MakerApplicationEvent.objects.count() == 2


def test_rejecting_needs_a_reason(applicant, materials, staff):
    application = services.maker_application_submit(applicant=applicant, **application_data())

    with pytest.raises(DomainError) as raised:
        services.maker_application_reject(application_id=application.pk, actor=staff, reason="  ")

    assert raised.value.code == "reason_required"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert MakerApplicationEvent.objects.count() == 1


def test_a_rejection_tells_the_applicant_why_and_makes_no_maker(applicant, materials, staff):
    application = services.maker_application_submit(applicant=applicant, **application_data())

    services.maker_application_reject(application_id=application.pk, actor=staff, reason="No photos of your work.")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("rejected", "No photos of your work.")
    assert Maker.objects.count() == 0
    note = Notification.objects.get(user=applicant, kind="maker_application.rejected")
    assert note.body == "The reason: No photos of your work."
    with pytest.raises(TransitionNotAllowed):
        services.maker_application_approve(application_id=application.pk, actor=staff)
    assert Maker.objects.count() == 0


def test_a_rejected_applicant_may_apply_again(applicant, materials, staff):
    first = services.maker_application_submit(applicant=applicant, **application_data())
    services.maker_application_reject(application_id=first.pk, actor=staff, reason="Too far.")

    second = services.maker_application_submit(applicant=applicant, **application_data())

    assert second.status == ApplicationStatus.SUBMITTED
    assert MakerApplication.objects.count() == 2


@override_settings(MAKER_PROBATION_MAX_JOBS=2)
def test_maker_slugs_stay_unique(applicant, other_customer, materials, staff):
    first = services.maker_application_submit(applicant=applicant, **application_data())
    second = services.maker_application_submit(applicant=other_customer, **application_data())
    services.maker_application_approve(application_id=first.pk, actor=staff)
    services.maker_application_approve(application_id=second.pk, actor=staff)

    assert sorted(Maker.objects.values_list("slug", flat=True)) == ["danas-prints", "danas-prints-2"]

"""A maker member's data: the makers they belong to (profile, printers, payout details). The jobs a maker handled
are the orders app's (orders/privacy.py, key ``maker_jobs``).

Erasure takes the person out of their makers. A maker left without members is closed: inactive, its printers
offline, its e-mail, description and payout details cleared, its name and slug replaced; its city and country stay
(the jobs and the ledger refer to it, and a city says nothing of a person). While such a maker still has jobs in
hand or payouts to be paid the erasure is refused (orders/privacy.py and billing/privacy.py)."""

from accounts.personal_data import Export, eraser, exporter
from makers.models import Maker, MakerApplication, Printer


def sole_member_makers(user):
    """The makers ``user`` is the only member of (closed when the account is erased)."""
    return [maker for maker in Maker.objects.filter(members=user) if maker.members.count() == 1]


@exporter("maker")
def export_makers(user) -> Export:
    data = []
    for maker in Maker.objects.filter(members=user).prefetch_related("printers__materials").order_by("id"):
        data.append(
            {
                "id": maker.pk,
                "name": maker.name,
                "slug": maker.slug,
                "city": maker.city,
                "country": maker.country,
                "latitude": maker.latitude,
                "longitude": maker.longitude,
                "email": maker.email,
                "legal_name": maker.legal_name,
                "vat_number": maker.vat_number,
                "address": {
                    "line1": maker.address_line1,
                    "line2": maker.address_line2,
                    "postcode": maker.postcode,
                },
                "is_paused": maker.is_paused,
                "about": maker.about,
                "capacity": maker.capacity,
                "hours_to_respond": maker.hours_to_respond,
                "price_factor": maker.price_factor,
                "is_active": maker.is_active,
                "payout": {
                    "account_holder": maker.payout_account_holder,
                    "iban": maker.payout_iban,
                    "bic": maker.payout_bic,
                },
                "printers": [
                    {
                        "name": printer.name,
                        "profile": printer.profile,
                        "process": printer.process,
                        "build_volume_mm": list(printer.build_volume_mm),
                        "materials": sorted(material.code for material in printer.materials.all()),
                        "is_online": printer.is_online,
                    }
                    for printer in maker.printers.all()
                ],
                "created_at": maker.created_at,
            }
        )
    return Export(data)


@eraser("makers")
def erase_memberships(erasure) -> None:
    closing = sole_member_makers(erasure.user)
    for maker in Maker.objects.filter(members=erasure.user):
        maker.members.remove(erasure.user)
        erasure.count("maker_memberships", 1)
    for maker in closing:
        Printer.objects.filter(maker=maker).update(is_online=False)
        Maker.objects.filter(pk=maker.pk).update(
            name=f"Closed maker {maker.pk}",
            slug=f"closed-maker-{maker.pk}",
            email="",
            about="",
            payout_account_holder="",
            payout_iban="",
            payout_bic="",
            legal_name="",
            vat_number="",
            address_line1="",
            address_line2="",
            postcode="",
            is_active=False,
        )
        erasure.count("makers_closed", 1)


@exporter("maker_applications")
def export_applications(user) -> Export:
    data = [
        {
            "id": application.pk,
            "status": application.status,
            "kind": application.kind,
            "display_name": application.display_name,
            "legal_name": application.legal_name,
            "vat_number": application.vat_number,
            "address": {
                "line1": application.address_line1,
                "line2": application.address_line2,
                "postcode": application.postcode,
                "city": application.city,
                "country": application.country,
            },
            "about": application.about,
            "capacity": application.capacity,
            "hours_to_respond": application.hours_to_respond,
            "printers": application.printers,
            "payout": {
                "account_holder": application.payout_account_holder,
                "iban": application.payout_iban,
                "bic": application.payout_bic,
            },
            "decision_reason": application.decision_reason,
            "created_at": application.created_at,
        }
        for application in MakerApplication.objects.filter(applicant=user).order_by("id")
    ]
    return Export(data)


@eraser("makers")
def erase_applications(erasure) -> None:
    """An application holds the applicant's address and bank account: it goes with its events (the maker it
    made, if any, stays, closed above when its last member left)."""
    deleted, _ = MakerApplication.objects.filter(applicant=erasure.user).delete()
    erasure.count("maker_applications", deleted)

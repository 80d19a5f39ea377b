"""A maker member's data: the makers they belong to (profile, printers, payout details). The jobs a maker handled
are the orders app's (orders/privacy.py, key ``maker_jobs``).

Erasure takes the person out of their makers. A maker left without members is closed: inactive, its printers
offline, its e-mail, description and payout details cleared, its name and slug replaced; its city and country stay
(the jobs and the ledger refer to it, and a city says nothing of a person). While such a maker still has jobs in
hand or payouts to be paid the erasure is refused (orders/privacy.py and billing/privacy.py)."""

from accounts.personal_data import Export, eraser, exporter
from makers.models import Maker, Printer


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
            is_active=False,
        )
        erasure.count("makers_closed", 1)

"""Makers' payouts after the hold: their statement (API, CSV, PDF) and the staff's payout batches.

A payout moves through three ledger accounts per maker and order: ``payout_held`` (delivered, in the claim
window), ``payout_released`` (the window passed, payable) and ``paid_out`` (sent in a ``PayoutBatch``'s SEPA
credit transfer file). A batch takes every released balance not yet paid, one ``payout_paid`` entry per maker and
order, linked to the batch; ``_post`` refuses to move more than is released, and the makers' rows are locked
while the batch is made, so a second batch made at the same time waits and then finds nothing left to pay.

A maker's statement balance is what the platform owes it: held plus released. Earnings raise it, refunds taken
from a held payout and the payouts sent lower it; a release moves money from held to released and leaves it.
"""

import csv
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.documents import DocumentParty, StatementDocument, StatementRow, payout_statement_pdf
from billing.models import Account, EntryKind, LedgerEntry, PayoutBatch
from billing.sepa import Party, SepaError, Transfer, bic_check, credit_transfer_xml, iban_check
from billing.services import _post, money
from core.errors import Conflict, DomainError
from makers.models import Maker

ZERO = Decimal("0.00")
# The maker's accounts whose sum is what the platform owes it.
OWED = (Account.PAYOUT_HELD, Account.PAYOUT_RELEASED)
# How a movement reads on a statement.
STATEMENT_KIND = {
    EntryKind.PAYOUT_DUE: "earning",
    EntryKind.PAYOUT_RELEASED: "release",
    EntryKind.REFUND: "refund",
    EntryKind.PAYOUT_PAID: "payout",
}
CSV_COLUMNS = [
    "date",
    "order",
    "kind",
    "memo",
    "amount",
    "change",
    "available_at",
    "held",
    "released",
    "paid_out",
    "balance",
    "currency",
]


# Statements ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balances:
    held: Decimal = ZERO
    released: Decimal = ZERO
    paid_out: Decimal = ZERO

    @property
    def owed(self) -> Decimal:
        return money(self.held + self.released)

    def after(self, entry: LedgerEntry) -> "Balances":
        moved = {Account.PAYOUT_HELD: ZERO, Account.PAYOUT_RELEASED: ZERO, Account.PAID_OUT: ZERO}
        if entry.credit in moved:
            moved[entry.credit] += entry.amount
        if entry.debit in moved:
            moved[entry.debit] -= entry.amount
        return Balances(
            held=money(self.held + moved[Account.PAYOUT_HELD]),
            released=money(self.released + moved[Account.PAYOUT_RELEASED]),
            paid_out=money(self.paid_out + moved[Account.PAID_OUT]),
        )


@dataclass(frozen=True)
class Movement:
    """One ledger entry of a maker's payouts, with the balances after it."""

    at: datetime
    order_id: int
    kind: str  # EntryKind value
    amount: Decimal  # as in the ledger (positive)
    change: Decimal  # what it did to the balance owed (+ earned, - refunded or paid out, 0 for a release)
    available_at: datetime | None
    memo: str
    payout_batch_id: int | None
    balances: Balances

    @property
    def kind_label(self) -> str:
        """The kind as the reader's language names it (the ledger's label)."""
        return EntryKind(self.kind).label if self.kind in EntryKind.values else self.kind

    @property
    def day(self) -> date:
        return timezone.localdate(self.at)


@dataclass(frozen=True)
class Statement:
    maker: Maker
    start: date | None
    end: date | None
    opening: Balances
    closing: Balances
    movements: list[Movement]

    @property
    def released_in_period(self) -> Decimal:
        return money(sum((m.amount for m in self.movements if m.kind == EntryKind.PAYOUT_RELEASED), ZERO))


def maker_statement(*, maker: Maker, start: date | None = None, end: date | None = None) -> Statement:
    """The maker's payout movements between ``start`` and ``end`` (days, both included; None: open), with the
    balances before the first and after the last. One query, whatever the number of movements."""
    if start and end and start > end:
        raise DomainError(_("The period starts after it ends."), code="bad_period", details={"field": "from"})
    entries = LedgerEntry.objects.filter(maker_id=maker.pk).filter(
        Q(debit__in=[*OWED, Account.PAID_OUT]) | Q(credit__in=[*OWED, Account.PAID_OUT])
    )
    balances, opening, movements = Balances(), Balances(), []
    for entry in entries.order_by("created_at", "id"):
        day = timezone.localdate(entry.created_at)
        if end and day > end:
            break
        after = balances.after(entry)
        if start and day < start:
            opening = after
        else:
            movements.append(
                Movement(
                    at=entry.created_at,
                    order_id=entry.order_id,
                    kind=entry.kind,
                    amount=entry.amount,
                    change=money(after.owed - balances.owed),
                    available_at=entry.available_at,
                    memo=entry.memo,
                    payout_batch_id=entry.payout_batch_id,
                    balances=after,
                )
            )
        balances = after
    return Statement(maker=maker, start=start, end=end, opening=opening, closing=balances, movements=movements)


def statement_csv(statement: Statement) -> str:
    """The statement as CSV: a header row, then one row per movement with the running balances."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for movement in statement.movements:
        balances = movement.balances
        writer.writerow(
            [
                movement.day.isoformat(),
                movement.order_id,
                STATEMENT_KIND.get(movement.kind, movement.kind),
                movement.memo,
                movement.amount,
                movement.change,
                movement.available_at.isoformat() if movement.available_at else "",
                balances.held,
                balances.released,
                balances.paid_out,
                balances.owed,
                settings.CURRENCY,
            ]
        )
    return out.getvalue()


def _statement_description(movement: Movement) -> str:
    text = {
        EntryKind.PAYOUT_DUE: "Earned, held for the claim window",
        EntryKind.REFUND: "Refunded to the customer (claim)",
        EntryKind.PAYOUT_PAID: f"Paid to your bank account (batch {movement.payout_batch_id})",
    }.get(movement.kind, movement.kind)
    return f"Order {movement.order_id}: {text}" + (f" ({movement.memo})" if movement.memo else "")


def statement_pdf(statement: Statement) -> bytes:
    """The statement as PDF (billing.documents). A release changes nothing the maker is owed, so it is not a row
    of its own: the period's releases are summed under the table."""
    rows = tuple(
        StatementRow(
            date=movement.day,
            description=_statement_description(movement),
            amount=movement.change,
            kind=STATEMENT_KIND.get(movement.kind, movement.kind),
        )
        for movement in statement.movements
        if movement.kind != EntryKind.PAYOUT_RELEASED
    )
    today = timezone.localdate()
    first_day = statement.movements[0].day if statement.movements else today
    maker = statement.maker
    document = StatementDocument(
        maker_name=maker.name,
        period_start=statement.start or first_day,
        period_end=statement.end or today,
        rows=rows,
        opening_balance=statement.opening.owed,
        closing_balance=statement.closing.owed,
        held_amount=statement.closing.held,
        released_amount=statement.released_in_period,
        currency=settings.CURRENCY,
        number=f"{maker.slug}-{(statement.start or first_day):%Y%m%d}-{(statement.end or today):%Y%m%d}",
        address_lines=tuple(part for part in (maker.city, maker.country) if part),
        issuer=DocumentParty(
            name=settings.PLATFORM_LEGAL_NAME,
            address_lines=tuple(settings.PLATFORM_ADDRESS),
            vat_id=settings.PLATFORM_VAT_NUMBER,
        ),
    )
    return payout_statement_pdf(document)


# Payout batches --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payable:
    """A maker's released money not yet paid, per order, and why it cannot be paid ("" when it can)."""

    maker: Maker
    orders: dict[int, Decimal]
    problem: str

    @property
    def amount(self) -> Decimal:
        return money(sum(self.orders.values(), ZERO))


def _released_unpaid(maker_ids=None) -> dict[int, dict[int, Decimal]]:
    """maker id -> order id -> released balance (> 0): what is payable now. One query."""
    entries = LedgerEntry.objects.filter(Q(debit=Account.PAYOUT_RELEASED) | Q(credit=Account.PAYOUT_RELEASED))
    if maker_ids is not None:
        entries = entries.filter(maker_id__in=maker_ids)
    sums = entries.values("maker_id", "order_id").annotate(
        money_in=Sum("amount", filter=Q(credit=Account.PAYOUT_RELEASED)),
        money_out=Sum("amount", filter=Q(debit=Account.PAYOUT_RELEASED)),
    )
    payable: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in sums:
        left = money((row["money_in"] or ZERO) - (row["money_out"] or ZERO))
        if left > 0:
            payable[row["maker_id"]][row["order_id"]] = left
    return payable


def payout_account_problem(maker: Maker) -> str:
    """Why a transfer to this maker cannot be made ("" when it can), by the rules of the transfer file."""
    if not maker.payout_iban:
        return _("No IBAN: the maker has not given its payout account.")
    iban = iban_check(maker.payout_iban)
    if not iban.valid:
        return _("The IBAN is not valid: %(reason)s") % {"reason": iban.reason}
    if maker.payout_bic:
        bic = bic_check(maker.payout_bic)
        if not bic.valid:
            return _("The BIC is not valid: %(reason)s") % {"reason": bic.reason}
    return ""


def payouts_payable(*, lock: bool = False) -> list[Payable]:
    """Every maker with released money not yet paid (by maker id), and whether its account can be paid. With
    ``lock`` (inside a transaction) the makers' rows are locked first and the amounts read after the lock."""
    maker_ids = sorted(_released_unpaid())
    makers = Maker.objects.filter(pk__in=maker_ids).order_by("pk")
    if lock:
        makers = makers.select_for_update()
        makers = list(makers)
        released = _released_unpaid([maker.pk for maker in makers])
    else:
        makers = list(makers)
        released = _released_unpaid(maker_ids)
    return [
        Payable(maker=maker, orders=released[maker.pk], problem=payout_account_problem(maker))
        for maker in makers
        if released.get(maker.pk)
    ]


def platform_account() -> Party:
    """The platform's account the payouts leave from (PLATFORM_IBAN, PLATFORM_BIC)."""
    if not settings.PLATFORM_IBAN or not settings.PLATFORM_BIC:
        raise Conflict(
            _("The platform's bank account is not configured (PLATFORM_IBAN and PLATFORM_BIC)."),
            code="platform_account_missing",
        )
    return Party(name=settings.PLATFORM_LEGAL_NAME, iban=settings.PLATFORM_IBAN, bic=settings.PLATFORM_BIC)


def payout_batch_create(*, actor, execution_date: date | None = None) -> PayoutBatch:
    """Pay every maker's released, unpaid money in one SEPA credit transfer file (one transfer per maker).

    Makers without a valid payout account are skipped and listed on the batch with the reason. Money already in
    a batch is not released any more, so it is never paid twice; two batches made at once are serialised by the
    makers' row locks. Nothing to pay: 409, and nothing is stored.
    """
    debtor = platform_account()
    execution_date = execution_date or timezone.localdate()
    with transaction.atomic():
        payables = payouts_payable(lock=True)
        paid = [payable for payable in payables if not payable.problem]
        skipped = [
            {
                "maker_id": payable.maker.pk,
                "maker": payable.maker.name,
                "amount": str(payable.amount),
                "reason": payable.problem,
            }
            for payable in payables
            if payable.problem
        ]
        if not paid:
            reasons = " ".join(f"{row['maker']}: {row['reason']}" for row in skipped)
            raise Conflict(
                _("There is no released payout to pay.")
                + (" " + _("Skipped: %(reasons)s") % {"reasons": reasons} if reasons else ""),
                code="nothing_to_pay",
                details={"skipped": skipped},
            )
        batch = PayoutBatch.objects.create(
            created_by=actor if getattr(actor, "pk", None) else None,
            execution_date=execution_date,
            message_id=f"MAKERNET-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4).upper()}",
            currency=settings.CURRENCY,
            skipped=skipped,
        )
        transfers = []
        for payable in paid:
            maker = payable.maker
            for order_id, amount in sorted(payable.orders.items()):
                _post(
                    order_id,
                    EntryKind.PAYOUT_PAID,
                    Account.PAYOUT_RELEASED,
                    Account.PAID_OUT,
                    amount,
                    maker=maker,
                    payout_batch=batch,
                    memo=f"payout batch {batch.pk}",
                )
            orders = ", ".join(str(order_id) for order_id in sorted(payable.orders))
            transfers.append(
                Transfer(
                    name=maker.payout_account_holder or maker.name,
                    iban=maker.payout_iban,
                    bic=maker.payout_bic or None,
                    amount=payable.amount,
                    reference=f"{settings.PLATFORM_LEGAL_NAME} payout {batch.pk}, orders {orders}",
                    end_to_end_id=f"PAYOUT-{batch.pk}-{maker.pk}",
                )
            )
        try:
            xml = credit_transfer_xml(
                debtor=debtor, payments=transfers, execution_date=execution_date, message_id=batch.message_id
            )
        except SepaError as error:
            raise Conflict(
                _("The transfer file could not be made: %(error)s") % {"error": error}, code="sepa_invalid"
            ) from error
        batch.transfer_count = len(transfers)
        batch.total = money(sum((payable.amount for payable in paid), ZERO))
        batch.file.save(f"payout-batch-{batch.pk}.xml", ContentFile(xml), save=False)
        batch.save(update_fields=["transfer_count", "total", "file"])
    return batch

"""Who may call what: every route of the URL conf x every method it allows x six personas.

The routes are walked from ``get_resolver()``, so a new endpoint without a row in ``EXPECTATIONS`` fails
``test_every_route_has_a_row``. Path parameters name carol's objects (see conftest.World): her design, order,
the job offered to maker A, its batch, photo and threads. The rules the table spells out:

- someone else's design, order, job, batch, file, photo or thread is 404 (a 403 would confirm it exists);
- a role that may never call an endpoint gets 403 from the API (401 when anonymous); the web pages send
  anonymous visitors to the login page and answer 404 to a signed-in account of the wrong role;
- a maker sees only jobs offered to its own maker;
- a refused write changes nothing in the database.

Writes are sent with a minimal body: an allowed persona may get 2xx, 3xx, 400 or 409 (it was let in);
refused personas are asked first, so the allowed persona's write cannot hide a refused one's.
"""

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from orders.models import Job
from tests.security.conftest import PERSONAS

pytestmark = pytest.mark.django_db

# Django admin has its own staff-only login (AdminSite.admin_view wraps every admin URL); it is checked on its
# own in test_admin_is_only_for_staff instead of row by row for each registered model.
SKIPPED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Expect:
    """One expected outcome class for a response."""

    label: str

    def matches(self, response) -> bool:
        status = response.status_code
        location = response.get("Location", "") or ""
        if self.label == "ok":
            return status == 200
        if self.label == "redirect":
            return status in (301, 302, 303) and not location.startswith("/login/")
        if self.label == "login":
            return status == 302 and location.startswith("/login/")
        if self.label == "done":
            # let in: answered (2xx, a redirect that is not to the login page, 400, 409)
            redirected_to_login = status == 302 and location.startswith("/login/")
            return (200 <= status < 400 and not redirected_to_login) or status in (400, 409)
        if self.label == "not-enrolled":
            return status == 404 or (status == 302 and not location.startswith("/login/"))
        if self.label == "health":
            return status in (200, 503)
        return status == int(self.label)

    @property
    def is_refusal(self) -> bool:
        return self.label in ("401", "403", "404", "login", "not-enrolled")


OK, DONE, REDIRECT, LOGIN, HEALTH = Expect("ok"), Expect("done"), Expect("redirect"), Expect("login"), Expect("health")
R401, R403, R404 = Expect("401"), Expect("403"), Expect("404")


@dataclass(frozen=True)
class Row:
    """``methods`` maps each HTTP method to one expectation per persona, in PERSONAS order:
    (anonymous, owner, other_customer, maker_a, maker_b, staff)."""

    methods: dict
    params: dict = field(default_factory=dict)  # route parameter -> World.ids key (or a literal)
    body_format: str = "json"
    # The smallest valid body, so the answer depends on who asks and not on a missing field ("@key": World.ids).
    body: dict = field(default_factory=dict)


# Shapes that recur. "Owner's object" reads: the owner, maker A (it holds a job of it) and staff see it.
SEEN_BY_PARTIES = (R401, OK, R404, OK, R404, OK)
DONE_BY_PARTIES = (R401, DONE, R404, DONE, R404, DONE)
PUBLIC = (OK,) * 6
ANYONE_WRITES = (DONE,) * 6
SIGNED_IN_READS = (R401, OK, OK, OK, OK, OK)
SIGNED_IN_WRITES = (R401, DONE, DONE, DONE, DONE, DONE)
CUSTOMERS_WRITE = (R401, DONE, DONE, R403, R403, R403)
OWNER_WRITES = (R401, DONE, R404, R403, R403, R403)
MAKERS_READ = (R401, R403, R403, OK, OK, R403)
MAKERS_WRITE = (R401, R403, R403, DONE, DONE, R403)
MAKER_A_READS = (R401, R403, R403, OK, R404, R403)
MAKER_A_WRITES = (R401, R403, R403, DONE, R404, R403)
ORDER_READS = (R401, OK, R404, R403, R403, OK)
ORDER_WRITES_WITH_STAFF = (R401, DONE, R404, R403, R403, DONE)
STAFF_ONLY_READS = (R401, R403, R403, R403, R403, OK)
STAFF_ONLY_WRITES = (R401, R403, R403, R403, R403, DONE)

DESIGN = {"pk": "design"}
VERSION = {"pk": "design", "number": "version_number"}
ORDER = {"pk": "order"}
JOB = {"pk": "job"}

# Web pages: anonymous -> login page, wrong role -> 404.
PAGE_SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)
PAGE_CUSTOMERS = (LOGIN, OK, OK, R404, R404, R404)
PAGE_CUSTOMERS_WRITE = (LOGIN, DONE, DONE, R404, R404, R404)
PAGE_OWNER_WRITES = (LOGIN, DONE, R404, R404, R404, R404)
PAGE_OWNER_READS = (LOGIN, OK, R404, R404, R404, R404)
PAGE_ORDER_READS = (LOGIN, OK, R404, R404, R404, OK)
PAGE_MAKERS = (LOGIN, R404, R404, OK, OK, R404)
PAGE_MAKERS_WRITE = (LOGIN, R404, R404, DONE, DONE, R404)
PAGE_MAKER_A_READS = (LOGIN, R404, R404, OK, R404, R404)
PAGE_MAKER_A_WRITES = (LOGIN, R404, R404, DONE, R404, R404)
PAGE_STAFF = (LOGIN, R404, R404, R404, R404, OK)
PAGE_STAFF_WRITES = (LOGIN, R404, R404, R404, R404, DONE)
ENTRANCE = (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
# Signed in: let in (a page, a redirect away from the log-in, or the form's error).
PAGE_SIGNED_IN_WRITES = (LOGIN, DONE, DONE, DONE, DONE, DONE)
# allauth's two-factor pages (the web clients typed their password again a moment ago, see conftest): anybody
# signed in may enrol; staff are enrolled (factories), so their enrolment page sends them to its replacement.
ENROL = (LOGIN, OK, OK, OK, OK, REDIRECT)
ENROL_WRITE = (LOGIN, DONE, DONE, DONE, DONE, REDIRECT)
# Pages about an enrolled authenticator: only staff have one here; the others are sent away (404 or redirect).
NOT_ENROLLED = Expect("not-enrolled")
ENROLLED_READS = (LOGIN, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED, OK)
ENROLLED_WRITES = (LOGIN, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED, NOT_ENROLLED, DONE)
# Steps of a log-in in progress (a code by e-mail, the authenticator's code): without one, to the log-in page.
LOGIN_STAGE_READS = (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
LOGIN_STAGE_WRITES = (LOGIN, DONE, DONE, DONE, DONE, DONE)

EXPECTATIONS: dict[str, Row] = {
    # accounts
    "auth-register": Row({"POST": ANYONE_WRITES}),
    "auth-token": Row({"POST": ANYONE_WRITES}),
    # DELETE erases the caller's own account; the matrix's body has no password, so it is a 400 that changes nothing
    "auth-me": Row({"GET": SIGNED_IN_READS, "PATCH": SIGNED_IN_WRITES, "DELETE": SIGNED_IN_WRITES}),
    "auth-me-export": Row({"GET": SIGNED_IN_READS}),
    "auth-email-resend": Row({"POST": SIGNED_IN_WRITES}),
    "auth-token-list": Row({"GET": SIGNED_IN_READS, "POST": SIGNED_IN_WRITES}, body={"name": "matrix"}),
    # Each persona revokes a token of the owner's: only the owner finds it; the others get 404 (not theirs).
    "auth-token-detail": Row({"DELETE": (R401, DONE, R404, R404, R404, R404)}, {"pk": "api_token"}),
    "address-list": Row({"GET": (R401, OK, OK, R403, R403, R403), "POST": CUSTOMERS_WRITE}),
    "address-detail": Row({"DELETE": OWNER_WRITES}, {"pk": "address"}),
    "health": Row({"GET": (HEALTH,) * 6}),
    "schema": Row({"GET": PUBLIC}),
    "docs": Row({"GET": PUBLIC}),
    # designs
    "design-list": Row({"GET": SIGNED_IN_READS, "POST": CUSTOMERS_WRITE}, body_format="multipart"),
    "design-detail": Row({"GET": SEEN_BY_PARTIES}, DESIGN),
    # POST: the owner uploads a revision, maker A proposes one; staff may not upload into a customer's design.
    "design-version-list": Row(
        {"GET": SEEN_BY_PARTIES, "POST": (R401, DONE, R404, DONE, R404, R403)}, DESIGN, body_format="multipart"
    ),
    "design-version-detail": Row({"GET": SEEN_BY_PARTIES}, VERSION),
    "design-version-reanalyse": Row({"POST": (R401, R403, R403, R403, R403, DONE)}, VERSION),
    "design-version-file": Row({"GET": SEEN_BY_PARTIES}, VERSION),
    "design-version-repaired": Row({"GET": SEEN_BY_PARTIES}, VERSION),
    "design-version-preview": Row({"GET": SEEN_BY_PARTIES}, VERSION),
    "design-version-thumbnail": Row({"GET": SEEN_BY_PARTIES}, VERSION),
    "design-version-messages": Row(
        {"GET": SEEN_BY_PARTIES, "POST": DONE_BY_PARTIES}, VERSION, body={"body": "Is the hole 5 mm?"}
    ),
    "template-list": Row({"GET": PUBLIC}),
    "template-detail": Row({"GET": PUBLIC}, {"slug": "template"}),
    "template-design-create": Row({"POST": CUSTOMERS_WRITE}, {"slug": "template"}),
    "template-preview": Row({"POST": SIGNED_IN_WRITES}, {"slug": "template"}),
    # orders
    "material-list": Row({"GET": PUBLIC}),
    "printer-model-list": Row({"GET": PUBLIC}),
    "quote": Row({"POST": CUSTOMERS_WRITE}),
    "quote-detail": Row({"GET": (R401, OK, R404, R403, R403, R403)}, {"pk": "quote"}),
    "order-list": Row({"GET": (R401, OK, OK, R403, R403, OK), "POST": CUSTOMERS_WRITE}),
    "order-reorder": Row({"POST": CUSTOMERS_WRITE}),
    "order-detail": Row({"GET": ORDER_READS}, ORDER),
    "order-confirm": Row({"POST": OWNER_WRITES}, ORDER),
    "order-cancel": Row({"POST": ORDER_WRITES_WITH_STAFF}, ORDER),
    "order-delivered": Row({"POST": OWNER_WRITES}, ORDER),
    "order-pay": Row({"POST": OWNER_WRITES}, ORDER),
    "order-refund": Row({"POST": (R401, R403, R403, R403, R403, DONE)}, ORDER, body={"reason": "a test refund"}),
    # billing: a provider's webhook is for anyone holding a valid signature (without one: 400, nothing changes)
    "payment-webhook": Row({"POST": ANYONE_WRITES}, {"provider": "test"}),
    "invoice-pdf": Row({"GET": ORDER_READS}, {"number": "invoice"}),
    # payouts: a maker reads only its own (the views take the caller's maker, no id to name another's)
    "maker-payouts": Row({"GET": MAKERS_READ}),
    "maker-payout-statement-csv": Row({"GET": MAKERS_READ}),
    "maker-payout-statement-pdf": Row({"GET": MAKERS_READ}),
    "payout-batch-list": Row({"GET": STAFF_ONLY_READS, "POST": STAFF_ONLY_WRITES}),
    "payout-batch-file": Row({"GET": STAFF_ONLY_READS}, {"pk": "payout_batch"}),
    "order-proposals": Row({"GET": ORDER_READS}, ORDER),
    "proposal-accept": Row({"POST": OWNER_WRITES}, {"pk": "proposal"}),
    "proposal-reject": Row({"POST": OWNER_WRITES}, {"pk": "proposal"}),
    "order-counter-offers": Row({"GET": ORDER_READS}, ORDER),
    "counter-offer-accept": Row({"POST": OWNER_WRITES}, {"pk": "counter_offer"}),
    "counter-offer-decline": Row({"POST": OWNER_WRITES}, {"pk": "counter_offer"}),
    # claims: on carol's delivered order that maker A made (POST: a second claim on the job is a 409)
    "order-claims": Row(
        {"GET": SEEN_BY_PARTIES, "POST": OWNER_WRITES},
        {"pk": "claimed_order"},
        body_format="multipart",
        body={"reason": "x"},
    ),
    "claim-detail": Row({"GET": SEEN_BY_PARTIES}, {"pk": "claim"}),
    "claim-photo": Row({"GET": SEEN_BY_PARTIES}, {"pk": "claim", "position": "claim_photo_position"}),
    "claim-answer": Row({"POST": MAKER_A_WRITES}, {"pk": "claim"}, body={"answer": "Sorry."}),
    "claim-decide": Row({"POST": (R401, R403, R403, R403, R403, DONE)}, {"pk": "claim"}, body={"decision": "reject"}),
    # makers
    "maker-job-list": Row({"GET": MAKERS_READ}),
    "maker-job-detail": Row({"GET": MAKER_A_READS}, JOB),
    "maker-job-print-file": Row({"GET": (R401, R403, R403, DONE, R404, R403)}, JOB),
    "maker-job-accept": Row({"POST": MAKER_A_WRITES}, JOB),
    "maker-job-decline": Row({"POST": MAKER_A_WRITES}, JOB),
    "maker-job-progress": Row({"POST": MAKER_A_WRITES}, JOB, body={"status": "printing"}),
    "maker-job-fail": Row({"POST": MAKER_A_WRITES}, JOB),
    "maker-job-counter-offer": Row({"POST": MAKER_A_WRITES}, JOB, body={"price": "1.00", "message": "Cheaper."}),
    "maker-job-proposals": Row(
        {"GET": MAKER_A_READS, "POST": MAKER_A_WRITES}, JOB, body_format="multipart", body={"message": "Thicker."}
    ),
    # the print agent (issue 18): maker A's job is only offered, so its claim, report and start are 409s
    "maker-job-confirm-start": Row({"POST": MAKER_A_WRITES}, JOB),
    "maker-job-release-agent": Row({"POST": MAKER_A_WRITES}, JOB),
    "agent-job-list": Row({"GET": MAKERS_READ}),
    "agent-job-claim": Row({"POST": MAKER_A_WRITES}, JOB, body={"agent": "matrix"}),
    "agent-job-report": Row({"POST": MAKER_A_WRITES}, JOB, body={"agent": "matrix", "event": "uploaded"}),
    "agent-printers": Row({"POST": MAKERS_WRITE}, body={"agent": "matrix", "printers": []}),
    "maker-profile": Row({"GET": MAKERS_READ, "PATCH": MAKERS_WRITE}),
    "maker-printer-list": Row({"GET": MAKERS_READ, "POST": MAKERS_WRITE}),
    "maker-printer-detail": Row({"PATCH": MAKER_A_WRITES, "DELETE": MAKER_A_WRITES}, {"pk": "printer"}),
    # Anyone signed in may apply (makers and staff get a 409, carol too: hers is waiting); only her own is shown.
    "maker-application-create": Row({"POST": SIGNED_IN_WRITES}),
    "maker-application-mine": Row({"GET": (R401, OK, R404, R404, R404, R404)}),
    "job-photo": Row({"GET": SEEN_BY_PARTIES}, JOB),
    "job-messages": Row({"GET": SEEN_BY_PARTIES, "POST": DONE_BY_PARTIES}, JOB, body={"body": "Shipping Monday."}),
    # A customer has no batches: the list is empty for them (see the list test) and any one batch is 404.
    "batch-list": Row({"GET": SIGNED_IN_READS}),
    "batch-detail": Row({"GET": (R401, R404, R404, OK, R404, OK)}, {"pk": "batch"}),
    # the language switch (saves a signed-in user's choice) and the page scripts' translations
    "set_language": Row({"POST": ANYONE_WRITES}, body={"language": "de", "next": "/"}),
    "javascript-catalog": Row({"GET": PUBLIC}),
    # web pages
    # The test provider's hosted page: whoever holds the unguessable link, as at a real provider's checkout.
    "web:test-checkout": Row({"GET": PUBLIC, "POST": ANYONE_WRITES}, {"reference": "payment_reference"}),
    # Stripe's payment page carries the intent's client secret: the paying customer's alone.
    "web:stripe-checkout": Row({"GET": PAGE_OWNER_READS}, {"reference": "payment_reference"}),
    "web:home": Row({"GET": (OK, OK, OK, REDIRECT, REDIRECT, REDIRECT)}),
    "web:notifications": Row({"GET": PAGE_SIGNED_IN}),
    "web:notifications-read": Row({"POST": (LOGIN, DONE, DONE, DONE, DONE, DONE)}),
    "web:account-privacy": Row({"GET": PAGE_SIGNED_IN}),
    "web:account-privacy-export": Row({"GET": PAGE_SIGNED_IN}),
    "web:account-privacy-delete": Row({"POST": (LOGIN, DONE, DONE, DONE, DONE, DONE)}),
    "web:design-list": Row({"GET": PAGE_SIGNED_IN}),
    "web:design-upload": Row({"GET": PAGE_CUSTOMERS, "POST": PAGE_CUSTOMERS_WRITE}),
    "web:design-detail": Row({"GET": (LOGIN, OK, R404, OK, R404, OK)}, DESIGN),
    "web:design-version-upload": Row({"POST": PAGE_OWNER_WRITES}, DESIGN),
    "web:quote-create": Row({"POST": PAGE_OWNER_WRITES}, DESIGN, body={"version": "1"}),
    "web:quote-detail": Row({"GET": PAGE_OWNER_READS}, {"pk": "quote"}),
    "web:quote-order": Row({"POST": PAGE_OWNER_WRITES}, {"pk": "quote"}),
    "web:quote-live": Row({"GET": PAGE_OWNER_READS}, {"pk": "quote"}),
    "web:order-list": Row({"GET": (LOGIN, OK, OK, R404, R404, OK)}),
    "web:order-detail": Row({"GET": PAGE_ORDER_READS}, ORDER),
    "web:order-live": Row({"GET": PAGE_ORDER_READS}, ORDER),
    "web:order-action": Row({"POST": (LOGIN, DONE, R404, R404, R404, DONE)}, {"pk": "order", "action": "cancel"}),
    "web:version-message-post": Row({"POST": (LOGIN, DONE, R404, DONE, R404, DONE)}, VERSION, body={"body": "Hi"}),
    "web:job-message-post": Row({"POST": (LOGIN, DONE, R404, DONE, R404, DONE)}, JOB, body={"body": "Hi"}),
    "web:proposal-answer": Row({"POST": PAGE_OWNER_WRITES}, {"pk": "proposal", "answer": "reject"}),
    "web:template-list": Row({"GET": PUBLIC}),
    "web:template-detail": Row({"GET": PUBLIC, "POST": (LOGIN, DONE, DONE, R404, R404, R404)}, {"slug": "template"}),
    "web:job-board": Row({"GET": PAGE_MAKERS}),
    "web:job-detail": Row({"GET": PAGE_MAKER_A_READS}, JOB),
    "web:job-accept": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-decline": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-progress": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-fail": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-confirm-start": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-release-agent": Row({"POST": PAGE_MAKER_A_WRITES}, JOB),
    "web:job-counter-offer": Row({"POST": PAGE_MAKER_A_WRITES}, JOB, body={"price": "1.00"}),
    "web:counter-offer-answer": Row({"POST": PAGE_OWNER_WRITES}, {"pk": "counter_offer", "answer": "decline"}),
    "web:job-proposal-create": Row(
        {"POST": PAGE_MAKER_A_WRITES}, JOB, body={"order_item": "@order_item", "message": "x"}
    ),
    "web:dashboard": Row({"GET": PAGE_STAFF}),
    "web:dashboard-live": Row({"GET": PAGE_STAFF}),
    "web:dashboard-printers": Row({"GET": PAGE_STAFF}),
    "web:order-claim-create": Row({"POST": PAGE_OWNER_WRITES}, {"pk": "claimed_order"}, body={"reason": "x"}),
    "web:claim-answer": Row({"POST": PAGE_MAKER_A_WRITES}, {"pk": "claim"}, body={"answer": "Sorry."}),
    "web:claims-board": Row({"GET": PAGE_STAFF}),
    "web:claim-decide": Row(
        {"POST": (LOGIN, R404, R404, R404, R404, DONE)}, {"pk": "claim"}, body={"decision": "reject"}
    ),
    "web:maker-payouts": Row({"GET": PAGE_MAKERS}),
    # Becoming a maker: anyone reads the page; sending it needs an account (makers and staff are told they are).
    "web:maker-apply": Row({"GET": PUBLIC, "POST": (LOGIN, DONE, DONE, DONE, DONE, DONE)}),
    "web:maker-profile": Row({"GET": PAGE_MAKERS, "POST": PAGE_MAKERS_WRITE}),
    "web:maker-pause": Row({"POST": PAGE_MAKERS_WRITE}),
    "web:maker-printers": Row({"GET": PAGE_MAKERS, "POST": PAGE_MAKERS_WRITE}),
    "web:maker-printer-edit": Row({"GET": PAGE_MAKER_A_READS, "POST": PAGE_MAKER_A_WRITES}, {"pk": "printer"}),
    "web:maker-printer-remove": Row({"POST": PAGE_MAKER_A_WRITES}, {"pk": "printer"}),
    "web:maker-numbers": Row({"GET": PAGE_MAKERS}),
    "web:maker-applications": Row({"GET": PAGE_STAFF}),
    "web:maker-application-decide": Row(
        {"POST": (LOGIN, R404, R404, R404, R404, DONE)},
        {"pk": "maker_application", "decision": "reject"},
        body={"reason": "x"},
    ),
    # account settings: the API-token page (web) and django-allauth's pages (/accounts/...). allauth's pages
    # for the signed-in send anonymous visitors to the log-in page; its entrance pages send the signed-in home.
    "web:token-list": Row({"GET": PAGE_SIGNED_IN, "POST": PAGE_SIGNED_IN_WRITES}, body={"name": "x"}),
    "web:token-revoke": Row({"POST": (LOGIN, DONE, R404, R404, R404, R404)}, {"pk": "api_token"}),
    "account_login": Row({"GET": ENTRANCE, "POST": ANYONE_WRITES}),
    "account_signup": Row({"GET": ENTRANCE, "POST": ANYONE_WRITES}),
    "account_logout": Row({"GET": (REDIRECT, OK, OK, OK, OK, OK), "POST": ANYONE_WRITES}),
    "account_inactive": Row({"GET": PUBLIC}),
    "account_reauthenticate": Row({"GET": PAGE_SIGNED_IN, "POST": PAGE_SIGNED_IN_WRITES}),
    "account_email": Row({"GET": PAGE_SIGNED_IN, "POST": PAGE_SIGNED_IN_WRITES}),
    "account_email_verification_sent": Row({"GET": PUBLIC}),
    # A wrong or expired link: a page that says so (GET); confirming it (POST) finds nothing.
    "account_confirm_email": Row({"GET": PUBLIC, "POST": (R404,) * 6}, {"key": "not-a-key"}),
    "account_change_password": Row({"GET": PAGE_SIGNED_IN, "POST": PAGE_SIGNED_IN_WRITES}),
    "account_set_password": Row({"GET": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)}),
    "account_reset_password": Row({"GET": PUBLIC, "POST": ANYONE_WRITES}),
    "account_reset_password_done": Row({"GET": PUBLIC}),
    "account_reset_password_from_key": Row({"GET": PUBLIC, "POST": ANYONE_WRITES}, {"uidb36": "zz", "key": "bad"}),
    "account_reset_password_from_key_done": Row({"GET": PUBLIC}),
    "account_confirm_login_code": Row({"GET": LOGIN_STAGE_READS, "POST": LOGIN_STAGE_WRITES}),
    "mfa_index": Row({"GET": PAGE_SIGNED_IN}),
    "mfa_authenticate": Row({"GET": LOGIN_STAGE_READS, "POST": LOGIN_STAGE_WRITES}),
    # Typing the authenticator's code instead of the password: without an authenticator, to the password.
    "mfa_reauthenticate": Row(
        {"GET": (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK), "POST": PAGE_SIGNED_IN_WRITES}
    ),
    "mfa_activate_totp": Row({"GET": ENROL, "POST": ENROL_WRITE}),
    "mfa_deactivate_totp": Row({"GET": ENROLLED_READS, "POST": ENROLLED_WRITES}),
    "mfa_view_recovery_codes": Row({"GET": ENROLLED_READS}),
    # The page opens for anybody signed in; without an authenticator, posting it answers the form's error
    # ("You cannot generate recovery codes without having two-factor authentication enabled").
    "mfa_generate_recovery_codes": Row({"GET": PAGE_SIGNED_IN, "POST": PAGE_SIGNED_IN_WRITES}),
    "mfa_download_recovery_codes": Row({"GET": ENROLLED_READS}),
    "web:dashboard-payouts": Row({"GET": PAGE_STAFF, "POST": (LOGIN, R404, R404, R404, R404, DONE)}),
    "web:staff-orders-on-hold": Row({"GET": PAGE_STAFF}),
    "web:staff-order-detail": Row({"GET": PAGE_STAFF}, ORDER),
    "web:staff-order-dispatch": Row({"POST": PAGE_STAFF_WRITES}, ORDER),
    "web:staff-order-cancel": Row({"POST": PAGE_STAFF_WRITES}, ORDER),
    "web:staff-job-reroute": Row({"POST": PAGE_STAFF_WRITES}, JOB),
}


@dataclass(frozen=True)
class Route:
    key: str  # the URL name (namespaced), or the pattern when it has none
    pattern: str
    view_class: type | None

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")


def all_routes() -> list[Route]:
    def walk(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if pattern.startswith(SKIPPED_PREFIXES):
                    continue
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                callback = entry.callback
                view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                yield Route(key=name or pattern, pattern=pattern, view_class=view_class)

    return list(walk(get_resolver().url_patterns))


ROUTES = {route.key: route for route in all_routes()}
CASES = [
    pytest.param(key, method, id=f"{key}-{method}")
    for key in sorted(ROUTES)
    if key in EXPECTATIONS
    for method in EXPECTATIONS[key].methods
]

# Tables a request can change: everything the apps own (sessions, results and beat schedules are not the
# project's; an authenticated web client's session is made before the snapshot).
SNAPSHOT_APPS = ("accounts", "core", "designs", "orders", "billing", "makers", "authtoken")
# Columns a refused request still writes, and rightly: authentication notes when an API key was last used
# (accounts.authentication), whatever the answer to the call.
SNAPSHOT_SKIPPED_COLUMNS = {"accounts.ApiToken": {"last_used_at"}}


def database_snapshot() -> dict:
    snapshot = {}
    for model in apps.get_models():
        if model._meta.app_label not in SNAPSHOT_APPS:
            continue
        skipped = SNAPSHOT_SKIPPED_COLUMNS.get(model._meta.label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skipped]
        snapshot[model._meta.label] = list(model.objects.order_by("pk").values_list(*columns))
    return snapshot


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


def url_for(route: Route, row: Row, world) -> str:
    kwargs = {name: world.ids.get(source, source) for name, source in row.params.items()}
    return reverse(route.key, kwargs=kwargs or None)


def body_for(row: Row, world) -> dict:
    return {
        name: world.ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        for name, value in row.body.items()
    }


def send(world, route: Route, row: Row, method: str, persona: str):
    url = url_for(route, row, world)
    if route.is_api:
        client = world.api_clients[persona]
        if method == "GET":
            return client.get(url)
        return getattr(client, method.lower())(url, body_for(row, world), format=row.body_format)
    client = world.web_clients[persona]
    return client.get(url) if method == "GET" else getattr(client, method.lower())(url, body_for(row, world))


def describe(response) -> str:
    body = b"" if getattr(response, "streaming", False) else response.content[:300]
    return f"{response.status_code} {response.get('Location', '')} {body!r}"


def test_every_route_has_a_row():
    # given every route the URL conf serves (outside the admin)
    served = set(ROUTES)
    # then each has an expectation row, and no row describes a route that is gone
    assert sorted(served - set(EXPECTATIONS)) == [], "add these routes to EXPECTATIONS"
    assert sorted(set(EXPECTATIONS) - served) == [], "these rows name routes that no longer exist"


@pytest.mark.parametrize("key", sorted(key for key, route in ROUTES.items() if route.is_api))
def test_api_rows_cover_every_method_the_view_answers(key):
    # given an API view and the handlers it defines
    view_class = ROUTES[key].view_class
    assert view_class is not None and issubclass(view_class, APIView), key
    answered = {method.upper() for method in ("get", "post", "put", "patch", "delete") if hasattr(view_class, method)}
    # then the table has a row for exactly those methods
    assert set(EXPECTATIONS[key].methods) == answered


@pytest.mark.parametrize(("key", "method"), CASES)
def test_access(world, key, method):
    route, row = ROUTES[key], EXPECTATIONS[key]
    expected = dict(zip(PERSONAS, row.methods[method], strict=True))
    refused = [persona for persona in PERSONAS if expected[persona].is_refusal]
    let_in = [persona for persona in PERSONAS if not expected[persona].is_refusal]
    failures = []

    def ask(persona):
        response = send(world, route, row, method, persona)
        if not expected[persona].matches(response):
            failures.append(f"{persona}: expected {expected[persona].label}, got {describe(response)}")
        elif route.is_api and expected[persona].is_refusal and not response.json().get("detail"):
            failures.append(f"{persona}: a refusal without a readable message")

    # when the refused personas ask first, then those let in (whose writes may change things)
    before = database_snapshot()
    for persona in refused:
        ask(persona)
    changed = changed_tables(before, database_snapshot())
    for persona in let_in:
        ask(persona)
    # then each got what the table says, and the refusals changed nothing
    assert changed == [], f"refused personas {refused} changed {changed}"
    assert failures == []


def _ids(body) -> set:
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    return {item["id"] for item in items}


# What each list answers to each persona who may read it, as World.ids keys.
LIST_CONTENTS = {
    "/api/designs/": {
        "owner": {"design", "claimed_design"},
        "other_customer": {"other_design"},
        "maker_a": set(),
        "maker_b": set(),
        "staff": {"design", "other_design", "claimed_design"},
    },
    "/api/orders/": {
        "owner": {"order", "claimed_order"},
        "other_customer": {"other_order"},
        "staff": {"order", "other_order", "claimed_order"},
    },
    "/api/maker/jobs/": {"maker_a": {"job", "claimed_job"}, "maker_b": {"other_job"}},
    "/api/batches/": {
        "owner": set(),
        "other_customer": set(),
        "maker_a": {"batch", "claimed_batch"},
        "maker_b": {"other_batch"},
        "staff": {"batch", "other_batch", "claimed_batch"},
    },
}


@pytest.mark.parametrize("url", sorted(LIST_CONTENTS))
def test_lists_show_each_persona_only_what_is_its_own(world, url):
    for persona, keys in LIST_CONTENTS[url].items():
        # when the persona lists
        response = world.api_clients[persona].get(url)
        # then it sees exactly its own objects
        assert response.status_code == 200, (persona, response.content[:200])
        assert _ids(response.json()) == {world.ids[key] for key in keys}, persona


def test_a_maker_never_sees_a_job_not_offered_to_it(world):
    # given maker B's job and maker A
    maker_a, other_job = world.api_clients["maker_a"], world.ids["other_job"]
    # then every way of naming that job is a 404 for maker A, and the job is unchanged
    for method, url in (
        ("get", f"/api/maker/jobs/{other_job}/"),
        ("get", f"/api/jobs/{other_job}/photo/"),
        ("get", f"/api/jobs/{other_job}/messages/"),
        ("get", f"/api/maker/jobs/{other_job}/proposals/"),
        ("post", f"/api/maker/jobs/{other_job}/accept/"),
        ("post", f"/api/maker/jobs/{other_job}/decline/"),
        ("post", f"/api/maker/jobs/{other_job}/fail/"),
        ("post", f"/api/maker/jobs/{other_job}/counter-offer/"),
        ("get", f"/api/batches/{world.ids['other_batch']}/"),
        ("get", f"/api/designs/{world.ids['other_design']}/"),
        ("get", f"/api/designs/{world.ids['other_design']}/versions/1/file/"),
    ):
        assert getattr(maker_a, method)(url).status_code == 404, url
    assert maker_a.post(f"/api/maker/jobs/{other_job}/confirm-start/").status_code == 404
    assert maker_a.post(f"/api/maker/jobs/{other_job}/release-agent/").status_code == 404
    for url, body in (
        (f"/api/maker/agent/jobs/{other_job}/claim/", {"agent": "a"}),
        (f"/api/maker/agent/jobs/{other_job}/report/", {"agent": "a", "event": "uploaded"}),
    ):
        assert maker_a.post(url, body, format="json").status_code == 404, url
    web = world.web_clients["maker_a"]
    assert web.get(f"/maker/jobs/{other_job}/").status_code == 404
    assert web.post(f"/maker/jobs/{other_job}/accept/").status_code == 404
    assert web.post(f"/maker/jobs/{other_job}/confirm-start/").status_code == 404
    assert web.post(f"/maker/jobs/{other_job}/release-agent/").status_code == 404
    assert Job.objects.get(pk=other_job).status == "offered"
    assert Job.objects.get(pk=other_job).claimed_by == ""


def test_a_maker_loses_the_design_files_when_its_job_is_declined(world):
    # given maker A declined the job it was offered
    maker_a = world.api_clients["maker_a"]
    assert maker_a.post(f"/api/maker/jobs/{world.ids['job']}/decline/", {"reason": "busy"}).status_code == 200
    design = world.ids["design"]
    # then the customer's design and files are no longer its business, while its own job history stays
    assert maker_a.get(f"/api/designs/{design}/").status_code == 404
    assert maker_a.get(f"/api/designs/{design}/versions/1/file/").status_code == 404
    assert maker_a.get(f"/api/maker/jobs/{world.ids['job']}/").json()["status"] == "declined"


def _without_ids(body: dict, *values) -> str:
    text = str(body)
    for value in values:
        text = text.replace(str(value), "<id>")
    return text


UNKNOWN_ID = 987_654


def _foreign_reference_requests(world):
    """(persona, method, url, body with a foreign id, the same body with an id that exists nowhere)."""
    version_id, order_item = world.ids["version_id"], world.ids["order_item"]
    ship_to = {"lat": 52.52, "lon": 13.405}
    return [
        (
            "other_customer",
            "/api/quotes/",
            {"design_version": version_id, "material": "pla", "quantity": 1, "ship_to": ship_to},
            "design_version",
        ),
        (
            "other_customer",
            "/api/orders/",
            {"items": [{"design_version": version_id, "material": "pla", "quantity": 1}], "ship_to": ship_to},
            "items.0.design_version",
        ),
        ("other_customer", "/api/orders/reorder/", {"items": [order_item]}, "items.0"),
    ]


def _value_at(body: dict, path: str):
    for part in path.split("."):
        body = body[int(part)] if part.isdigit() else body[part]
    return body


def _with_id(body: dict, path: str, value) -> dict:
    import copy

    body = copy.deepcopy(body)
    target = body
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return body


@pytest.mark.parametrize("index", range(3), ids=["quote", "order", "reorder"])
def test_someone_elses_object_in_a_body_reads_as_unknown(world, index):
    persona, url, body, path = _foreign_reference_requests(world)[index]
    client = world.api_clients[persona]
    foreign_value = _value_at(body, path)
    before = database_snapshot()
    # when another customer names carol's object, and then an object that does not exist
    foreign = client.post(url, body, format="json")
    unknown = client.post(url, _with_id(body, path, UNKNOWN_ID), format="json")
    # then both are refused alike (nothing tells that carol's exists) and nothing was written
    assert 400 <= foreign.status_code < 500 and foreign.status_code == unknown.status_code
    assert _without_ids(foreign.json(), foreign_value) == _without_ids(unknown.json(), UNKNOWN_ID)
    assert changed_tables(before, database_snapshot()) == []


def test_admin_is_only_for_staff(world):
    for persona in PERSONAS:
        response = world.web_clients[persona].get("/admin/")
        if persona == "staff":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), persona

"""Server-rendered pages for customers, makers and staff (the API lives under /api/).

The URLs of every page stay here, in the top layer, under the ``web`` namespace; the views of each app's pages live
in that app (``<app>/pages/``), the site shell's and the staff dashboard's in ``web/views/``."""

from allauth.account import views as account_views
from django.urls import path

from accounts.pages import privacy
from accounts.pages import views as account_pages
from billing.pages import payouts
from billing.pages import views as billing
from codesign.pages import views as codesign
from designs.pages import parametric as catalogue
from designs.pages import views as designs
from makers.pages import views as maker_pages
from orders.pages import claims as claims_pages
from orders.pages import counteroffers as counter_offers
from orders.pages import jobs as maker
from orders.pages import numbers as maker_numbers
from orders.pages import staff as staff_orders
from orders.pages import views as orders
from web.views import claims as staff_claims
from web.views import pages, printers, staff

app_name = "web"

# Sign-up, log-in and log-out are django-allauth's views at the site's own short paths, under allauth's URL names
# (allauth reverses ``account_login`` itself: its redirects then land here too). platform/urls.py mounts them at
# the root, outside the ``web`` namespace; the rest of allauth's pages are under /accounts/.
entrance_patterns = [
    path("signup/", account_views.signup, name="account_signup"),
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("accounts/tokens/", account_pages.token_list, name="token-list"),
    path("accounts/tokens/<int:pk>/revoke/", account_pages.token_revoke, name="token-revoke"),
    path("notifications/", pages.notifications, name="notifications"),
    path("notifications/read/", pages.notifications_read, name="notifications-read"),
    # Any signed-in person: download their data, delete their account
    path("account/privacy/", privacy.privacy, name="account-privacy"),
    path("account/privacy/export/", privacy.privacy_export, name="account-privacy-export"),
    path("account/privacy/delete/", privacy.privacy_delete, name="account-privacy-delete"),
    # The test payment provider's hosted page (an unguessable link, like a real provider's checkout)
    path("pay/test/<str:reference>/", billing.test_checkout, name="test-checkout"),
    # Stripe: the customer's card in Stripe.js's Element, confirmed with Stripe from the browser
    path("pay/stripe/<str:reference>/", billing.stripe_checkout, name="stripe-checkout"),
    # Customers
    path("designs/", designs.design_list, name="design-list"),
    path("designs/upload/", designs.design_upload, name="design-upload"),
    path("designs/<int:pk>/", designs.design_detail, name="design-detail"),
    path("designs/<int:pk>/versions/", designs.version_upload, name="design-version-upload"),
    path("designs/<int:pk>/quote/", orders.quote_create, name="quote-create"),
    path(
        "designs/<int:pk>/versions/<int:number>/messages/",
        codesign.version_message_post,
        name="version-message-post",
    ),
    path("jobs/<int:pk>/messages/", codesign.job_message_post, name="job-message-post"),
    path("proposals/<int:pk>/<slug:answer>/", codesign.proposal_answer, name="proposal-answer"),
    path("counter-offers/<int:pk>/<slug:answer>/", counter_offers.counter_offer_answer, name="counter-offer-answer"),
    path("quotes/<int:pk>/", orders.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/live/", orders.quote_live, name="quote-live"),
    path("quotes/<int:pk>/order/", orders.quote_order, name="quote-order"),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/live/", orders.order_live, name="order-live"),
    path("orders/<int:pk>/claims/", claims_pages.order_claim_create, name="order-claim-create"),
    path("orders/<int:pk>/<slug:action>/", orders.order_action, name="order-action"),
    path("makers/apply/", maker_pages.maker_apply, name="maker-apply"),
    path("templates/", catalogue.template_list, name="template-list"),
    path("templates/<slug:slug>/", catalogue.template_detail, name="template-detail"),
    # Makers
    path("maker/jobs/", maker.job_board, name="job-board"),
    path("maker/jobs/<int:pk>/", maker.job_detail, name="job-detail"),
    path("maker/jobs/<int:pk>/accept/", maker.job_accept, name="job-accept"),
    path("maker/jobs/<int:pk>/decline/", maker.job_decline, name="job-decline"),
    path("maker/jobs/<int:pk>/progress/", maker.job_progress, name="job-progress"),
    path("maker/jobs/<int:pk>/fail/", maker.job_fail, name="job-fail"),
    path("maker/jobs/<int:pk>/confirm-start/", maker.job_confirm_start, name="job-confirm-start"),
    path("maker/jobs/<int:pk>/release-agent/", maker.job_release_agent, name="job-release-agent"),
    path("maker/jobs/<int:pk>/proposals/", codesign.proposal_create, name="job-proposal-create"),
    path("maker/jobs/<int:pk>/counter-offer/", counter_offers.counter_offer_create, name="job-counter-offer"),
    path("maker/claims/<int:pk>/answer/", claims_pages.claim_answer, name="claim-answer"),
    path("maker/payouts/", payouts.maker_payouts, name="maker-payouts"),
    path("maker/profile/", maker_pages.maker_profile, name="maker-profile"),
    path("maker/pause/", maker_pages.maker_pause, name="maker-pause"),
    path("maker/printers/", maker_pages.printer_list, name="maker-printers"),
    path("maker/printers/<int:pk>/", maker_pages.printer_edit, name="maker-printer-edit"),
    path("maker/printers/<int:pk>/remove/", maker_pages.printer_remove, name="maker-printer-remove"),
    path("maker/numbers/", maker_numbers.maker_numbers, name="maker-numbers"),
    # Staff
    path("dashboard/", staff.dashboard, name="dashboard"),
    path("dashboard/live/", staff.dashboard_live, name="dashboard-live"),
    path("dashboard/claims/", staff_claims.claims_board, name="claims-board"),
    path("dashboard/printers/", printers.dashboard_printers, name="dashboard-printers"),
    path("dashboard/claims/<int:pk>/decide/", staff_claims.claim_decide, name="claim-decide"),
    path("dashboard/payouts/", payouts.staff_payouts, name="dashboard-payouts"),
    path("dashboard/orders/on-hold/", staff_orders.orders_on_hold_list, name="staff-orders-on-hold"),
    path("dashboard/orders/<int:pk>/", staff_orders.staff_order_detail, name="staff-order-detail"),
    path("dashboard/orders/<int:pk>/dispatch/", staff_orders.staff_order_dispatch, name="staff-order-dispatch"),
    path("dashboard/orders/<int:pk>/cancel/", staff_orders.staff_order_cancel, name="staff-order-cancel"),
    path("dashboard/jobs/<int:pk>/reroute/", staff_orders.staff_job_reroute, name="staff-job-reroute"),
    path("dashboard/makers/", maker_pages.application_list, name="maker-applications"),
    path(
        "dashboard/makers/<int:pk>/<slug:decision>/",
        maker_pages.application_decide,
        name="maker-application-decide",
    ),
]

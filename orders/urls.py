from django.urls import path

from orders.api import agent, claims, counteroffers, views

urlpatterns = [
    path("quotes/", views.QuoteView.as_view(), name="quote"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("orders/", views.OrderListCreateView.as_view(), name="order-list"),
    path("orders/reorder/", views.ReorderView.as_view(), name="order-reorder"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/confirm/", views.OrderConfirmView.as_view(), name="order-confirm"),
    path("orders/<int:pk>/pay/", views.OrderPayView.as_view(), name="order-pay"),
    path("orders/<int:pk>/refund/", views.OrderRefundView.as_view(), name="order-refund"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:pk>/delivered/", views.OrderDeliveredView.as_view(), name="order-delivered"),
    path("maker/jobs/", views.MakerJobListView.as_view(), name="maker-job-list"),
    path("maker/jobs/<int:pk>/", views.MakerJobDetailView.as_view(), name="maker-job-detail"),
    path("maker/jobs/<int:pk>/accept/", views.MakerJobAcceptView.as_view(), name="maker-job-accept"),
    path("maker/jobs/<int:pk>/decline/", views.MakerJobDeclineView.as_view(), name="maker-job-decline"),
    path("maker/jobs/<int:pk>/progress/", views.MakerJobProgressView.as_view(), name="maker-job-progress"),
    path("maker/jobs/<int:pk>/fail/", views.MakerJobFailView.as_view(), name="maker-job-fail"),
    path("maker/jobs/<int:pk>/print-file/", views.MakerJobPrintFileView.as_view(), name="maker-job-print-file"),
    path(
        "maker/jobs/<int:pk>/confirm-start/", agent.MakerJobConfirmStartView.as_view(), name="maker-job-confirm-start"
    ),
    path(
        "maker/jobs/<int:pk>/release-agent/", agent.MakerJobReleaseAgentView.as_view(), name="maker-job-release-agent"
    ),
    path("maker/agent/jobs/", agent.AgentJobListView.as_view(), name="agent-job-list"),
    path("maker/agent/jobs/<int:pk>/claim/", agent.AgentJobClaimView.as_view(), name="agent-job-claim"),
    path("maker/agent/jobs/<int:pk>/report/", agent.AgentJobReportView.as_view(), name="agent-job-report"),
    path("maker/agent/printers/", agent.AgentPrintersView.as_view(), name="agent-printers"),
    path(
        "maker/jobs/<int:pk>/counter-offer/",
        counteroffers.MakerJobCounterOfferView.as_view(),
        name="maker-job-counter-offer",
    ),
    path(
        "orders/<int:pk>/counter-offers/", counteroffers.OrderCounterOffersView.as_view(), name="order-counter-offers"
    ),
    path(
        "counter-offers/<int:pk>/accept/", counteroffers.CounterOfferAcceptView.as_view(), name="counter-offer-accept"
    ),
    path(
        "counter-offers/<int:pk>/decline/",
        counteroffers.CounterOfferDeclineView.as_view(),
        name="counter-offer-decline",
    ),
    path("jobs/<int:pk>/photo/", views.JobPhotoView.as_view(), name="job-photo"),
    path("orders/<int:pk>/claims/", claims.OrderClaimsView.as_view(), name="order-claims"),
    path("claims/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:pk>/answer/", claims.ClaimAnswerView.as_view(), name="claim-answer"),
    path("claims/<int:pk>/decide/", claims.ClaimDecideView.as_view(), name="claim-decide"),
    path("claims/<int:pk>/photos/<int:position>/", claims.ClaimPhotoView.as_view(), name="claim-photo"),
    path("batches/", views.BatchListView.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
]

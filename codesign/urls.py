from django.urls import path

from codesign import api

urlpatterns = [
    # Revisions: the owner uploads one, the maker holding a job of the design proposes one.
    path("designs/<int:pk>/versions/", api.DesignVersionListCreateView.as_view(), name="design-version-list"),
    path("maker/jobs/<int:pk>/proposals/", api.MakerJobProposalsView.as_view(), name="maker-job-proposals"),
    path("jobs/<int:pk>/messages/", api.JobMessagesView.as_view(), name="job-messages"),
    path(
        "designs/<int:pk>/versions/<int:number>/messages/",
        api.DesignVersionMessagesView.as_view(),
        name="design-version-messages",
    ),
    path("orders/<int:pk>/proposals/", api.OrderProposalsView.as_view(), name="order-proposals"),
    path("proposals/<int:pk>/accept/", api.ProposalAcceptView.as_view(), name="proposal-accept"),
    path("proposals/<int:pk>/reject/", api.ProposalRejectView.as_view(), name="proposal-reject"),
]

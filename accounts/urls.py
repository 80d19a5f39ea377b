from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("auth/me/", api.MeView.as_view(), name="auth-me"),
    path("auth/me/export/", api.MeExportView.as_view(), name="auth-me-export"),
    path("auth/email/resend/", api.EmailVerificationResendView.as_view(), name="auth-email-resend"),
    path("auth/tokens/", api.ApiTokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<int:pk>/", api.ApiTokenDetailView.as_view(), name="auth-token-detail"),
    path("addresses/", api.AddressListView.as_view(), name="address-list"),
    path("addresses/<int:pk>/", api.AddressDetailView.as_view(), name="address-detail"),
]

"""The platform's URLs plus ``/bench/trivial/``: a DRF view with the same authentication (token) and the
same kind of permission as the read endpoints, that reads nothing else and returns a tiny JSON body. Its
throughput is what the framework, the token lookup and the server cost alone: the ceiling for any endpoint."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAuthenticatedUser
from platform.urls import urlpatterns as platform_urlpatterns


class TrivialView(APIView):
    permission_classes = [IsAuthenticatedUser]

    def get(self, request):
        return Response({"ok": True, "user": request.user.username})


urlpatterns = [path("bench/trivial/", TrivialView.as_view(), name="bench-trivial"), *platform_urlpatterns]

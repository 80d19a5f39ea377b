"""Server-rendered pages for customers, makers and staff (the API lives under /api/)."""

urlpatterns = []

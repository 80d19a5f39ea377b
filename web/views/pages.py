"""The home page and the notifications list (sign-up and log-in are django-allauth's views, see web/urls.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.models import Notification
from core.notifications import notifications_mark_read
from core.pages import signed_in_required
from designs.parametric import TEMPLATES
from designs.selectors import designs_visible_to
from orders.selectors import orders_visible_to


def home(request):
    """Makers land on their job board and staff on the dashboard; customers see their latest work."""
    user = request.user
    if user.is_authenticated and user.is_maker:
        return redirect("web:job-board")
    if user.is_authenticated and user.is_staff:
        return redirect("web:dashboard")
    context = {"templates": list(TEMPLATES.values())}
    if user.is_authenticated and user.is_customer:
        context["designs"] = list(designs_visible_to(user).filter(owner=user)[:6])
        context["orders"] = list(orders_visible_to(user, detail=False)[:5])
    return render(request, "web/home.html", context)


@signed_in_required
def notifications(request):
    items = list(Notification.objects.filter(user=request.user).order_by("-created_at", "-id")[:50])
    return render(request, "web/notifications.html", {"notifications": items})


@signed_in_required
@require_POST
def notifications_read(request):
    count = notifications_mark_read(user=request.user)
    messages.info(
        request,
        ngettext("Marked %(count)s notification as read.", "Marked %(count)s notifications as read.", count)
        % {"count": count},
    )
    return redirect("web:notifications")

"""The home page, sign-up, and the notifications list."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.services import user_register
from core.errors import DomainError
from core.models import Notification
from core.notifications import notifications_mark_read
from core.pages import signed_in_required
from designs.parametric import TEMPLATES
from designs.selectors import designs_visible_to
from orders.selectors import orders_visible_to
from web.forms import SignUpForm


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


def signup(request):
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                email=form.cleaned_data["email"] or "",
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(
                request, _("Welcome, %(name)s. Upload a design or start from a template.") % {"name": user.username}
            )
            return redirect("web:home")
    return render(request, "registration/signup.html", {"form": form})


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

"""Django admin: every model is registered, and each changelist opens for staff (filters, search)."""

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

OWN_APPS = {"accounts", "billing", "catalogue", "codesign", "core", "designs", "makers", "orders", "slicing"}


def test_every_model_of_the_platform_is_in_the_admin():
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in apps.get_models()
        if model._meta.app_label in OWN_APPS and model not in admin.site._registry
    ]
    assert missing == []


def test_every_changelist_opens_with_search(client, staff):
    staff.is_superuser = True  # the demo's staff account; others get permissions per model in the admin
    staff.save()
    client.force_login(staff)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OWN_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url, {"q": "x"} if model_admin.search_fields else {})
        assert response.status_code == 200, url


# Staff who are not superusers: the "Platform staff" group gives them the admin of the platform's models.


@pytest.fixture
def staff_member(db):
    from accounts.models import Role
    from accounts.services import totp_enrol, user_register
    from tests.factories import STAFF_TOTP_SECRET

    member = user_register(username="stella", password="a-long-passphrase-1", role=Role.STAFF)
    totp_enrol(user=member, secret=STAFF_TOTP_SECRET)  # staff need two-factor authentication for the admin
    return member


def test_a_registered_staff_member_is_in_the_group_that_holds_the_platform_permissions(staff_member):
    from accounts.staff import STAFF_GROUP

    assert staff_member.is_staff and not staff_member.is_superuser
    assert list(staff_member.groups.values_list("name", flat=True)) == [STAFF_GROUP]
    for permission in (
        "orders.change_order",
        "makers.add_maker",
        "orders.change_job",
        "designs.change_designversion",
        "core.view_outboxmessage",
        "accounts.add_user",
        "accounts.delete_apitoken",
    ):
        assert staff_member.has_perm(permission), permission
    for permission in ("accounts.delete_user", "accounts.add_apitoken", "auth.change_group", "auth.change_permission"):
        assert not staff_member.has_perm(permission), permission


def test_a_staff_member_opens_every_changelist_of_the_platform(client, staff_member):
    client.force_login(staff_member)
    for model in admin.site._registry:
        if model._meta.app_label not in OWN_APPS:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_a_staff_member_runs_an_admin_action(client, staff_member, customer, version):
    from orders.models import Order
    from tests.web.conftest import confirmed_order

    order = confirmed_order(customer, version)
    client.force_login(staff_member)
    response = client.post(
        "/admin/orders/order/", {"action": "cancel_orders", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "cancelled"


def test_a_staff_member_onboards_a_maker_but_cannot_grant_powers(client, staff_member, staff, customer):
    from accounts.models import User

    staff.is_superuser = True
    staff.save()
    client.force_login(staff_member)
    page = client.get(f"/admin/accounts/user/{customer.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    assert "staff" not in [value for value, _ in form.fields["role"].choices]

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-maker",
            "password1": "a-long-passphrase-2",
            "password2": "a-long-passphrase-2",
            "role": "maker",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    maker = User.objects.get(username="new-maker")
    assert (maker.role, maker.is_staff, maker.groups.count()) == ("maker", False, 0)

    # Making someone staff, or editing a superuser or another staff member, is refused.
    refused = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "sneaky",
            "password1": "a-long-passphrase-2",
            "password2": "a-long-passphrase-2",
            "role": "staff",
            "usable_password": "true",
        },
    )
    assert refused.status_code == 200 and not User.objects.filter(username="sneaky").exists()
    other_staff = User.objects.create_user("steve", role="staff", is_staff=True)
    for protected in (staff, other_staff):
        url = f"/admin/accounts/user/{protected.pk}/change/"
        assert client.get(url).context["has_change_permission"] is False  # shown read-only
        assert client.post(url, {"username": protected.username, "role": "customer"}).status_code == 403
        assert client.post(f"/admin/accounts/user/{protected.pk}/password/", {}).status_code == 403
        protected.refresh_from_db()
        assert protected.role == "staff"
    # Their own account opens, with the role read-only.
    own = client.get(f"/admin/accounts/user/{staff_member.pk}/change/")
    assert own.status_code == 200 and "role" not in own.context["adminform"].form.fields


def test_changing_the_role_in_the_admin_moves_is_staff_and_the_group(client, staff, customer):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get(f"/admin/accounts/user/{customer.pk}/change/")
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in {"password", "groups", "user_permissions", "last_login"}
    }
    data.update({"role": "staff", "date_joined_0": customer.date_joined.date(), "date_joined_1": "00:00:00"})
    response = client.post(f"/admin/accounts/user/{customer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.is_staff and customer.groups.filter(name="Platform staff").exists()


def test_a_staff_member_who_changes_role_leaves_the_group(staff_member):
    from accounts.staff import sync_staff_membership

    staff_member.role = "customer"
    staff_member.save()
    sync_staff_membership(staff_member)
    assert staff_member.groups.count() == 0 and not staff_member.has_perm("orders.change_order")

"""What the staff role may do in the Django admin, kept in one group.

A user with the staff role (and not a superuser) gets the permissions of the group "Platform staff": every
model of the platform's own apps, the Celery result and schedule tables, and on accounts what onboarding needs
(view, add and change users; clear log-in failures; revoke API keys). Superuser powers stay with superusers:
the user admin hides the permission fields from staff, offers them no staff role and keeps them off other staff
members' and superusers' accounts (accounts.admin).
"""

from django.contrib.auth.models import Group, Permission

from accounts.models import Role, User

STAFF_GROUP = "Platform staff"

# app label -> the permission codenames the group gets there (None: all of the app's permissions)
STAFF_PERMISSIONS: dict[str, set[str] | None] = {
    "core": None,
    "catalogue": None,
    "designs": None,
    "makers": None,
    "slicing": None,
    "billing": None,
    "orders": None,
    "codesign": None,
    "django_celery_results": None,
    "django_celery_beat": None,
    "accounts": {
        "view_user",
        "add_user",
        "change_user",
        "view_loginfailure",
        "delete_loginfailure",
        "view_address",
        "view_accounterasure",
        "view_apitoken",
        "delete_apitoken",  # revoke a leaked key
    },
}


def staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    return group


def grant_app_permissions(app_label: str) -> None:
    """Give the group the permissions it should have in one app (idempotent; run after each migrate)."""
    if app_label not in STAFF_PERMISSIONS:
        return
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    codenames = STAFF_PERMISSIONS[app_label]
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
    staff_group().permissions.add(*permissions)


def sync_staff_membership(user) -> None:
    """Staff-role accounts are in the group and may use the admin; nobody else is in the group."""
    if user.role == Role.STAFF:
        user.groups.add(staff_group())
    else:
        user.groups.through.objects.filter(user=user, group__name=STAFF_GROUP).delete()


def after_migrate(sender, app_config=None, **kwargs) -> None:
    """post_migrate receiver: permissions of an app exist once its own post_migrate has run (Django's
    create_permissions is connected before this one), so each app grants its own."""
    if app_config is not None:
        grant_app_permissions(app_config.label)
        if app_config.label == "accounts":
            staff_group().user_set.add(*User.objects.filter(role=Role.STAFF))

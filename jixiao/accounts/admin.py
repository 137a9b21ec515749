"""Accounts in the admin: read-only. They are managed on the account pages, through the
services that check permissions and write the change log (the admin would go around both)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from jixiao.accounts.models import Membership
from jixiao.lib.admin import ReadOnlyAdmin


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Each account's organisation and role."""

    list_display = ["user", "unit", "bureau", "role", "must_change_password"]
    list_filter = ["role", "bureau"]
    search_fields = ["user__username", "user__first_name", "unit__code", "unit__name"]
    list_select_related = ["user", "unit", "bureau"]


class ReadOnlyUserAdmin(ReadOnlyAdmin, UserAdmin):  # type: ignore[type-arg]
    """Accounts, read-only (no password change form either)."""

    def get_urls(self):  # type: ignore[no-untyped-def]
        # UserAdmin adds a password-change page that writes around the services; drop it.
        return [url for url in super().get_urls() if "password" not in str(url.pattern)]


class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    """Groups, read-only (Jixiao's roles are memberships, not groups)."""


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    """Failed logins counted for lockouts (django-axes); unlocking is on the account page."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    search_fields = ["username", "ip_address"]
    exclude = ["post_data", "get_data"]


admin.site.unregister(User)
admin.site.register(User, ReadOnlyUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, ReadOnlyGroupAdmin)

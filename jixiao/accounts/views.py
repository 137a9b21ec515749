"""The account pages: a bureau's accounts and units, its rule settings, one's own password.

Thin adapters over ``jixiao.accounts.services`` and ``jixiao.units.services``, which check
the permissions and write the change log; objects are fetched through the permission seam
(``get_…_for_user``), so anything outside the person's reach is 404.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import (
    accounts_for,
    get_account_for_user,
    get_bureau_for_user,
    manages_accounts,
)
from jixiao.access.perms import DENIED, can, is_system, require
from jixiao.access.scope import bureaus_for, units_for
from jixiao.accounts import lockout, services
from jixiao.accounts.events import MUST_CHANGE_PASSWORD
from jixiao.accounts.forms import (
    AccountCreateForm,
    AccountEditForm,
    AccountFilterForm,
    BureauSettingsForm,
    ChangeOwnPasswordForm,
    ResetPasswordForm,
    UnitCreateForm,
    resolve_organisation,
)
from jixiao.accounts.models import Membership
from jixiao.audit.history import history_context
from jixiao.audit.versions import StaleEdit
from jixiao.lib.actor import Actor
from jixiao.lib.forms import add_service_errors
from jixiao.lib.params import int_or_none
from jixiao.units.models import FinanceBureau
from jixiao.units.services import create_unit, update_bureau_settings

ACCOUNTS_PER_PAGE = 100


def _require_manager(request: HttpRequest) -> None:
    """Account and unit pages are a bureau administrator's (and a superuser's)."""
    if not manages_accounts(request.user):
        raise PermissionDenied(DENIED["manage_accounts"])


def _membership(user: Any) -> Membership | None:
    try:
        return user.membership  # type: ignore[no-any-return]
    except Membership.DoesNotExist:
        return None


# -- accounts ------------------------------------------------------------------------------


@login_required
@require_safe
def account_list(request: HttpRequest) -> HttpResponse:
    """The accounts of the bureau and of its units, with filters and lockout state."""
    _require_manager(request)
    form = AccountFilterForm(request.GET or None, who=request.user)
    accounts = accounts_for(request.user).select_related("membership__unit", "membership__bureau")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    organisation = data.get("org")
    if organisation is not None:
        is_bureau = isinstance(organisation, FinanceBureau)
        field = "membership__bureau" if is_bureau else "membership__unit"
        accounts = accounts.filter(**{field: organisation})
    if data.get("q"):
        text = data["q"]
        accounts = accounts.filter(Q(username__icontains=text) | Q(first_name__icontains=text))
    if not data.get("inactive"):
        accounts = accounts.filter(is_active=True)
    accounts = accounts.order_by("membership__bureau_id", "membership__unit__code", "username")
    page = Paginator(accounts, ACCOUNTS_PER_PAGE).get_page(int_or_none(request.GET.get("page")))
    locked = lockout.locked_usernames(user.username for user in page.object_list)
    rows = [
        {"user": user, "membership": _membership(user), "locked": user.username in locked}
        for user in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "addresses": lockout.locked_addresses() if is_system(request.user) else [],
            "limit": lockout.failure_limit(),
            "minutes": lockout.cool_off_minutes(),
        },
    )


@login_required
def account_new(request: HttpRequest) -> HttpResponse:
    """Create an account in the bureau or a unit in reach, with a temporary password."""
    _require_manager(request)
    preset = resolve_organisation(request.user, request.GET.get("org"))
    if request.method == "POST":
        form = AccountCreateForm(request.POST, who=request.user, organisation=preset)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.create_account(
                    username=data["username"],
                    password=data["password"],
                    organisation=data["organisation"],
                    role=data["role"],
                    full_name=data["full_name"],
                    actor=Actor.from_request(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已建立账号“%(name)s”。请把临时密码告诉本人，首次登录时须修改密码。")
                    % {"name": user.username},
                )
                return redirect("accounts:detail", pk=user.pk)
    else:
        form = AccountCreateForm(who=request.user, organisation=preset)
    return render(request, "accounts/new.html", {"form": form})


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its name and role (editable), state, lockout, password reset, history."""
    _require_manager(request)
    user = get_account_for_user(request.user, pk)
    membership = _membership(user)
    organisation = membership.organisation if membership is not None else None
    initial = {"full_name": user.first_name, "role": membership.role if membership else ""}
    if request.method == "POST":
        form = AccountEditForm(request.POST, organisation=organisation, initial=initial)
        if form.is_valid():
            try:
                services.update_account(
                    user,
                    full_name=form.cleaned_data["full_name"],
                    role=form.cleaned_data.get("role"),
                    actor=Actor.from_request(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("账号信息已保存。"))
                return redirect("accounts:detail", pk=user.pk)
    else:
        form = AccountEditForm(organisation=organisation, initial=initial)
    return render(
        request,
        "accounts/detail.html",
        {
            "account": user,
            "membership": membership,
            "form": form,
            "reset_form": ResetPasswordForm(),
            "locked": bool(lockout.locked_usernames([user.username])),
            "failures": lockout.failures_of(user.username),
            "limit": lockout.failure_limit(),
            "is_self": user.pk == request.user.pk,
            **history_context(user),
        },
    )


@login_required
@require_POST
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Disable an account (its sessions end at once) or enable it again."""
    _require_manager(request)
    user = get_account_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_active(user, active, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("账号已启用。") if active else _("账号已停用，其登录已失效。"))
    return redirect("accounts:detail", pk=user.pk)


@login_required
@require_POST
def account_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a temporary password; the owner must change it at the next login."""
    _require_manager(request)
    user = get_account_for_user(request.user, pk)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.reset_password(
                user, form.cleaned_data["password"], actor=Actor.from_request(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("密码已重置。请把临时密码告诉本人，下次登录时须修改密码。"))
            return redirect("accounts:detail", pk=user.pk)
    for error in [
        *form.non_field_errors(),
        *form.errors.get("password", []),
        *form.errors.get("password2", []),
    ]:
        messages.error(request, str(error))
    return redirect("accounts:detail", pk=user.pk)


@login_required
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the account's login lockout."""
    _require_manager(request)
    user = get_account_for_user(request.user, pk)
    removed = services.unlock_account(user, actor=Actor.from_request(request))
    if removed:
        messages.success(request, _("已解除登录锁定。"))
    else:
        messages.info(request, _("该账号没有登录失败记录，无需解锁。"))
    return redirect("accounts:detail", pk=user.pk)


@login_required
@require_POST
def address_unlock(request: HttpRequest) -> HttpResponse:
    """Lift an address's login lockout (the server's superuser)."""
    address = (request.POST.get("ip") or "").strip()[:45]
    try:
        address = str(ipaddress.ip_address(address))
    except ValueError:
        raise Http404(_("来源地址不正确。")) from None
    removed = services.unlock_address(address, actor=Actor.from_request(request))
    if removed:
        messages.success(request, _("已解除来源地址 %(ip)s 的登录锁定。") % {"ip": address})
    return redirect("accounts:list")


# -- one's own password --------------------------------------------------------------------


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password (required at the first login and after a reset)."""
    forced = bool(request.session.get(MUST_CHANGE_PASSWORD))
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or next_url.startswith(reverse("accounts:password")):
        next_url = ""
    if request.method == "POST":
        form = ChangeOwnPasswordForm(request.POST)
        if form.is_valid():
            try:
                user = services.change_own_password(
                    request.user,  # type: ignore[arg-type]
                    form.cleaned_data["old_password"],
                    form.cleaned_data["password"],
                    actor=Actor.from_request(request),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "new_password" in exc.error_dict:
                    exc = ValidationError({"password": exc.error_dict["new_password"]})
                add_service_errors(form, exc)
            else:
                # The password is part of the session's hash: keep this session, end the others.
                update_session_auth_hash(request, user)
                request.session.pop(MUST_CHANGE_PASSWORD, None)
                messages.success(request, _("密码已修改。"))
                return redirect(next_url or "workbench:home")
    else:
        form = ChangeOwnPasswordForm()
    return render(
        request, "accounts/password.html", {"form": form, "forced": forced, "next": next_url}
    )


# -- units ---------------------------------------------------------------------------------


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The units in reach, with a form to create one."""
    _require_manager(request)
    if request.method == "POST":
        form = UnitCreateForm(request.POST, who=request.user)
        if form.is_valid():
            try:
                unit = create_unit(**form.service_arguments(), actor=Actor.from_request(request))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已建立预算单位“%(unit)s”。") % {"unit": unit})
                return redirect("accounts:units")
    else:
        form = UnitCreateForm(who=request.user)
    units = (
        units_for(request.user)
        .select_related("parent", "finance_bureau")
        .annotate(accounts=Count("members"))
        .order_by("code", "name")
    )
    return render(request, "accounts/units.html", {"form": form, "units": units})


# -- a bureau's rule settings --------------------------------------------------------------


@login_required
@require_safe
def settings_index(request: HttpRequest) -> HttpResponse:
    """The person's bureau's settings; a superuser picks a bureau."""
    bureaus = list(bureaus_for(request.user))
    if not bureaus and not is_system(request.user):
        raise PermissionDenied(_("只有财政局的人员可以查看绩效规则设置。"))
    if len(bureaus) == 1 and not is_system(request.user):
        return redirect("accounts:settings", pk=bureaus[0].pk)
    return render(request, "accounts/settings_index.html", {"bureaus": bureaus})


@login_required
def bureau_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Every rule setting of the bureau beside its default; its administrator saves them."""
    bureau = get_bureau_for_user(request.user, pk)
    require(request.user, "view_bureau", bureau)
    editable = can(request.user, "edit_settings", bureau)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(DENIED["edit_settings"])
        form = BureauSettingsForm(request.POST, policy=bureau.policy, version=bureau.version)
        if form.is_valid():
            try:
                update_bureau_settings(
                    bureau,
                    form.changes(),
                    actor=Actor.from_request(request),
                    version=form.cleaned_data.get("version"),
                )
            except StaleEdit as exc:
                for line in exc.messages:
                    messages.error(request, line)
                # The person has now seen what changed; saving again is their decision.
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = BureauSettingsForm(data, policy=bureau.policy, version=exc.current_version)
                form.is_valid()
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("绩效规则设置已保存。"))
                return redirect("accounts:settings", pk=bureau.pk)
    else:
        form = BureauSettingsForm(policy=bureau.policy, version=bureau.version)
    if not editable:
        form.read_only()
    return render(
        request,
        "accounts/settings.html",
        {"bureau": bureau, "form": form, "editable": editable, **history_context(bureau)},
    )


# -- logging in ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's login page, stating the lockout rule (django-axes answers a locked login)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(limit=lockout.failure_limit(), minutes=lockout.cool_off_minutes())
        return context

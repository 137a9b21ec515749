"""The account pages: who may open them, creating, editing, disabling, resetting; units; the
bureau's rule settings; the navigation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import NoReverseMatch, reverse

from conftest import PERSONA_PASSWORD
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog
from jixiao.units.models import FinanceBureau, Unit

pytestmark = pytest.mark.django_db

TEMP = "Temp-Pass-2026"


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _new_account(client: Client, organisation: str, role: str, username: str = "newbie"):
    return client.post(
        reverse("accounts:new"),
        {
            "username": username,
            "full_name": "新同事",
            "organisation": organisation,
            "role": role,
            "password": TEMP,
            "password2": TEMP,
        },
    )


# -- who may open them ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "auditor", "officer", "head", "other_reviewer"])
@pytest.mark.parametrize("name", ["accounts:list", "accounts:new", "accounts:units"])
def test_account_pages_are_403_for_everybody_but_the_bureau_admin(persona, name, request):
    user = request.getfixturevalue(persona)

    assert _as(user).get(reverse(name)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, org):
    response = client.get(reverse("accounts:list"))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_bureau_admin_lists_the_accounts_of_its_bureau_and_units_only(
    bureau_admin, officer, officer_b, reviewer, other_reviewer
):
    text = _as(bureau_admin).get(reverse("accounts:list")).content.decode()

    for name in ("officer", "officer_b", "reviewer", "bureau_admin"):
        assert f">{name}</a>" in text
    assert "other_reviewer" not in text


def test_the_account_list_filters_by_organisation(bureau_admin, officer, officer_b, org):
    client = _as(bureau_admin)

    text = client.get(reverse("accounts:list"), {"org": f"u{org.unit_b.pk}"}).content.decode()

    assert ">officer_b</a>" in text and ">officer</a>" not in text
    assert client.get(reverse("accounts:list"), {"org": f"u{org.other_unit.pk}"}).status_code == 404
    assert client.get(reverse("accounts:list"), {"org": "x1"}).status_code == 200


def test_an_account_outside_the_admins_reach_is_404(bureau_admin, other_reviewer):
    client = _as(bureau_admin)

    assert client.get(reverse("accounts:detail", args=[other_reviewer.pk])).status_code == 404
    assert client.get(reverse("accounts:detail", args=[999999])).status_code == 404


# -- creating an account -------------------------------------------------------------------


def test_the_bureau_admin_creates_an_account_in_its_unit(bureau_admin, org):
    response = _new_account(_as(bureau_admin), f"u{org.unit.pk}", Role.OFFICER)

    user = User.objects.get(username="newbie")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:detail", args=[user.pk])
    membership = Membership.objects.get(user=user)
    assert (membership.unit_id, membership.role, membership.must_change_password) == (
        org.unit.pk,
        Role.OFFICER,
        True,
    )
    assert user.check_password(TEMP) and user.first_name == "新同事"
    row = ChangeLog.objects.get(action=Action.CREATE, object_repr="newbie")
    assert (row.user_id, row.unit_id, row.after["role"]) == (
        bureau_admin.pk,
        org.unit.pk,
        "officer",
    )


def test_the_new_account_must_change_its_password_at_first_login(bureau_admin, org, client):
    _new_account(_as(bureau_admin), f"u{org.unit.pk}", Role.OFFICER)

    client.post("/login/", {"username": "newbie", "password": TEMP})

    assert client.get("/").headers["Location"].startswith(reverse("accounts:password"))


def test_the_bureau_admin_creates_a_bureau_account(bureau_admin, org):
    _new_account(_as(bureau_admin), f"b{org.bureau.pk}", Role.REVIEWER)

    assert Membership.objects.get(user__username="newbie").bureau_id == org.bureau.pk


def test_creating_an_account_in_another_bureaus_unit_is_404(bureau_admin, org):
    response = _new_account(_as(bureau_admin), f"u{org.other_unit.pk}", Role.OFFICER)

    assert response.status_code == 404
    assert not User.objects.filter(username="newbie").exists()


def test_creating_an_account_in_another_bureau_is_404(bureau_admin, org):
    response = _new_account(_as(bureau_admin), f"b{org.other_bureau.pk}", Role.REVIEWER)

    assert response.status_code == 404


def test_a_bureau_role_for_a_unit_account_is_a_form_error(bureau_admin, org):
    response = _new_account(_as(bureau_admin), f"u{org.unit.pk}", Role.REVIEWER)

    assert response.status_code == 200
    assert "预算单位的账号只能是填报员、单位负责人或审计" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_a_weak_temporary_password_is_a_form_error_in_chinese(bureau_admin, org):
    client = _as(bureau_admin)

    response = client.post(
        reverse("accounts:new"),
        {
            "username": "newbie",
            "organisation": f"u{org.unit.pk}",
            "role": Role.OFFICER,
            "password": "short",
            "password2": "short",
        },
    )

    text = response.content.decode()
    assert "密码太短，至少须有 10 个字符。" in text
    assert "密码要求" in text  # the policy is stated on the page
    assert not User.objects.filter(username="newbie").exists()


def test_a_taken_username_is_a_form_error(bureau_admin, officer, org):
    response = _new_account(_as(bureau_admin), f"u{org.unit.pk}", Role.OFFICER, "OFFICER")

    assert "已被使用" in response.content.decode()


def test_the_new_page_offers_the_roles_of_the_chosen_organisation(bureau_admin, org):
    client = _as(bureau_admin)

    unit_page = client.get(reverse("accounts:new"), {"org": f"u{org.unit.pk}"}).content.decode()
    bureau_page = client.get(reverse("accounts:new"), {"org": f"b{org.bureau.pk}"})

    assert 'value="head"' in unit_page and 'value="reviewer"' not in unit_page
    assert 'value="reviewer"' in bureau_page.content.decode()
    assert 'value="head"' not in bureau_page.content.decode()


# -- editing, disabling, resetting ---------------------------------------------------------


def test_the_admin_changes_an_accounts_name_and_role(bureau_admin, officer):
    response = _as(bureau_admin).post(
        reverse("accounts:detail", args=[officer.pk]), {"full_name": "新名字", "role": "head"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=officer).role == Role.HEAD
    row = ChangeLog.objects.filter(action=Action.UPDATE, object_type="auth.user").get()
    assert (row.before, row.after) == (
        {"full_name": "经办人", "role": "officer"},
        {"full_name": "新名字", "role": "head"},
    )


def test_a_bureau_role_for_a_unit_account_is_refused_on_edit(bureau_admin, officer):
    response = _as(bureau_admin).post(
        reverse("accounts:detail", args=[officer.pk]), {"full_name": "x", "role": "admin"}
    )

    assert response.status_code == 200
    assert Membership.objects.get(user=officer).role == Role.OFFICER


def test_disabling_an_account_ends_its_sessions(bureau_admin, officer):
    session = _as(officer)
    assert session.get("/ledgers/").status_code == 200

    response = _as(bureau_admin).post(
        reverse("accounts:active", args=[officer.pk]), {"active": "0"}
    )

    assert response.status_code == 302
    assert User.objects.get(pk=officer.pk).is_active is False
    assert session.get("/ledgers/")["Location"].startswith("/login/")
    row = ChangeLog.objects.get(action=Action.DISABLE)
    assert (row.before, row.after) == ({"is_active": True}, {"is_active": False})
    refused = Client().post("/login/", {"username": "officer", "password": PERSONA_PASSWORD})
    assert refused.status_code == 200  # the login form again, no session


def test_enabling_an_account_again(bureau_admin, officer):
    client = _as(bureau_admin)
    client.post(reverse("accounts:active", args=[officer.pk]), {"active": "0"})

    client.post(reverse("accounts:active", args=[officer.pk]), {"active": "1"})

    assert User.objects.get(pk=officer.pk).is_active is True
    assert ChangeLog.objects.filter(action=Action.ENABLE).count() == 1


def test_the_admin_cannot_disable_itself(bureau_admin):
    client = _as(bureau_admin)

    client.post(reverse("accounts:active", args=[bureau_admin.pk]), {"active": "0"})

    assert User.objects.get(pk=bureau_admin.pk).is_active is True


def test_the_admin_resets_a_password(bureau_admin, officer):
    response = _as(bureau_admin).post(
        reverse("accounts:reset_password", args=[officer.pk]),
        {"password": TEMP, "password2": TEMP},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=officer.pk).check_password(TEMP)
    assert Membership.objects.get(user=officer).must_change_password is True
    assert ChangeLog.objects.filter(action=Action.PASSWORD_RESET).count() == 1


def test_a_reset_with_mismatched_passwords_changes_nothing(bureau_admin, officer):
    client = _as(bureau_admin)

    client.post(
        reverse("accounts:reset_password", args=[officer.pk]),
        {"password": TEMP, "password2": TEMP + "x"},
    )

    assert User.objects.get(pk=officer.pk).check_password(PERSONA_PASSWORD)
    page = client.get(reverse("accounts:detail", args=[officer.pk])).content.decode()
    assert "两次输入的密码不一致" in page


def test_the_account_page_shows_its_history(bureau_admin, officer):
    client = _as(bureau_admin)
    client.post(
        reverse("accounts:detail", args=[officer.pk]), {"full_name": "新名字", "role": "head"}
    )

    text = client.get(reverse("accounts:detail", args=[officer.pk])).content.decode()

    assert "修改记录" in text and "新名字" in text


def test_a_superuser_manages_every_account(officer, other_reviewer):
    root = User.objects.create_superuser("root", "", PERSONA_PASSWORD)
    client = _as(root)

    text = client.get(reverse("accounts:list")).content.decode()

    assert ">officer</a>" in text and ">other_reviewer</a>" in text


# -- units ---------------------------------------------------------------------------------


def test_the_units_page_lists_the_bureaus_units_and_creates_one(bureau_admin, org):
    client = _as(bureau_admin)
    page = client.get(reverse("accounts:units")).content.decode()
    assert "224001" in page and "224002" in page and "324001" not in page

    response = client.post(reverse("accounts:units"), {"code": "224003", "name": "昌黎县图书馆"})

    assert response.status_code == 302
    unit = Unit.objects.get(code="224003")
    assert (unit.finance_bureau_id, unit.parent_id) == (org.bureau.pk, None)
    row = ChangeLog.objects.get(action=Action.CREATE, object_type="units.unit", object_id=unit.pk)
    assert (row.user_id, row.after["name"], row.bureau_id) == (
        bureau_admin.pk,
        "昌黎县图书馆",
        org.bureau.pk,
    )


def test_a_unit_under_a_parent_in_reach(bureau_admin, org):
    _as(bureau_admin).post(
        reverse("accounts:units"),
        {"code": "224001001", "name": "下属单位", "parent": str(org.unit.pk)},
    )

    unit = Unit.objects.get(code="224001001")
    assert (unit.parent_id, unit.finance_bureau_id, unit.bureau) == (org.unit.pk, None, org.bureau)


def test_a_parent_outside_reach_is_404(bureau_admin, org):
    response = _as(bureau_admin).post(
        reverse("accounts:units"),
        {"code": "224009", "name": "外", "parent": str(org.other_unit.pk)},
    )

    assert response.status_code == 404
    assert not Unit.objects.filter(code="224009").exists()


# -- the bureau's rule settings ------------------------------------------------------------


def _settings_data(client: Client, bureau: FinanceBureau, **changes: str) -> dict[str, str]:
    form = client.get(reverse("accounts:settings", args=[bureau.pk])).context["form"]
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    data.update(changes)
    return {k: v for k, v in data.items() if v != "off"}


def test_the_settings_page_shows_every_setting_with_its_default(bureau_admin, org):
    import dataclasses

    from jixiao.core.policy import Policy

    response = _as(bureau_admin).get(reverse("accounts:settings", args=[org.bureau.pk]))

    text = response.content.decode()
    for spec in dataclasses.fields(Policy):
        assert f'name="{spec.name}"' in text
        assert f"设置名 {spec.name}" in text
    assert "默认：50（设置名 points_output）" in text
    assert "默认：80:89, 70:79, 60:69, 50:59" in text


def test_a_bureau_saves_its_own_words_and_the_hubei_layout(bureau_admin, org):
    client = _as(bureau_admin)
    data = _settings_data(
        client,
        org.bureau,
        words_met="已办结，全部办结",
        words_zero="零发案",
        monitoring_layout="hubei",
    )
    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), data)
    assert response.status_code == 302
    bureau = FinanceBureau.objects.get(pk=org.bureau.pk)
    assert bureau.settings == {
        "monitoring_layout": "hubei",
        "words_met": ["已办结", "全部办结"],
        "words_zero": ["零发案"],
    }
    assert bureau.policy.vocabulary.grade("已办结") == "达成"
    # The page shows them back, joined by 、.
    text = client.get(reverse("accounts:settings", args=[org.bureau.pk])).content.decode()
    assert 'value="已办结、全部办结"' in text


def test_a_word_in_two_grades_is_refused_on_the_page(bureau_admin, org):
    client = _as(bureau_admin)
    data = _settings_data(client, org.bureau, words_met="已办结", words_unmet="已办结")
    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), data)
    assert response.status_code == 200
    assert "词语“已办结”同时出现在 words_met 和 words_unmet 中。" in response.content.decode()


def test_every_setting_has_a_chinese_label():
    import dataclasses

    from jixiao.accounts.forms import SETTING_LABELS, SETTING_SECTIONS
    from jixiao.core.policy import Policy

    names = {spec.name for spec in dataclasses.fields(Policy)}
    assert set(SETTING_LABELS) == names
    assert {name for _title, fields in SETTING_SECTIONS for name in fields} == names


def test_the_admin_saves_the_settings_with_the_version(bureau_admin, org):
    client = _as(bureau_admin)
    data = _settings_data(
        client,
        org.bureau,
        points_output="40",
        points_benefit="40",
        execution_caps="80:85, 60:70",
        reverse_formula="linear",
    )
    data.pop("reason_on_blue", None)  # unticked

    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), data)

    assert response.status_code == 302
    bureau = FinanceBureau.objects.get(pk=org.bureau.pk)
    assert bureau.settings == {
        "points_output": "40",
        "points_benefit": "40",
        "reverse_formula": "linear",
        "execution_caps": [["80", "85"], ["60", "70"]],
        "reason_on_blue": False,
    }
    assert bureau.version == 2
    row = ChangeLog.objects.get(action=Action.SETTINGS)
    assert (row.user_id, row.bureau_id, row.before, row.object_version) == (
        bureau_admin.pk,
        org.bureau.pk,
        {"settings": {}},
        2,
    )


def test_a_stale_settings_save_is_refused_with_what_changed(bureau_admin, org):
    client = _as(bureau_admin)
    first = _settings_data(client, org.bureau, points_output="40", points_benefit="40")
    second = _settings_data(client, org.bureau, points_output="60", points_benefit="20")
    client.post(reverse("accounts:settings", args=[org.bureau.pk]), first)

    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), second)

    assert response.status_code == 200
    text = response.content.decode()
    assert "已被他人修改" in text and "财政管理员（bureau_admin）" in text
    assert 'value="60"' in text  # the person's typed values are kept
    assert FinanceBureau.objects.get(pk=org.bureau.pk).settings["points_output"] == "40"


def test_settings_that_do_not_add_up_are_refused_in_chinese(bureau_admin, org):
    client = _as(bureau_admin)
    data = _settings_data(client, org.bureau, points_output="70")

    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), data)

    assert "应为 100" in response.content.decode()
    assert FinanceBureau.objects.get(pk=org.bureau.pk).version == 1


def test_malformed_execution_caps_are_a_form_error(bureau_admin, org):
    client = _as(bureau_admin)
    data = _settings_data(client, org.bureau, execution_caps="80-89")

    response = client.post(reverse("accounts:settings", args=[org.bureau.pk]), data)

    assert "不是“执行率下限:总分上限”的形式" in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "auditor"])
def test_reviewers_and_auditors_read_the_settings_but_cannot_save(persona, org, request):
    client = _as(request.getfixturevalue(persona))

    page = client.get(reverse("accounts:settings", args=[org.bureau.pk]))

    assert page.status_code == 200
    assert "保存设置" not in page.content.decode()
    assert 'name="points_output"' in page.content.decode()
    assert client.post(reverse("accounts:settings", args=[org.bureau.pk]), {}).status_code == 403


@pytest.mark.parametrize("persona", ["officer", "head", "other_reviewer"])
def test_other_people_get_404_for_the_bureaus_settings(persona, org, request):
    client = _as(request.getfixturevalue(persona))

    assert client.get(reverse("accounts:settings", args=[org.bureau.pk])).status_code == 404


def test_the_settings_index_sends_bureau_people_to_their_bureau(reviewer, officer, org):
    response = _as(reviewer).get(reverse("accounts:settings_index"))

    assert response["Location"] == reverse("accounts:settings", args=[org.bureau.pk])
    assert _as(officer).get(reverse("accounts:settings_index")).status_code == 403


# -- the navigation ------------------------------------------------------------------------


def test_the_navigation_shows_the_organisation_role_and_the_links_of_the_role(
    bureau_admin, officer, reviewer, org
):
    admin_page = _as(bureau_admin).get("/ledgers/").content.decode()
    officer_page = _as(officer).get("/ledgers/").content.decode()
    reviewer_page = _as(reviewer).get("/ledgers/").content.decode()

    assert "昌黎县财政局 · 财政管理员" in admin_page
    assert ">账号管理</a>" in admin_page and ">审计日志</a>" in admin_page
    assert ">修改密码</a>" in officer_page and ">导入文档</a>" in officer_page
    assert ">账号管理</a>" not in officer_page and ">审计日志</a>" not in officer_page
    assert "224001" in officer_page and "填报员" in officer_page
    assert ">导入文档</a>" not in reviewer_page and ">审计日志</a>" in reviewer_page
    assert ">规则设置</a>" in reviewer_page and ">账号管理</a>" not in reviewer_page


# -- the admin -----------------------------------------------------------------------------


def test_the_admin_never_writes_accounts(officer):
    root = User.objects.create_superuser("root", "", PERSONA_PASSWORD)
    client = _as(root)

    assert client.get(f"/admin/auth/user/{officer.pk}/change/").status_code == 200  # to read
    assert client.get("/admin/auth/user/add/").status_code == 403
    posted = client.post(f"/admin/auth/user/{officer.pk}/change/", {"username": "renamed"})
    assert posted.status_code == 403
    with pytest.raises(NoReverseMatch):  # no password form that writes around the services
        reverse("admin:auth_user_password_change", args=[officer.pk])
    assert client.get("/admin/auth/group/add/").status_code == 403
    assert client.get("/admin/accounts/membership/add/").status_code == 403
    assert client.get("/admin/audit/changelog/").status_code == 200
    assert User.objects.get(pk=officer.pk).username == "officer"

"""URLs of the account pages: accounts, units, a bureau's rule settings, one's password."""

from __future__ import annotations

from django.urls import URLPattern, path

from jixiao.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("", views.account_list, name="list"),
    path("new/", views.account_new, name="new"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/active/", views.account_active, name="active"),
    path("<int:pk>/password/", views.account_reset_password, name="reset_password"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("addresses/unlock/", views.address_unlock, name="unlock_address"),
    path("password/", views.change_password, name="password"),
    path("units/", views.unit_list, name="units"),
    path("settings/", views.settings_index, name="settings_index"),
    path("settings/<int:pk>/", views.bureau_settings, name="settings"),
]

"""Every answer under /api/ is JSON: unknown paths 404, wrong methods 405, in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def _json(response: object) -> dict[str, object]:
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    return response.json()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    "path", ["/api/nothing/", "/api/v1/units/999999/", "/api/", "/api/records/x/y", "/api/me/"]
)
def test_an_unknown_api_path_answers_json_404_in_chinese(path: str) -> None:
    for client in (Client(), _logged_in()):
        for method in ("get", "post", "delete"):
            response = getattr(client, method)(path)
            assert response.status_code == 404, (method, path)
            body = _json(response)
            assert body["detail"] == f"没有这个接口：{path}。接口列表见 /api/docs。"
            assert body["errors"] == []


def test_a_method_the_path_does_not_take_answers_json_405() -> None:
    client = _logged_in()
    response = client.delete("/api/me")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert _json(response)["detail"] == "接口 /api/me 不接受 DELETE 请求，可用：GET。"
    docs = Client().post("/api/openapi.json")
    assert docs.status_code == 405
    assert "不接受 POST 请求" in str(_json(docs)["detail"])
    assert set(docs["Allow"].split(", ")) == {"GET", "HEAD"}


def test_pages_outside_the_api_keep_the_html_404() -> None:
    response = _logged_in().get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _logged_in() -> Client:
    user = get_user_model().objects.create_user("api404", password="x")
    client = Client()
    client.force_login(user)
    return client

"""API tokens: listed and revoked by their owner; keys kept as digests; old authtoken keys migrated."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_made_listed_without_its_key_and_works(customer):
    made = client_for(customer).post("/api/auth/tokens/", {"name": "workshop script"}, format="json")
    assert made.status_code == 201
    body = made.json()
    key = body["key"]
    assert len(key) == 40
    assert (body["token"]["name"], body["token"]["prefix"], body["token"]["scope"]) == (
        "workshop script",
        key[:8],
        "full",
    )
    row = ApiToken.objects.get(pk=body["token"]["id"])
    assert row.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=row.pk).values().get())  # the key itself is nowhere
    listed = client_for(customer).get("/api/auth/tokens/").json()
    assert [(t["name"], t["prefix"]) for t in listed] == [("workshop script", key[:8]), ("tests", customer.api_key[:8])]
    assert all("key" not in t for t in listed)
    assert with_key(key).get("/api/auth/me/").json()["username"] == "carol"


def test_revoking_stops_the_key_at_once_and_others_tokens_are_not_found(customer, other_customer):
    _made = client_for(customer).post("/api/auth/tokens/", {"name": "laptop"}, format="json").json()
    token_id, key = _made["token"]["id"], _made["key"]
    # oscar cannot revoke carol's token: 404, and it still works
    refused = client_for(other_customer).delete(f"/api/auth/tokens/{token_id}/")
    assert refused.status_code == 404
    assert with_key(key).get("/api/auth/me/").status_code == 200
    # carol revokes it: the key is refused at once
    assert client_for(customer).delete(f"/api/auth/tokens/{token_id}/").status_code == 204
    assert not ApiToken.objects.filter(pk=token_id).exists()
    answer = with_key(key).get("/api/auth/me/")
    assert (answer.status_code, answer.json()["detail"]) == (401, "Invalid token.")
    assert answer["WWW-Authenticate"] == "Token"


def test_last_used_is_written_at_most_once_a_minute(customer):
    token = ApiToken.objects.get(user=customer, name="tests")
    assert token.last_used_at is None
    with_key(customer.api_key).get("/api/auth/me/")
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with_key(customer.api_key).get("/api/auth/me/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with_key(customer.api_key).get("/api/auth/me/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": ""}, "invalid"),
        ({"name": "x", "scope": "root"}, "invalid"),
        ({"name": "x", "scope": "agent"}, "scope_not_allowed"),  # a customer has no print agent
        ({}, "invalid"),
    ],
)
def test_bad_token_requests_are_400_and_make_nothing(customer, body, code):
    before = ApiToken.objects.count()
    response = client_for(customer).post("/api/auth/tokens/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert ApiToken.objects.count() == before


def test_the_token_page_shows_a_new_key_once_and_revokes(customer, other_customer):
    browser = client_as(customer)
    page = browser.post("/accounts/tokens/", {"name": "printer farm"})
    assert page.status_code == 200
    key = page.context["new_key"]
    assert key in page.content.decode()
    token = ApiToken.objects.get(user=customer, name="printer farm")
    assert browser.get("/accounts/tokens/").content.decode().count(key) == 0  # never shown again
    assert client_as(other_customer).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert browser.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert with_key(key).get("/api/auth/me/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_old_authtoken_keys_still_authenticate_after_the_migration():
    executor = MigrationExecutor(connection)
    before = [("accounts", "0005_api_token"), ("authtoken", "0004_alter_tokenproxy_options")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldToken = old_apps.get_model("authtoken", "Token")
    user = OldUser.objects.create(username="veteran", role="customer", is_active=True)
    OldToken.objects.create(key="0123456789abcdef0123456789abcdef01234567", user=user)
    # when the migration runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the same key works, kept as a digest under the name "default", and the plain key is gone
    token = ApiToken.objects.get(user_id=user.pk)
    assert (token.name, token.prefix, token.scope) == ("default", "01234567", "full")
    assert with_key("0123456789abcdef0123456789abcdef01234567").get("/api/auth/me/").json()["username"] == "veteran"
    assert OldToken.objects.count() == 0


def test_the_api_log_in_makes_a_new_token_each_time(customer):
    api = APIClient()
    first = api.post("/api/auth/token/", {"username": "carol", "password": "correct-horse-battery"}, format="json")
    second = api.post(
        "/api/auth/token/", {"username": "carol@example.com", "password": "correct-horse-battery"}, format="json"
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["token"] != second.json()["token"]
    assert ApiToken.objects.filter(user=customer, name="log-in").count() == 2


def test_a_maker_lists_only_its_own_tokens(maker_user, customer):
    assert [t["name"] for t in client_for(maker_user).get("/api/auth/tokens/").json()] == ["tests"]
    UserFactory(username="someone")
    assert len(client_for(maker_user).get("/api/auth/tokens/").json()) == 1


def test_the_api_log_in_keeps_the_ten_most_recently_used_log_in_tokens(customer):
    # given ten log-in tokens, the oldest of them used a moment ago (a long-running script)
    api = APIClient()
    credentials = {"username": "carol", "password": "correct-horse-battery"}
    keys = [api.post("/api/auth/token/", credentials, format="json").json()["token"] for _ in range(10)]
    ApiToken.objects.filter(digest=ApiToken.digest_of(keys[0])).update(last_used_at=timezone.now())
    # when carol logs in once more
    newest = api.post("/api/auth/token/", credentials, format="json")
    # then the least recently used log-in token (the second one) is revoked, the others and "tests" still work
    assert newest.status_code == 200
    assert ApiToken.objects.filter(user=customer, name="log-in").count() == 10
    assert with_key(keys[1]).get("/api/auth/me/").status_code == 401
    for key in [keys[0], *keys[2:], newest.json()["token"], customer.api_key]:
        assert with_key(key).get("/api/auth/me/").status_code == 200


# Scopes: a maker's print-agent token opens the maker API only.


def test_a_maker_makes_an_agent_token_that_opens_the_maker_api_only(maker_user):
    # given a print-agent token of the maker
    made = client_for(maker_user).post("/api/auth/tokens/", {"name": "workshop agent", "scope": "agent"}, format="json")
    assert made.status_code == 201
    assert made.json()["token"]["scope"] == "agent"
    agent = with_key(made.json()["key"])
    # then it reads the maker API
    assert agent.get("/api/maker/jobs/").status_code == 200
    assert agent.get("/api/maker/printers/").status_code == 200
    # and is refused elsewhere: the account, tokens (it cannot make a full one), designs
    before = ApiToken.objects.count()
    for method, path in [
        ("get", "/api/auth/me/"),
        ("get", "/api/auth/tokens/"),
        ("post", "/api/auth/tokens/"),
        ("get", "/api/designs/"),
        ("get", "/api/batches/"),
    ]:
        response = getattr(agent, method)(path, {"name": "escalate"} if method == "post" else None, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "token_scope"), path
        assert "print agent" in response.json()["detail"]
    assert ApiToken.objects.count() == before
    # while the maker's full token still opens everything the maker may do
    assert client_for(maker_user).get("/api/auth/me/").status_code == 200


def test_the_token_page_offers_the_agent_scope_to_makers_only(maker_user, customer):
    assert "scope" not in client_as(customer).get("/accounts/tokens/").context["form"].fields
    # a customer who sends it anyway gets a full token: the field is not theirs
    client_as(customer).post("/accounts/tokens/", {"name": "sneaky", "scope": "agent"})
    assert ApiToken.objects.get(user=customer, name="sneaky").scope == "full"
    page = client_as(maker_user).post("/accounts/tokens/", {"name": "farm agent", "scope": "agent"})
    assert page.status_code == 200
    assert ApiToken.objects.get(user=maker_user, name="farm agent").scope == "agent"
    assert "Print agent" in page.content.decode()

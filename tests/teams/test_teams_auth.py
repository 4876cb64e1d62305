"""With MICROSOFT_APP_ID/PASSWORD set, the Bot Framework JWT is verified: missing or wrong tokens get 401.

The Bot Framework's signing keys are normally fetched from login.botframework.com; the tests seed
botbuilder's key cache with a key of their own, so no network is used.
"""

import json
import time
from datetime import datetime

import jwt
import pytest
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.app import App
from bot.config import Settings
from bot.server import build_web_app
from tests.teams.conftest import activity

APP_ID = "00000000-aaaa-4bbb-8ccc-000000000001"
KID = "test-signing-key"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys():
    return {"trusted": _key(), "attacker": _key()}


@pytest.fixture
def published_key(keys):
    """Make `trusted` the Bot Framework's published signing key, for this test only."""
    url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    jwk = json.loads(RSAAlgorithm.to_jwk(keys["trusted"].public_key()))
    jwk.update({"kid": KID, "endorsements": ["msteams"]})
    metadata = _OpenIdMetadata(url)
    metadata.keys = [jwk]
    metadata.last_updated = datetime.now()
    previous = JwtTokenExtractor.metadataCache.get(url)
    JwtTokenExtractor.metadataCache[url] = metadata
    yield
    if previous is None:
        JwtTokenExtractor.metadataCache.pop(url, None)
    else:
        JwtTokenExtractor.metadataCache[url] = previous


def token(private_key, service_url: str, *, audience: str = APP_ID, issuer: str = "https://api.botframework.com") -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 60, "exp": now + 3600}
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": KID})


@pytest.fixture
async def secured_client(aiohttp_client, db_url, clock):
    settings = Settings(
        database_url=db_url, microsoft_app_id=APP_ID, microsoft_app_password="s3cret-value", _env_file=None
    )
    application = App(settings, clock=clock)
    yield await aiohttp_client(build_web_app(application))
    application.close()


async def test_missing_token_is_401_and_nothing_is_sent(secured_client, connector):
    response = await secured_client.post("/api/messages", json=activity(connector, text="what is supervision?"))
    assert response.status == 401
    assert connector.calls == []


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a.b.c"])
async def test_garbage_tokens_are_401(secured_client, connector, header):
    response = await secured_client.post(
        "/api/messages", json=activity(connector, text="hello"), headers={"Authorization": header}
    )
    assert response.status == 401
    assert connector.calls == []


async def test_token_signed_with_the_wrong_key_is_401(secured_client, connector, keys, published_key):
    forged = token(keys["attacker"], connector.url)
    response = await secured_client.post(
        "/api/messages", json=activity(connector, text="hello"), headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status == 401
    assert connector.calls == []


async def test_token_for_another_bot_or_issuer_is_401(secured_client, connector, keys, published_key):
    for bad in (
        token(keys["trusted"], connector.url, audience="someone-elses-bot"),
        token(keys["trusted"], connector.url, issuer="https://evil.example"),
        token(keys["trusted"], "https://other-service.example/"),
    ):
        response = await secured_client.post(
            "/api/messages", json=activity(connector, text="hello"), headers={"Authorization": f"Bearer {bad}"}
        )
        assert response.status == 401
    assert connector.calls == []


async def test_a_correctly_signed_token_is_accepted(secured_client, connector, keys, published_key):
    good = token(keys["trusted"], connector.url)
    response = await secured_client.post(
        "/api/messages",
        json=activity(connector, type="invoke", name="composeExtension/query", value={}),
        headers={"Authorization": f"Bearer {good}"},
    )
    assert response.status == 200


def test_single_tenant_when_a_tenant_is_set_else_multi_tenant():
    from bot.teams.adapter import bot_framework_config

    single = bot_framework_config(
        Settings(microsoft_app_id=APP_ID, microsoft_app_password="pw", microsoft_app_tenant_id="tenant-1", _env_file=None)
    )
    assert (single.APP_ID, single.APP_PASSWORD, single.APP_TENANTID, single.APP_TYPE) == (APP_ID, "pw", "tenant-1", "SingleTenant")
    assert bot_framework_config(Settings(microsoft_app_id=APP_ID, microsoft_app_password="pw", _env_file=None)).APP_TYPE == "MultiTenant"
    emulator = bot_framework_config(Settings(_env_file=None))
    assert (emulator.APP_ID, emulator.APP_PASSWORD, emulator.APP_TYPE) == ("", "", "MultiTenant")


async def test_unusable_credentials_make_the_endpoint_say_so_instead_of_crashing(aiohttp_client, sqlite_url, clock, connector):
    settings = Settings(database_url=sqlite_url, microsoft_app_id=APP_ID, microsoft_app_tenant_id="tenant-1", _env_file=None)
    application = App(settings, clock=clock)
    client = await aiohttp_client(build_web_app(application))
    response = await client.post("/api/messages", json=activity(connector))
    assert response.status == 503
    assert "APP_PASSWORD" in (await response.json())["error"]
    application.close()

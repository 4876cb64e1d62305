from bot.server import build_web_app


async def test_healthz_reports_database_ok(aiohttp_client, app):
    client = await aiohttp_client(build_web_app(app))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_is_unreachable(aiohttp_client, clock):
    from bot.app import App
    from bot.config import Settings

    broken = App(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", _env_file=None), clock=clock)
    client = await aiohttp_client(build_web_app(broken))
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["database"] == "unreachable"

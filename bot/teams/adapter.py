"""The botbuilder CloudAdapter, configured from Settings (JWT checks on with credentials, Emulator mode without)."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.config import Settings


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The configuration object botbuilder reads (attribute names are botbuilder's)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    """Single-tenant when a tenant id is set; otherwise multi-tenant (which also covers Emulator mode)."""
    tenant = settings.microsoft_app_tenant_id.strip()
    return BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id.strip(),
        APP_PASSWORD=settings.microsoft_app_password.get_secret_value(),
        APP_TENANTID=tenant,
        APP_TYPE="SingleTenant" if tenant and settings.microsoft_app_id else "MultiTenant",
    )


def build_adapter(settings: Settings) -> CloudAdapter:
    """A CloudAdapter for this deployment's Bot Framework credentials."""
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_framework_config(settings)))

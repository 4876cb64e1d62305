"""The Teams app package an admin uploads: manifest.json (from the template) plus the two icons, zipped.

The icons are drawn here (plain zlib + struct PNG, no imaging library) and shipped pre-drawn in
`bot/teams/package/`; `write_icons()` regenerates them.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).with_name("package")
TEMPLATE = PACKAGE_DIR / "manifest.template.json"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
ACCENT = (0x1B, 0x5E, 0x7A)  # the accentColor of the manifest, also the colour icon's background
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class PackageError(ValueError):
    """The package cannot be built as configured (the message says what to set)."""


# ---- icons -------------------------------------------------------------------------------------


def png(width: int, height: int, rgba: bytes) -> bytes:
    """A truecolour-with-alpha PNG (colour type 6, 8 bits) from raw RGBA rows."""
    if len(rgba) != width * height * 4:
        raise ValueError("pixel data does not match the size")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    stride = width * 4
    raw = b"".join(b"\x00" + rgba[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _book_mask(size: int) -> list[list[bool]]:
    """An open book with a tick above it, on a `size` grid: the bot's glyph (standards you can check)."""
    mask = [[False] * size for _ in range(size)]
    unit = size / 32

    def fill(x0: float, y0: float, x1: float, y1: float) -> None:
        for y in range(max(0, int(y0 * unit)), min(size, int(round(y1 * unit)))):
            for x in range(max(0, int(x0 * unit)), min(size, int(round(x1 * unit)))):
                mask[y][x] = True

    fill(5, 14, 15, 26)  # left page
    fill(17, 14, 27, 26)  # right page
    fill(5, 26, 27, 28)  # the spine's base
    for step in range(4):  # the tick: short stroke down, long stroke up
        fill(11 + step, 7 + step, 13 + step, 9 + step)
    for step in range(7):
        fill(14 + step, 9 - step, 16 + step, 11 - step)
    return mask


def color_icon(size: int = 192) -> bytes:
    """The full-colour icon: the white glyph on the accent colour, edge to edge (Teams rounds it)."""
    glyph = _book_mask(size)
    pixels = bytearray()
    for row in glyph:
        for on in row:
            pixels += bytes((255, 255, 255, 255)) if on else bytes((*ACCENT, 255))
    return png(size, size, bytes(pixels))


def outline_icon(size: int = 32) -> bytes:
    """The outline icon: white glyph on a fully transparent background, as Teams requires."""
    glyph = _book_mask(size)
    pixels = bytearray()
    for row in glyph:
        for on in row:
            pixels += bytes((255, 255, 255, 255)) if on else bytes((0, 0, 0, 0))
    return png(size, size, bytes(pixels))


def write_icons(folder: Path = PACKAGE_DIR) -> None:
    """Regenerate the shipped icons."""
    (folder / COLOR_ICON).write_bytes(color_icon())
    (folder / OUTLINE_ICON).write_bytes(outline_icon())


# ---- manifest ----------------------------------------------------------------------------------


def app_version() -> str:
    try:
        version = metadata.version("standards-bot")
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed
        version = "0.1.0"
    return version if SEMVER.match(version) else "0.1.0"


def build_manifest(bot_id: str, *, valid_domains: tuple[str, ...] = ()) -> dict:
    """manifest.json for this deployment: the bot id from MICROSOFT_APP_ID, the commands, the icons."""
    bot_id = (bot_id or "").strip()
    if not bot_id:
        raise PackageError(
            "MICROSOFT_APP_ID is not set: register the bot in Azure (Azure Bot resource) and set "
            "MICROSOFT_APP_ID to its Microsoft App ID before building the Teams package"
        )
    if not GUID.match(bot_id):
        raise PackageError(f"MICROSOFT_APP_ID {bot_id!r} is not a Microsoft App ID (a GUID)")
    manifest = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    manifest["id"] = bot_id
    manifest["version"] = app_version()
    manifest["accentColor"] = "#{:02X}{:02X}{:02X}".format(*ACCENT)
    for bot in manifest["bots"]:
        bot["botId"] = bot_id
    manifest["validDomains"] = sorted(set(valid_domains))
    return manifest


def build_package(bot_id: str, *, valid_domains: tuple[str, ...] = ()) -> bytes:
    """The zip an admin uploads to Teams: manifest.json, color.png and outline.png at the top level."""
    manifest = build_manifest(bot_id, valid_domains=valid_domains)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        archive.writestr(COLOR_ICON, (PACKAGE_DIR / COLOR_ICON).read_bytes())
        archive.writestr(OUTLINE_ICON, (PACKAGE_DIR / OUTLINE_ICON).read_bytes())
    return buffer.getvalue()

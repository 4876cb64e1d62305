"""`standards-bot teams-package` builds an uploadable Teams app package."""

import json
import struct
import zipfile
import zlib

from bot.teams.app_package import color_icon, outline_icon

APP_ID = "0b7e2a1c-1111-4222-8333-444455556666"


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of an 8-bit RGBA, unfiltered-or-filtered PNG (filter 0 rows only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", None
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour_type, *_ = header
    assert (depth, colour_type) == (8, 6)
    raw = zlib.decompress(idat)
    pixels = []
    stride = width * 4 + 1
    for row in range(height):
        line = raw[row * stride : (row + 1) * stride]
        assert line[0] == 0
        pixels += [tuple(line[1 + i * 4 : 5 + i * 4]) for i in range(width)]
    return width, height, pixels


def test_package_has_a_valid_manifest_and_both_icons(sqlite_cli, tmp_path):
    out = tmp_path / "pkg" / "teams.zip"
    result = sqlite_cli("teams-package", "--out", str(out), "--domain", "bot.council.gov.uk", env={"MICROSOFT_APP_ID": APP_ID})
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = decode_png(archive.read("color.png"))
        outline = decode_png(archive.read("outline.png"))
    assert manifest["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    assert tuple(int(p) for p in manifest["manifestVersion"].split(".")) >= (1, 16)
    assert manifest["id"] == APP_ID
    assert manifest["version"].count(".") == 2
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert all(manifest["developer"][key].startswith("https://") for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"))
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert manifest["accentColor"].startswith("#") and len(manifest["accentColor"]) == 7
    assert manifest["validDomains"] == ["bot.council.gov.uk"]
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupchat"}
    titles = [command["title"] for command in bot["commandLists"][0]["commands"]]
    assert titles == ["help", "oversight", "supervision", "absence", "awaiting reply", "my week"]
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in bot["commandLists"][0]["commands"])

    width, height, pixels = color
    assert (width, height) == (192, 192)
    assert all(alpha == 255 for *_, alpha in pixels)
    width, height, pixels = outline
    assert (width, height) == (32, 32)
    assert pixels[0][3] == 0  # transparent background
    assert all(alpha == 0 or (r, g, b, alpha) == (255, 255, 255, 255) for r, g, b, alpha in pixels)
    assert any(alpha == 255 for *_, alpha in pixels)


def test_default_output_name(sqlite_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = sqlite_cli("teams-package", env={"MICROSOFT_APP_ID": APP_ID})
    assert result.exit_code == 0, result.stderr
    assert zipfile.is_zipfile(tmp_path / "standards-bot-teams.zip")


def test_without_an_app_id_the_package_is_built_for_checking_with_a_warning(sqlite_cli, tmp_path):
    out = tmp_path / "x.zip"
    result = sqlite_cli("teams-package", "--out", str(out), env={"MICROSOFT_APP_ID": ""})
    assert result.exit_code == 0, result.stderr
    assert "MICROSOFT_APP_ID is not set" in result.stderr and "placeholder" in result.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == "00000000-0000-0000-0000-000000000000"
    given = tmp_path / "given.zip"
    result = sqlite_cli("teams-package", "--out", str(given), "--app-id", APP_ID, env={"MICROSOFT_APP_ID": ""})
    assert result.exit_code == 0 and "warning" not in result.stderr
    with zipfile.ZipFile(given) as archive:
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == APP_ID


def test_an_invalid_app_id_exits_2_with_a_clear_message_and_writes_nothing(sqlite_cli, tmp_path):
    out = tmp_path / "x.zip"
    result = sqlite_cli("teams-package", "--out", str(out), env={"MICROSOFT_APP_ID": "my-bot"})
    assert result.exit_code == 2
    assert "GUID" in result.stderr
    assert not out.exists()


def test_shipped_icons_are_the_generated_ones():
    from bot.teams.app_package import COLOR_ICON, OUTLINE_ICON, PACKAGE_DIR

    assert (PACKAGE_DIR / COLOR_ICON).read_bytes() == color_icon()
    assert (PACKAGE_DIR / OUTLINE_ICON).read_bytes() == outline_icon()

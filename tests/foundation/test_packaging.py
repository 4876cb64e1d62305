"""The installable package carries what the bot needs at run time: the standards, their checked-in index
and vectors, and the sentence encoder (a plain `pip install .`, as the Dockerfile does)."""

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_the_sources_the_index_and_the_encoder(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("standards_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "knowledge/bundled_index.json",
        "knowledge/bundled_vectors.npz",
        "knowledge/model/encoder-int8.onnx",
        "knowledge/model/tokenizer.json",
        "knowledge/model/NOTICE.md",
        "knowledge/model/LICENSE-Apache-2.0.txt",
        "knowledge/sources/sefton-practice-standards-for-managers-2023.txt",
        "bot/storage/migrations/versions/0008_knowledge_vectors.py",
    ):
        assert needed in names, needed

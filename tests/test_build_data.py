"""Specification of scripts/build_data.py: data/ is rebuilt from the staged sources, byte-identically."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("GEO_DATA_SOURCES", ROOT.parent / "shared" / "data-sources"))
DATA = ROOT / "data"

sys.path.insert(0, str(ROOT / "scripts"))
import build_data  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SOURCES.exists(), reason=f"staged sources not found at {SOURCES}"),
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_data.py"), "--sources", str(SOURCES), "--out", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    return out


def test_the_build_prints_one_checksum_per_output(rebuilt):
    manifest = json.loads((rebuilt / "MANIFEST.json").read_text())
    assert sorted(manifest["files"]) == sorted(build_data.OUTPUTS)
    for name, digest in manifest["files"].items():
        assert sha256(rebuilt / name) == digest


def test_rebuilding_gives_the_committed_bytes(rebuilt):
    committed = json.loads((DATA / "MANIFEST.json").read_text())
    if committed["built_with"] != build_data.tool_versions():
        # Parquet records its writer's version: with other library versions, compare contents.
        for name in build_data.OUTPUTS:
            reader = gpd.read_parquet if "geometry" in pd.read_parquet(DATA / name).columns else pd.read_parquet
            old, new = reader(DATA / name), reader(rebuilt / name)
            pd.testing.assert_frame_equal(pd.DataFrame(old.drop(columns="geometry", errors="ignore")),
                                          pd.DataFrame(new.drop(columns="geometry", errors="ignore")))
            if "geometry" in old:
                assert old.geometry.geom_equals_exact(new.geometry, tolerance=1e-6).all(), name
        pytest.skip("library versions differ from data/MANIFEST.json: contents compared, not bytes")
    for name in build_data.OUTPUTS:
        assert sha256(rebuilt / name) == sha256(DATA / name), f"{name} differs: run scripts/build_data.py"


def test_two_builds_are_byte_identical(rebuilt, tmp_path):
    build_data.build(SOURCES, tmp_path)
    for name in build_data.OUTPUTS:
        assert sha256(tmp_path / name) == sha256(rebuilt / name), name


def test_missing_sources_give_one_clear_line(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_data.py"), "--sources", str(tmp_path), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "missing staged source" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()

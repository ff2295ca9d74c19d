"""The wheel a `pip install .` gets: built from a copy of the checkout, installed into a folder, used
from outside any checkout. Prompts must come with it (importlib.resources), the benchmark must not,
and the defaults must move to the per-user data folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("rag", "prompts"):
        shutil.copytree(PROJECT_ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(PROJECT_ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    [built] = dist.glob("rag-*.whl")
    return built


def test_the_wheel_holds_the_product_and_its_prompts_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for prompt in (PROJECT_ROOT / "prompts").glob("*.txt"):
        assert f"rag/prompt_templates/{prompt.name}" in names
        assert zipfile.ZipFile(wheel).read(f"rag/prompt_templates/{prompt.name}") == prompt.read_bytes()
    assert {f"rag/{p.name}" for p in (PROJECT_ROOT / "rag").glob("*.py")} <= names
    assert not [n for n in names if n.startswith(("bench/", "tests/", "corpus/")) or "__pycache__" in n]


PROBE = """
import json, sys
import rag
from rag.config import CHECKOUT, Settings
from rag.prompts import load_prompts
s = Settings()
prompts = load_prompts(s.prompts_dir)
print(json.dumps({"rag": rag.__file__, "checkout": CHECKOUT and str(CHECKOUT), "index": str(s.index_dir),
                  "corpus": str(s.corpus_dir), "prompts": str(s.prompts_dir), "system": prompts.system}))
"""


def test_installed_it_runs_from_anywhere_with_per_user_folders(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [*PIP, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(site),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "HF_HUB_OFFLINE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["rag"] == str(site / "rag" / "__init__.py") and got["checkout"] is None
    assert got["index"] == str(tmp_path / "data" / "rag" / "index")
    assert got["corpus"] == str(tmp_path / "data" / "rag" / "corpus")
    assert got["prompts"] == str(site / "rag" / "prompt_templates")
    assert got["system"] == (PROJECT_ROOT / "prompts" / "system.txt").read_text(encoding="utf-8").strip()

    bench = subprocess.run(
        [sys.executable, "-m", "rag.cli", "bench"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert bench.returncode == 2 and "from a checkout" in bench.stderr

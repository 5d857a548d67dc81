"""The package builds cleanly, and CI installs and tests it the way README says."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_building_the_package_warns_of_nothing(tmp_path):
    """setuptools' metadata step (what every pip install runs) prints no deprecation: the
    license is an SPDX expression with its file (a TOML table stops building in 2027)."""
    build = subprocess.run(
        [sys.executable, "-W", "always", "-c",
         f"from setuptools import build_meta; "
         f"print(build_meta.prepare_metadata_for_build_wheel({str(tmp_path)!r}))"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    printed = build.stdout + build.stderr
    assert not re.search("deprecat|warning", printed, re.IGNORECASE), printed
    metadata = next(tmp_path.glob("*.dist-info/METADATA")).read_text()
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata


def test_ci_runs_readmes_test_command_as_written():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## The two commands", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    test_line = next(line for line in block.splitlines() if "pytest" in line)
    install = re.search(r'pip install (-e "\.\[[a-z,]+\]")', test_line).group(1)
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"python3 -m pip install -q {install}\n" in ci
    assert "\npython3 -m pytest" in ci
    assert "torch==" not in ci      # nothing installed beside what README says


def test_every_package_folder_is_listed_for_setuptools():
    """pyproject lists the packages by name: a new folder left out of it would be missing from
    an installed minigrad (a wheel, or a non-editable install) though every test here passes."""
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    folders = {".".join(init.parent.relative_to(ROOT).parts)
               for init in (ROOT / "minigrad").rglob("__init__.py")}
    assert folders - listed == set()

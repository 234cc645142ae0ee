"""The README's promises: its commands and its report example stay true."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from geo.reports import parse_report

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_main_job_and_the_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)
    assert blocks[0].startswith("python -m pip install . && geo ")
    assert blocks[1] == 'python -m pip install ".[test]" && python -m pytest -q'


def test_ci_runs_exactly_the_readme_test_command():
    test_command = re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_the_report_example_in_the_readme_is_a_valid_report():
    section = README[README.index("## Report files"):]
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.S).group(1)
    report = parse_report(example, path="README.md")
    assert report.id == "2024-07-16-naroulia"
    kinds = [wp.kind for wp in report.route]
    assert kinds == ["from", "toward"]
    assert report.route[1].heading == 0.0 and report.route[1].measured_from == "border"


def test_the_python_api_example_runs_as_shown(tmp_path, monkeypatch):
    section = README[README.index("## Python API"):]
    example = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)  # it writes map.html, incidents.gpkg and map.svg
    test = doctest.DocTestParser().get_doctest(example, {}, "README.md: Python API", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incidents.gpkg", "map.html", "map.svg"]

"""The README's promises: its commands and its report example stay true."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from geo.reports.loading import parse_report

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


def test_the_limits_the_readme_gives_are_the_loaders():
    from geo.reports import places as reportplaces, report as reports, scalars, yamlfile as reportyaml

    section = README[README.index("**Limits.**"):]
    section = section[:section.index("\n\n")]
    bold = [b.replace(",", "") for b in re.findall(r"\*\*([0-9,]+)(?: (?:KB|km|hours|minutes|levels))?\*\*",
                                                   section)]
    assert bold == [str(reportyaml.MAX_REPORT_BYTES // 1024), str(reportyaml.MAX_NESTING),
                    f"{reports.MAX_UNCERTAINTY_KM:.0f}", f"{reports.MAX_DISTANCE_KM:.0f}",
                    f"{scalars.MAX_DURATION.total_seconds() / 3600:.0f}", f"{reports.MAX_TIME_APPROX_MIN:.0f}",
                    f"{reportplaces.FAR_FROM_BOTH_KM:.0f}"]


def test_the_console_samples_are_what_the_commands_print_now():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_samples", ROOT / "scripts" / "readme_samples.py")
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    assert samples.updated(README) == README, "run: python scripts/readme_samples.py"

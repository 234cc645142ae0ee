"""Regenerate the README's console samples from the commands they show.

Every ```console block in README.md is a list of ``$ geo ...`` commands, each
followed by what it prints.  This script runs each command (in-process, through
geo's click CLI, from the checkout's root) and writes its real output back:

* a sample that ends in a line ``...`` keeps as many lines as it shows before it;
* a command shown with no output keeps none (it is there to show the command);
* anything after ``  #`` on a command line is a comment, not an argument.

Usage::

    python scripts/readme_samples.py          # rewrite README.md in place
    python scripts/readme_samples.py --check  # exit 1 if README.md is stale
    python scripts/readme_samples.py --image  # also redraw docs/seed-map.png (about 10 s)

The image is the command the README names under it, reduced to 256 colours
(Pillow's median cut) to keep the repository small.

``tests/test_readme.py`` runs the check, so a sample cannot go stale.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BLOCK = re.compile(r"(```console\n)(.*?)(```)", re.S)


def _run(command: str) -> list[str]:
    """The lines a ``geo ...`` command prints (stdout), run through the CLI in-process."""
    from click.testing import CliRunner

    from geo.cli import cli

    words = shlex.split(command)
    if not words or words[0] != "geo":
        raise SystemExit(f"README console sample: {command!r} is not a geo command")
    result = CliRunner().invoke(cli, words[1:], prog_name="geo", catch_exceptions=False)
    return result.stdout.rstrip("\n").split("\n") if result.stdout.strip() else []


def _samples(block: str) -> list[tuple[str, list[str]]]:
    """(command line, shown output lines) for each ``$`` command of a block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def regenerate(block: str) -> str:
    """A console block's text with every command's output as it is now."""
    lines: list[str] = []
    for command_line, shown in _samples(block):
        command = re.split(r"\s{2,}#", command_line[2:], maxsplit=1)[0].strip()
        lines.append(command_line)
        if not shown:
            continue
        output = _run(command)
        if shown[-1] == "...":
            output = [*output[:len(shown) - 1], "..."]
        lines.extend(output)
    return "\n".join(lines) + "\n"


def updated(readme: str) -> str:
    """The README with every console block regenerated."""
    return BLOCK.sub(lambda m: m.group(1) + regenerate(m.group(2)) + m.group(3), readme)


IMAGE_ARGS = ["image", "-o", "{out}", "--width", "1200", "--height", "1500", "--dpi", "150"]


def redraw_image() -> None:
    """docs/seed-map.png, as the README says it is made, in 256 colours."""
    import tempfile

    from click.testing import CliRunner
    from PIL import Image

    from geo.cli import cli

    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "seed-map.png"
        result = CliRunner().invoke(cli, [a.format(out=full) for a in IMAGE_ARGS], prog_name="geo",
                                    catch_exceptions=False)
        if result.exit_code:
            raise SystemExit(result.output)
        with Image.open(full) as image:
            image.convert("RGB").quantize(256).save(ROOT / "docs" / "seed-map.png", optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale; write nothing")
    parser.add_argument("--image", action="store_true", help="also redraw docs/seed-map.png")
    args = parser.parse_args(argv)
    if args.image and not args.check:
        redraw_image()
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = updated(text)
    if args.check:
        if new != text:
            print("README.md samples are stale: run python scripts/readme_samples.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

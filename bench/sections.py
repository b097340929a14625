"""Write one named section of BENCHMARKS.md, leaving the other benchmarks' sections as they are."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "BENCHMARKS.md"


def write_section(name: str, lines: list[str], *, path: Path = BENCHMARKS) -> None:
    """Replace (or append) the block between ``<!-- section:NAME -->`` and ``<!-- /section:NAME -->``."""
    start, end = f"<!-- section:{name} -->", f"<!-- /section:{name} -->"
    block = "\n".join([start, *lines, end])
    text = path.read_text() if path.exists() else "# StageMap benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), flags=re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)

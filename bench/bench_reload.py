"""Development hot reload: seconds from a source change to the new ``serve --reload`` worker
answering /healthz (target: under 5 s). Runs it three times, prints each and the median.

    uv run --frozen python bench/bench_reload.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from dev_reload import reload_seconds


def main() -> None:
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as home:
            seconds, _ = reload_seconds(Path(home))
        runs.append(seconds)
        print(f"reload: {seconds:.2f} s")
    print(f"median: {statistics.median(runs):.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()

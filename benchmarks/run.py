"""`make bench`: every benchmark, each printed as a side-by-side table of one run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_app  # noqa: E402
import bench_sweep  # noqa: E402
import bench_trainer  # noqa: E402


def main() -> None:
    bench_trainer.main()
    bench_app.main()
    bench_sweep.main()


if __name__ == "__main__":
    main()

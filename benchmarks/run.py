"""`make bench`: every benchmark, each printed as a side-by-side table of one run."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_app  # noqa: E402
import bench_commands  # noqa: E402
import bench_sweep  # noqa: E402
import bench_trainer  # noqa: E402

from nntui.engine import kernel  # noqa: E402


def main() -> None:
    print(f"nntui trains with: {kernel.describe()}")
    bench_trainer.main()
    bench_commands.main()
    bench_sweep.main()
    bench_app.main()


if __name__ == "__main__":
    main()

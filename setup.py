"""Build nntui's optional compiled training kernel (everything else is in pyproject.toml).

The extension is optional: without a C compiler (or if it fails to build) the install
still succeeds and nntui trains with its pure-Python loop. The flags keep the compiled
arithmetic identical to Python's: no fused multiply-adds, no fast-math reassociation.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = "nntui/engine/_kernel.c"
HEADER = "nntui/engine/_kernel_sgd.h"  # the arithmetic, included by SOURCE
UNIX_FLAGS = ["-O2", "-fno-fast-math", "-ffp-contract=off", "-fno-strict-aliasing"]
MSVC_FLAGS = ["/O2", "/fp:precise"]  # precise: no contraction into FMAs (VS 2022 on)


class BuildKernel(build_ext):
    """build_ext with the flags of the compiler actually used (gcc/clang or MSVC)."""

    def build_extensions(self) -> None:
        msvc = self.compiler.compiler_type == "msvc"
        for ext in self.extensions:
            ext.extra_compile_args = MSVC_FLAGS if msvc else UNIX_FLAGS
            if not msvc and sys.platform != "darwin":
                ext.libraries = ["m"]
        super().build_extensions()


# kernel.py compares this with the files beside it: a stale build is not used.
try:
    crc = zlib.crc32(b"".join((Path(__file__).parent / f).read_bytes() for f in (HEADER, SOURCE)))
except OSError:  # an incomplete source tree: the compile fails, and the kernel is optional
    crc = 0
setup(
    ext_modules=[Extension(
        "nntui.engine._kernel", [SOURCE], depends=[HEADER], optional=True,
        define_macros=[("NNTUI_SOURCE_CRC", f"{crc}UL")],
    )],
    cmdclass={"build_ext": BuildKernel},
)

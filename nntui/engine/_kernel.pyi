"""Types of the compiled kernel (`_kernel.c`); `kernel.py` documents its use."""

from typing_extensions import Buffer

SOURCE_CRC: int

def train(
    theta: Buffer, x: Buffer, y: Buffer, xt: Buffer, yt: Buffer, order: Buffer, pos: int,
    epochs: int, batch: int, n: int, k: int, act: int, lr: float, limit: float,
    seconds: float, thetas: Buffer, train: Buffer, test: Buffer, deeper: Buffer = ..., /,
) -> tuple[int, int, int, int]: ...
def mean_loss(theta: Buffer, x: Buffer, y: Buffer, n: int, k: int, act: int,
              deeper: Buffer = ..., /) -> float: ...

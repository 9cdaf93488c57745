"""Micro-benchmark: the forward of relu on the ring's hidden layers (1024 x 128 float32, one
thread), the select that used to compute it against ``minigrad.backend.times_mask``, which
gives the same bits: both in this process, interleaved (``common.interleaved_ms``), with the
mask [x > 0] that relu makes either way.

    python benchmarks/relu_kernel.py [--iterations 300] [--threads 1]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import interleaved_ms, row  # noqa: E402
from mixture_step import set_threads  # noqa: E402

from minigrad import backend  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    x = np.random.default_rng(0).standard_normal((1024, 128)).astype(np.float32)

    def select():
        mask = (x > 0).astype(x.dtype)
        return np.where(x == -np.inf, 0.0, x) * mask

    def quick():
        return backend.times_mask(x, (x > 0).astype(x.dtype))

    assert np.array_equal(select(), quick())
    for block in (6, 1):
        times = interleaved_ms({"select, then multiply": select,
                                "backend.times_mask": quick}, args.iterations, block=block)
        print(f"relu forward, 1024 x 128 float32, {args.threads} thread(s), blocks of {block}:")
        for name, ms in times.items():
            print(row(name, ms / 1e3, times["select, then multiply"] / 1e3))


if __name__ == "__main__":
    main()

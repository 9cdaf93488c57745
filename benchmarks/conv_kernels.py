"""Micro-benchmark: forward + backward of conv2d on a mid-sized layer (x (64, 16, 14, 14),
w (32, 16, 5, 5), stride 2, padding 2), in ms, for float32 and float64 on the CPU.

    python benchmarks/conv_kernels.py [--repeats 20]
"""

import argparse
import time

import numpy as np

import minigrad as mg
from minigrad.ops.conv import conv2d


def time_forward_backward(dtype, repeats):
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((64, 16, 14, 14)).astype(dtype), requires_grad=True)
    w = mg.tensor(rng.standard_normal((32, 16, 5, 5)).astype(dtype), requires_grad=True)
    forward, total = [], []
    for _ in range(repeats + 2):  # the first two warm up caches and BLAS threads
        start = time.perf_counter()
        y = conv2d(x, w, stride=2, padding=2)
        middle = time.perf_counter()
        mg.grad(y.sum(), (x, w))
        end = time.perf_counter()
        forward.append(middle - start)
        total.append(end - start)
    return 1e3 * np.median(forward[2:]), 1e3 * np.median(total[2:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    for dtype in ("float32", "float64"):
        forward, total = time_forward_backward(dtype, args.repeats)
        print(f"{dtype}: forward {forward:.2f} ms, forward+backward {total:.2f} ms")


if __name__ == "__main__":
    from minigrad import allocator

    allocator.keep_freed_memory_unless_disabled()  # as `python -m ugan` does
    main()

"""Timing helpers shared by the benchmark scripts: best-of-N wall time of a callable."""

import time


def best_time(function, repeats=7, number=5):
    """The best mean time (seconds) of ``number`` calls, over ``repeats`` rounds after a warm-up."""
    function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def row(name, seconds, baseline=None):
    ratio = f"{seconds / baseline:6.2f}x" if baseline else ""
    return f"{name:<44s} {seconds * 1e3:9.3f} ms  {ratio}"

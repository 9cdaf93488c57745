"""Timing helpers shared by the benchmark scripts: contenders timed in one process,
interleaved, and a printed row. Importing it keeps freed memory in the process
(``minigrad.allocator``), as ``python -m ugan`` does, so that the scripts time what runs do."""

import statistics
import time

from minigrad import allocator

allocator.keep_freed_memory_unless_disabled()


def row(name, seconds, baseline=None):
    ratio = f"{seconds / baseline:6.2f}x" if baseline else ""
    return f"{name:<60s} {seconds * 1e3:9.3f} ms  {ratio}"


def interleaved_ms(contenders, iterations, block=1, warmup=3):
    """Median milliseconds per call of each of ``contenders`` ({name: callable}) over
    ``iterations`` timed calls, all in this process: in turn, each contender runs ``block``
    calls in a row.

    With ``block`` > 1 the first call of each block is not timed, so each contender is timed
    with its own data in the caches, as in a training loop; with ``block`` = 1 every call follows
    another contender's and finds the caches as that one left them. The two bracket what a
    program of one's own sees."""
    for function in contenders.values():
        for _ in range(warmup):
            function()
    timed_per_block = max(1, block - 1)
    times = {name: [] for name in contenders}
    for _ in range(-(-iterations // timed_per_block)):
        for name, function in contenders.items():
            for call in range(block):
                start = time.perf_counter()
                function()
                if block == 1 or call > 0:
                    times[name].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(values) for name, values in times.items()}

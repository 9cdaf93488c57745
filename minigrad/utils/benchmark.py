"""Timing a statement, with PyTorch's ``torch.utils.benchmark`` names: ``Timer`` and the
``Measurement`` it returns.

cupy runs GPU kernels asynchronously: a clock read right after a statement would time only the
queueing. So the clock waits for every GPU before each reading (``backend.synchronize``; on the
CPU there is nothing to wait for), and a block of runs is timed from the end of the work queued
before it to the end of its own."""

import statistics
import time
import timeit

from .. import backend


class Measurement:
    """The times of ``len(raw_times)`` blocks of ``number_per_run`` runs each. ``times`` are per
    run (a block's time divided by ``number_per_run``); ``mean``, ``median`` and ``iqr`` (the
    distance between the 25th and 75th percentiles) are of those."""

    def __init__(self, number_per_run, raw_times, stmt, label=None, description=None):
        self.number_per_run, self.raw_times = number_per_run, list(raw_times)
        self.stmt, self.label, self.description = stmt, label, description

    @property
    def times(self):
        return [block / self.number_per_run for block in self.raw_times]

    @property
    def mean(self):
        return statistics.fmean(self.times)

    @property
    def median(self):
        return statistics.median(self.times)

    def _quartiles(self):
        """(25th, 75th) percentiles, linear between order statistics (numpy's default)."""
        if len(self.times) == 1:
            return self.times[0], self.times[0]
        first, _, third = statistics.quantiles(self.times, n=4, method="inclusive")
        return first, third

    @property
    def iqr(self):
        first, third = self._quartiles()
        return third - first

    @property
    def title(self):
        """The label, else the statement (PyTorch's heading)."""
        return self.label if self.label is not None else self.stmt

    def __repr__(self):
        scale, unit = _time_unit(self.median)
        lines = [f"<{type(self).__module__}.Measurement object at {id(self):#x}>", self.title]
        if self.description is not None:
            lines.append(self.description)
        blocks, runs = len(self.raw_times), self.number_per_run
        if blocks == 1:
            lines += [f"  {self.median / scale:.2f} {unit}",
                      f"  1 measurement, {runs} runs"]
        else:
            first, third = self._quartiles()
            lines += [f"  Median: {self.median / scale:.2f} {unit}",
                      f"  IQR:    {self.iqr / scale:.2f} {unit} ({first / scale:.2f} to "
                      f"{third / scale:.2f})",
                      f"  {blocks} measurements, {runs} runs per measurement"]
        return "\n".join(lines)


def _time_unit(seconds):
    """(seconds per unit, name) of the largest of s, ms, us, ns not above ``seconds``."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return scale, unit
    return 1e-9, "ns"


class Timer:
    """Times ``stmt`` (Python source), with ``globals`` as its namespace; ``setup`` runs before
    each block of runs, untimed (Python's ``timeit``, as PyTorch's). ``timer`` is the clock, in
    seconds, read after waiting for the GPUs."""

    def __init__(self, stmt="pass", setup="pass", timer=time.perf_counter,
                 globals=None, label=None, description=None):  # noqa: A002 (PyTorch's name)
        self.stmt, self.label, self.description = stmt, label, description

        def synchronized_clock():
            backend.synchronize()
            return timer()

        self._timer = timeit.Timer(stmt, setup, timer=synchronized_clock, globals=globals)

    def _measurement(self, number, raw_times):
        return Measurement(number, raw_times, self.stmt, self.label, self.description)

    def timeit(self, number=1000000):
        """One block of ``number`` runs."""
        return self._measurement(number, [self._timer.timeit(number)])

    def blocked_autorange(self, min_run_time=0.2):
        """Blocks of ``number_per_run`` runs, the smallest power of ten whose block takes at
        least 1% of ``min_run_time`` (so the clock's own cost and resolution hardly count),
        then as many such blocks as fill ``min_run_time`` (at least one)."""
        number = 1
        while self._timer.timeit(number) < min_run_time / 100:
            number *= 10
        raw_times = []
        while not raw_times or sum(raw_times) < min_run_time:
            raw_times.append(self._timer.timeit(number))
        return self._measurement(number, raw_times)

"""``mg.utils.benchmark``: the Timer's blocks and the Measurement's arithmetic, timed on a stubbed
clock that advances only when the statement runs (never a real speed)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend
from minigrad.utils.benchmark import Measurement, Timer


class StubClock:
    """A clock that the timed statement moves forward by ``cost`` seconds per run."""

    def __init__(self, cost):
        self.now, self.cost = 0.0, cost

    def read(self):
        return self.now


def _timer(cost, **options):
    clock = StubClock(cost)
    return Timer("clock.now += clock.cost", timer=clock.read, globals={"clock": clock},
                 **options)


def test_timeit_is_one_block_of_number_runs():
    measurement = _timer(0.25, label="step", description="batch 8").timeit(number=7)
    assert measurement.number_per_run == 7 and measurement.raw_times == [7 * 0.25]
    assert measurement.times == [0.25] and measurement.mean == measurement.median == 0.25
    lines = repr(measurement).splitlines()
    assert lines[0].startswith("<minigrad.utils.benchmark.Measurement object at 0x")
    assert lines[1:] == ["step", "batch 8", "  250.00 ms", "  1 measurement, 7 runs"]


def test_blocked_autorange_takes_a_power_of_ten_runs_per_block_and_fills_the_time():
    cost, min_run_time = 2.0 ** -10, 1.0
    measurement = _timer(cost).blocked_autorange(min_run_time=min_run_time)
    number = measurement.number_per_run
    assert number * cost >= min_run_time / 100 > number / 10 * cost  # the smallest such power
    assert np.log10(number) == int(np.log10(number))
    blocks = len(measurement.raw_times)
    assert blocks * number * cost >= min_run_time > (blocks - 1) * number * cost
    assert measurement.times == [cost] * blocks
    assert repr(measurement).splitlines()[1] == "clock.now += clock.cost"  # no label: the stmt


def test_measurement_statistics_are_of_the_per_run_times():
    measurement = Measurement(2, [2.0, 4.0, 6.0, 100.0], stmt="f()")
    times = [1.0, 2.0, 3.0, 50.0]
    assert measurement.times == times
    assert measurement.mean == pytest.approx(np.mean(times), rel=1e-15)
    assert measurement.median == np.median(times)
    first, third = np.percentile(times, [25, 75])
    assert measurement.iqr == pytest.approx(third - first, rel=1e-15)
    assert repr(measurement).splitlines()[1:] == [
        "f()", "  Median: 2.50 s", f"  IQR:    {third - first:.2f} s ({first:.2f} to "
        f"{third:.2f})", "  4 measurements, 2 runs per measurement"]


def test_the_clock_waits_for_the_gpus_around_each_block(monkeypatch):
    log = []
    monkeypatch.setattr(backend, "synchronize", lambda: log.append("wait"))
    Timer("log.append('run')", setup="log.append('setup')", globals={"log": log}).timeit(2)
    assert log == ["setup", "wait", "run", "run", "wait"]


@pytest.mark.skipif(not backend.cuda_available(), reason="needs a CUDA GPU and cupy")
def test_synchronize_waits_for_queued_gpu_work():
    import cupy

    x = mg.randn(2048, 2048, device="cuda")
    for _ in range(4):
        x = x @ x / 2048
    backend.synchronize()
    assert cupy.cuda.get_current_stream().done

"""minigrad's defaults in threads: grad mode and compile's tracer are context-local (PyTorch's
grad mode is thread-local), and ``local_defaults`` gives a block its own default device and
generator, leaving the process's and other threads' alone."""

import threading

import numpy as np
import pytest

import minigrad as mg
from minigrad import tracing
from strategies import DEVICES

OTHER_DEVICE = next((d for d in DEVICES if d != "cpu"), None)


def _in_thread(function):
    """Run ``function`` in a new thread; return its result (or raise its exception)."""
    box = {}

    def target():
        try:
            box["result"] = function()
        except BaseException as error:  # handed back to the test
            box["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def test_a_no_grad_block_in_one_thread_leaves_another_thread_recording():
    x = mg.ones(2, requires_grad=True)
    with mg.no_grad():
        assert not (x * 2).requires_grad
        assert _in_thread(lambda: ((x * 2).requires_grad, mg.is_grad_enabled())) == (True, True)
    assert (x * 2).requires_grad


def test_a_tracer_in_one_thread_is_not_seen_by_another():
    previous = tracing.set_tracer("a tracer")
    try:
        assert tracing.active_tracer() == "a tracer"
        assert _in_thread(tracing.active_tracer) is None
        assert _in_thread(lambda: mg.randn(2).shape) == (2,)  # a draw, refused only when traced
    finally:
        tracing.set_tracer(previous)
    assert tracing.active_tracer() is None


def test_local_defaults_set_device_and_seed_for_the_block_only():
    mg.manual_seed(3)
    process_generator = mg.default_generator()
    device = OTHER_DEVICE or "cpu"
    with mg.local_defaults(device=device, seed=11):
        assert str(mg.default_device()) == device
        inside = mg.randn(4)
        assert str(inside.device) == device
        mg.manual_seed(12)  # the block's generator, not the process's
        twelve = mg.randn(3).numpy()
        mg.set_default_device("cpu")
        assert str(mg.default_device()) == "cpu"
    assert str(mg.default_device()) == "cpu"
    assert mg.default_generator() is process_generator
    np.testing.assert_array_equal(inside.numpy(),
                                  np.random.default_rng(11).standard_normal(4).astype("float32"))
    np.testing.assert_array_equal(twelve,
                                  np.random.default_rng(12).standard_normal(3).astype("float32"))
    mg.manual_seed(3)
    expected = mg.randn(2).numpy()
    mg.manual_seed(3)
    with mg.local_defaults(seed=0):
        mg.randn(5)
    np.testing.assert_array_equal(mg.randn(2).numpy(), expected)  # the process's stream untouched


@pytest.mark.skipif(OTHER_DEVICE is None, reason="needs a second device in MINIGRAD_TEST_DEVICES")
def test_two_threads_with_their_own_defaults_draw_as_they_would_alone():
    def draws(device, seed):
        with mg.local_defaults(device=device, seed=seed):
            layer = mg.nn.Linear(3, 2)
            started.wait()  # both threads inside their blocks at once
            return str(layer.weight.device), layer.weight.numpy(), mg.randn(5).numpy()

    started = threading.Barrier(2)
    results = {}
    threads = [threading.Thread(target=lambda d=d, s=s: results.__setitem__(d, draws(d, s)))
               for d, s in [("cpu", 1), (OTHER_DEVICE, 2)]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = threading.Barrier(1)
    for device, seed in [("cpu", 1), (OTHER_DEVICE, 2)]:
        alone = draws(device, seed)
        assert results[device][0] == alone[0] == device
        np.testing.assert_array_equal(results[device][1], alone[1])
        np.testing.assert_array_equal(results[device][2], alone[2])


def test_a_new_thread_starts_from_the_process_defaults_not_from_a_block():
    with mg.local_defaults(device=OTHER_DEVICE or "cpu", seed=0):
        assert _in_thread(lambda: str(mg.default_device())) == "cpu"
        assert _in_thread(mg.default_generator) is not mg.default_generator()

"""minigrad.allocator: the glibc malloc tuning that the entry points apply (and its opt-out);
importing minigrad alone changes nothing in the process."""

import platform

import pytest

from minigrad import allocator


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_keep_freed_memory_is_accepted_by_glibc():
    assert allocator.keep_freed_memory() is True


def test_keep_freed_memory_refuses_other_systems(monkeypatch):
    monkeypatch.setattr(allocator.platform, "system", lambda: "Darwin")
    assert allocator.keep_freed_memory() is False


@pytest.mark.parametrize("setting, expected_calls", [(None, 1), ("1", 1), ("0", 0)])
def test_the_environment_variable_turns_it_off(monkeypatch, setting, expected_calls):
    calls = []
    monkeypatch.setattr(allocator, "keep_freed_memory", lambda: calls.append(1))
    if setting is None:
        monkeypatch.delenv("MINIGRAD_KEEP_FREED_MEMORY", raising=False)
    else:
        monkeypatch.setenv("MINIGRAD_KEEP_FREED_MEMORY", setting)
    allocator.keep_freed_memory_unless_disabled()
    assert len(calls) == expected_calls


def test_importing_minigrad_does_not_tune_malloc_but_python_m_ugan_does():
    import subprocess
    import sys

    probe = ("import ctypes, sys; calls = []; ctypes.CDLL = lambda *a: type('L', (), "
             "{'mallopt': staticmethod(lambda *b: calls.append(b) or 1)})(); ")
    imported = subprocess.run([sys.executable, "-c", probe + "import minigrad; print(len(calls))"],
                              capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "0"
    main = subprocess.run([sys.executable, "-c", probe + "import runpy; sys.argv = ['ugan', "
                           "'--help']\ntry:\n    runpy.run_module('ugan', run_name='__main__')\n"
                           "except SystemExit:\n    pass\nprint(len(calls), file=sys.stderr)"],
                          capture_output=True, text=True)
    assert main.stderr.strip().splitlines()[-1] == "2", main.stderr

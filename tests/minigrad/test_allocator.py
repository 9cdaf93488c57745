"""minigrad.allocator: the glibc malloc tuning that import minigrad applies (and its opt-out)."""

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

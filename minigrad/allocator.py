"""Keep freed memory in the process instead of handing it back to the OS after every step.

A training step allocates and frees the same large arrays over and over. By default glibc's
malloc gives freed memory at the top of its heap back to the operating system once more than a
few MB are free, and serves big arrays with fresh ``mmap`` pages: either way the next step
touches new pages, and the kernel zero-fills each one on a page fault. Measured on the
convolutional discriminator of ``benchmarks/conv.py``, that doubles the time of a step.

:func:`keep_freed_memory` raises both thresholds (``mallopt``), so that after the first steps
every array comes from memory the process already owns. The price: the process keeps up to
``trim_threshold`` bytes of freed memory as resident, for the whole process. So importing
minigrad changes nothing: the programs that want it call :func:`keep_freed_memory_unless_disabled`
at their start (``python -m ugan``, a Dask worker's run, the benchmark scripts), which does it on
Linux with glibc unless the environment variable ``MINIGRAD_KEEP_FREED_MEMORY=0`` is set; on
other systems it does nothing.
"""

import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(trim_threshold=256 * 2 ** 20, mmap_threshold=32 * 2 ** 20):
    """Tell glibc's malloc to serve arrays below ``mmap_threshold`` bytes from its heap and to
    keep up to ``trim_threshold`` bytes of freed heap. Returns True if it could (Linux, glibc)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold))
                and mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))


def keep_freed_memory_unless_disabled():
    """:func:`keep_freed_memory`, unless ``MINIGRAD_KEEP_FREED_MEMORY=0``: for a program's entry
    point."""
    if os.environ.get("MINIGRAD_KEEP_FREED_MEMORY", "1") != "0":
        keep_freed_memory()

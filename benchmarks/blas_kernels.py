"""Micro-benchmark: float32 matrix products of the sizes minigrad's training runs make, with the
kernels numpy's bundled OpenBLAS runs in this environment against the kernels the same library
picks for this processor by itself, or those named by ``--coretype``.

An environment may set ``OPENBLAS_CORETYPE`` (and ``OPENBLAS_L2_SIZE``), as this project's
development machine does (Haswell kernels: older OpenBLAS builds compute wrong results or crash
on its processor). OpenBLAS reads them once, when it loads, so the other kernels come from a
second copy of the library, loaded in this process (``ctypes``) with both variables unset (or
the core type named), and called through its ``cblas_sgemm``: both contenders in one process,
interleaved (``common.interleaved_ms``), one thread each, each product checked against numpy's.
A product's digits differ between kernels (they split its sums differently), so a run or a study
keeps one setting from start to end (``revisions.json`` records the kernels).

    python benchmarks/blas_kernels.py [--coretype NAME] [--iterations 30]
"""

import argparse
import ctypes
import glob
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import interleaved_ms  # noqa: E402

# (what it is, A's shape, B's shape)
PRODUCTS = [("conv, colour D (128 -> 256 channels)", (256, 1152), (1152, 1024)),
            ("transposed conv, colour G (512 -> 256)", (2304, 512), (512, 1024)),
            ("ring's hidden layer, batch 1024", (1024, 128), (128, 128)),
            ("ring's weight gradient", (128, 1024), (1024, 128)),
            ("ring's output layer (n = 2)", (1024, 128), (128, 2))]
ROW_MAJOR, NO_TRANSPOSE = 101, 111


def other_sgemm(coretype):
    """``sgemm(a, b)`` from a second copy of numpy's OpenBLAS, loaded with ``coretype`` kernels
    (None: with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, so that it picks its own), and the
    kernels it reports; (None, None) if numpy's BLAS is not a bundled scipy-openblas."""
    numpy_libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    found = glob.glob(str(numpy_libs / "libscipy_openblas64_*.so"))
    if not found:
        return None, None
    copy = Path(tempfile.mkdtemp(prefix="blas_kernels-")) / "openblas_copy.so"
    shutil.copyfile(found[0], copy)
    saved = {name: os.environ.pop(name, None) for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if coretype:
        os.environ["OPENBLAS_CORETYPE"] = coretype
    library = ctypes.CDLL(str(copy))  # reads the variables as it loads
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value
    library.scipy_openblas_set_num_threads64_(ctypes.c_int(1))
    library.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
    size, real = ctypes.c_int64, ctypes.c_float
    gemm = library.scipy_cblas_sgemm64_
    gemm.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, size, size, size, real,
                     ctypes.c_void_p, size, ctypes.c_void_p, size, real, ctypes.c_void_p, size]

    def sgemm(a, b):
        (m, k), n = a.shape, b.shape[1]
        c = np.empty((m, n), dtype=np.float32)
        gemm(ROW_MAJOR, NO_TRANSPOSE, NO_TRANSPOSE, m, n, k, 1.0, a.ctypes.data, k,
             b.ctypes.data, n, 0.0, c.ctypes.data, n)
        return c

    return sgemm, library.scipy_openblas_get_corename64_().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coretype", default=None,
                        help="OpenBLAS kernels to force in the copy (default: its own pick)")
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    rng = np.random.default_rng(0)
    np.ones((2, 2), np.float32) @ np.ones((2, 2), np.float32)  # numpy's BLAS loaded
    blas = next((lib for lib in threadpool_info() if lib["user_api"] == "blas"), {})
    sgemm, kernels = other_sgemm(args.coretype)
    if sgemm is None:
        print(f"numpy's BLAS is {blas.get('internal_api')}, not a bundled scipy-openblas: "
              "nothing to compare")
        return 0
    print(f"numpy's OpenBLAS {blas.get('version')}: {blas.get('architecture')} kernels "
          f"(OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}); the copy: "
          f"{kernels} kernels; one thread each, median ms of {args.iterations} calls")
    for name, a_shape, b_shape in PRODUCTS:
        a = rng.standard_normal(a_shape).astype(np.float32)
        b = rng.standard_normal(b_shape).astype(np.float32)
        scale = np.abs(a @ b).max()
        assert np.abs(sgemm(a, b) - a @ b).max() <= 1e-5 * scale  # the same product
        ms = interleaved_ms({"numpy": lambda: a @ b, "copy": lambda: sgemm(a, b)},
                            args.iterations, block=4)
        print(f"{name:<42} {a_shape} @ {b_shape}: numpy {ms['numpy']:.3f} ms, {kernels} "
              f"{ms['copy']:.3f} ms ({ms['copy'] / ms['numpy']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

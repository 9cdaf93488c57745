"""Which code trained a run: the git commit of this checkout and the BLAS libraries loaded,
recorded in each run folder every time training starts or resumes there (``revisions.json``),
and the commits named by a study's summary.

A run's numbers depend on the code that computed them (a change of rounding moves a GAN's
trajectory), including the BLAS kernels, which OpenBLAS picks by processor and thread count; and
a study may be re-read by a later checkout than the one that trained it, so a summary names
both: the revision that wrote it and the revisions its runs trained with."""

import subprocess
from pathlib import Path

from ugan import jsonfile

REVISIONS_NAME = "revisions.json"


def git_revision():
    """The code's git commit (with " (modified)" when the checkout has changes), or None
    outside a git checkout."""
    folder = Path(__file__).resolve().parent

    def git(*words):
        return subprocess.run(["git", *words], cwd=folder, capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        revision = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return revision + (" (modified)" if changed else "")


def blas_in_use():
    """The BLAS libraries loaded in this process, as threadpoolctl reports them, numpy's and
    scipy's each: ``"openblas 0.3.31 (libscipy_openblas64_), Haswell kernels, 1 thread(s)"``,
    joined by "; "; None if it finds none. Their kernels, which OpenBLAS picks by processor
    unless ``OPENBLAS_CORETYPE`` names them, decide how a matrix product rounds."""
    from threadpoolctl import threadpool_info

    named = []
    for library in threadpool_info():
        if library.get("user_api") != "blas":
            continue
        file = Path(library.get("filepath") or "").name.split("-")[0]
        kernels = library.get("architecture")
        named.append(f"{library.get('internal_api')} {library.get('version')} ({file})"
                     + (f", {kernels} kernels" if kernels else "")
                     + f", {library.get('num_threads')} thread(s)")
    return "; ".join(named) or None


def training_revisions(run_dir):
    """[{"revision", "blas", "from_step"}, ...]: each start or resume of training in ``run_dir``,
    in order ("blas" since 2026-12-05's evening); None for a run trained before runs recorded
    it."""
    path = Path(run_dir) / REVISIONS_NAME
    return jsonfile.read(path) if path.exists() else None


def record_training_start(run_dir, step):
    """Append this checkout's revision and BLAS, training from ``step``, to the run's list (not
    again when the last entry already says the same, as after a resume that saved nothing)."""
    entries = training_revisions(run_dir) or []
    entry = {"revision": git_revision(), "blas": blas_in_use(), "from_step": step}
    if not entries or entries[-1] != entry:
        jsonfile.write(Path(run_dir) / REVISIONS_NAME, entries + [entry])

"""One writer per run folder (and per study folder): an advisory lock held for the writer's
whole life.

Two processes writing one folder interleave their metric records and checkpoints and leave a
folder that reads as one run but is neither. So a run (``GANTrainer.run``) and a study
(``run_study``) first take an exclusive ``flock`` on a file ``.lock`` in their folder, and keep
it until they end. A second writer is refused at once, with the folder and the process that
holds it named. The operating system releases the lock when its holder dies, however it dies,
so a stale ``.lock`` left by a killed process never blocks anyone; folders written before the
lock existed simply get one. The lock is advisory: it keeps ugan's own writers apart, not
other programs.
"""

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_NAME = ".lock"


class FolderInUse(RuntimeError):
    """Another live process is writing the folder."""


@contextlib.contextmanager
def one_writer(folder, what):
    """Hold ``folder``'s lock for the block (``what`` says who holds it: "a run", "a study");
    raise :class:`FolderInUse` at once if another process holds it."""
    path = Path(folder) / LOCK_NAME
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode(errors="replace").strip()
            raise FolderInUse(f"{folder} is being written by another process "
                              f"({holder or 'pid unknown'}); wait until it ends, or stop it, "
                              "before writing this folder") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"pid {os.getpid()}, {what}".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock

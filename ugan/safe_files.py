"""Writes into a run folder that never follow a link they did not make.

A run folder may be shared (a study on a cluster's file system), and anyone who can write into
it could plant a symbolic link where a run is about to write (``checkpoint.npz``'s temporary
file, ``config.json``, ``samples/``) to make the run overwrite the link's target. So every file
a run writes is written by :func:`replace_file`: to a new temporary file created exclusively
(``tempfile.mkstemp``: ``O_CREAT | O_EXCL``, which fails rather than follow anything standing at
its name), then renamed over the final name (a rename replaces whatever stands there, a link
included, and never writes through it). A kill leaves the old file or the new one, never half
of one. A folder a run makes for its files (``samples/``) is checked by :func:`own_folder`.
"""

import contextlib
import errno
import io
import os
import tempfile
from pathlib import Path

import numpy as np


def replace_file(path, data):
    """Make ``path`` hold ``data`` (bytes), atomically, following no link. A failed write (a
    full disk) leaves no temporary file and raises an OSError that names ``path`` and says that
    its former content, if any, is kept."""
    path = Path(path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                                 suffix=".tmp")
    except OSError as error:
        raise _not_written(error, path) from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _not_written(error, path) from error
        raise
    return path


def _not_written(error, path):
    return OSError(error.errno, f"{error.strerror or error}; not written (its former version, "
                   "if any, is kept)", str(path))


def save_array(path, array):
    """``np.save(path, array)`` by :func:`replace_file`."""
    buffer = io.BytesIO()
    np.save(buffer, array)
    return replace_file(path, buffer.getvalue())


def own_folder(folder):
    """``folder``, made if missing; an OSError naming it if it is a symbolic link (which would
    send the files written into it elsewhere)."""
    folder = Path(folder)
    if folder.is_symlink():
        raise OSError(errno.ELOOP, "is a symbolic link, not a folder of this run; remove it "
                      "(a run writes only into folders it made)", str(folder))
    folder.mkdir(exist_ok=True)
    return folder

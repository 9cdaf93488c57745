"""A study's runs spread over a Dask cluster (``study --cluster ADDRESS``).

Each run is one task, trained in a worker process by ``ugan.study.train_run`` with its own
number of BLAS threads (threadpoolctl). Workers must have the project installed and see the
study's folder at the same path (a shared file system): the runs write there, so a study cut off
on the cluster resumes from its folders like a local one. When a worker dies, the scheduler
gives its run to another worker, which resumes it from its last checkpoint; a run whose workers
keep dying (Dask's ``allowed-failures``, 3 by default) is reported as failed.

With ``--device cuda`` each run asks for one unit of the worker resource ``GPU``: start one
worker per GPU with ``--resources GPU=1`` (and ``CUDA_VISIBLE_DEVICES`` naming its GPU), so
that no two runs share one. Dask (``pip install -e ".[cluster]"``) is imported only here, when a
study asks for a cluster."""

import uuid

from minigrad import allocator

from ugan.parallel import report
from ugan.study import describe_error

CONNECT_SECONDS = 30


def connect(address):
    """A Dask client of the scheduler at ``address``; a RuntimeError that names the option when
    Dask is missing or no scheduler answers."""
    try:
        from dask.distributed import Client
    except ImportError as error:
        raise RuntimeError("--cluster needs Dask's distributed scheduler: "
                           "pip install -e \".[cluster]\"") from error
    try:
        return Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as error:
        raise RuntimeError(f"--cluster {address}: no Dask scheduler answered there "
                           f"({error})") from error


def train_on_worker(train, run, threads):
    """The task: ``train(run)`` with ``threads`` BLAS threads. A worker with several threads
    trains as many runs at once, each as it would alone (a trainer changes no process-wide
    state). The BLAS limit is the exception: it belongs to the process, so it is set and left
    set (every task of a study asks for the same), since putting the former limit back at the
    end of one task would change it under another task still training."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    allocator.keep_freed_memory_unless_disabled()  # as `python -m ugan` does; idempotent
    return train(run, progress=False)


def launcher(address, threads, gpu=False):
    """A ``launch`` for ``ugan.study.run_study``: every run a task on the cluster at
    ``address``; with ``gpu``, each task takes one ``GPU`` resource of its worker."""
    def launch(runs, train, progress):
        from dask.distributed import as_completed

        with connect(address) as client:
            # Absolute folders: a worker's working folder is not this process's.
            runs = [run._replace(path=run.path.resolve()) for run in runs]
            names = {client.submit(train_on_worker, train, run, threads, pure=False,
                                   key=f"ugan-{run.name}-{uuid.uuid4().hex}",
                                   resources={"GPU": 1} if gpu else None): run.name
                     for run in runs}
            errors = {}
            for future in as_completed(names):
                errors[names[future]] = _result(future)
                if progress:
                    report(names[future], errors[names[future]])
        return errors
    return launch


def _result(future):
    """A task's result, or what ended it: its worker kept dying (KilledWorker), or the task
    could not run there (say, the project missing on the worker)."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 -- a failed run is a result of the study
        return describe_error(error)

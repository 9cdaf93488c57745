"""A study's runs in separate processes on this machine, a few at a time (``study --jobs N``).

Each run is the command that ``study --print-commands`` prints for it (``python -m ugan
EXPERIMENT --unroll-steps K --seed S --out DIR --resume ...``), started with its own number of
BLAS threads in its environment, where BLAS reads it when the process imports numpy. A run's
output goes to a pipe, and the study shows one line per run: on a terminal the run's progress
bar, redrawn in place; elsewhere one line as each run ends. A run that exits with an error is
reported with the last line it printed. Ctrl-C or SIGTERM stops the study: it signals every run
at once, each checkpoints and stops, the study prints the line each last printed (what it kept),
and the next ``study`` command resumes them. A study killed outright (SIGKILL) cannot
stop its runs itself, so each run asks Linux to send it SIGTERM when the study dies
(:func:`die_with_parent`): it checkpoints and stops rather than train on, orphaned, beside the
runs of a restarted study."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

PARENT_VARIABLE = "UGAN_STUDY_PID"  # set for a study's runs: the study's process id
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# The variables that numpy's BLAS libraries (OpenBLAS, MKL, Accelerate, OpenMP) read at import.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                         "VECLIB_MAXIMUM_THREADS")
POLL_SECONDS = 0.2
STOP_SECONDS = 60  # how long a stopped run may take to checkpoint before it is killed
INTERRUPTED = 130  # the exit code of a run stopped by Ctrl-C or SIGTERM


def available_cores():
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def threads_per_run(jobs):
    """BLAS threads for each of ``jobs`` runs at once, so that together they fill the cores
    without asking for more (at least one)."""
    return max(1, available_cores() // jobs)


def blas_environment(threads):
    """This process's environment, with every BLAS library told to use ``threads`` threads,
    and this process named as the study that the runs die with (:func:`die_with_parent`)."""
    return {**os.environ, **dict.fromkeys(BLAS_THREAD_VARIABLES, str(threads)),
            PARENT_VARIABLE: str(os.getpid())}


def die_with_parent():
    """In a run started by a study (its environment names the study's process): ask Linux to
    send this process SIGTERM when the study dies, so that the run checkpoints and stops; if the
    study is already gone, stop now with a SIGTERM of its own. Elsewhere it does nothing."""
    study = os.environ.get(PARENT_VARIABLE)
    if study is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != int(study):  # the study died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def outcome(error):
    """How a run ended, in a few words: "done" or "failed: ..."."""
    return "done" if error is None else f"failed: {error}"


def report(name, error, stream=None):
    """One line: the run ``name`` has ended, and how."""
    print(f"{name}: {outcome(error)}", file=stream or sys.stderr, flush=True)


class ChildRun:
    """One run's process, and the last line it printed (a progress bar redraws its line with a
    carriage return, so that counts as a line too)."""

    def __init__(self, argv, env):
        self.process = subprocess.Popen([sys.executable, *argv], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        self.line = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        pending = b""
        for chunk in iter(lambda: self.process.stdout.read1(4096), b""):
            *lines, pending = re.split(rb"[\r\n]", pending + chunk)
            self._keep_last(lines)
        self._keep_last([pending])

    def _keep_last(self, lines):
        printed = [line.strip() for line in lines if line.strip()]
        if printed:
            self.line = printed[-1].decode(errors="replace")

    def error(self):
        """None while running or when the run finished, else why it did not."""
        code = self.process.poll()
        if not code:
            return None
        if code < 0:
            return f"stopped by {signal.Signals(-code).name}"
        self._reader.join()
        return self.line.removeprefix("error: ") if self.line else f"exit code {code}"

    def ask_to_stop(self):
        """Ask the run to checkpoint and stop (SIGTERM), if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()

    def stopped(self, deadline):
        """The last line the run printed (what it saved) once it has stopped; killed if it still
        runs at ``deadline`` (a ``time.monotonic()``)."""
        try:
            self.process.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join()
        return self.line


class ProgressLines:
    """One line per run on ``stream``: on a terminal, all of them redrawn in place; elsewhere a
    line as each run ends."""

    def __init__(self, names, stream):
        self.names = names
        self.stream = stream
        self.live = stream.isatty()
        self.drawn = 0
        self.shown = None

    def show(self, lines):
        """Redraw the block (on a terminal) with ``lines``: {run name: its line}."""
        width = shutil.get_terminal_size().columns - 1
        block = "".join(f"\x1b[2K{f'{name}: {lines[name]}'[:width]}\n" for name in self.names)
        if not self.live or block == self.shown:
            return
        self.stream.write((f"\x1b[{self.drawn}F" if self.drawn else "") + block)
        self.stream.flush()
        self.drawn, self.shown = len(self.names), block

    def ended(self, name, error):
        """A run has ended (printed at once where nothing is redrawn)."""
        if not self.live:
            report(name, error, self.stream)


def run_in_processes(commands, jobs, threads, progress=True, stream=None):
    """Run ``commands`` ({run name: the arguments after ``python``}), at most ``jobs`` at a time,
    each with ``threads`` BLAS threads. Returns {run name: None, or why the run failed}."""
    env = blas_environment(threads)
    stream = stream or sys.stderr
    pending = list(commands)
    running, errors = {}, {}
    display = ProgressLines(list(commands), stream) if progress else None
    lines = dict.fromkeys(commands, "waiting")
    previous = _interrupt_on_sigterm()
    try:
        while pending or running:
            while pending and len(running) < jobs:
                name = pending.pop(0)
                running[name] = ChildRun(commands[name], env)
            time.sleep(POLL_SECONDS)
            for name, child in list(running.items()):
                lines[name] = child.line or "starting"
                if child.process.poll() == INTERRUPTED:
                    raise KeyboardInterrupt(f"{name}: {child.line}")
                if child.process.poll() is not None:
                    errors[name] = child.error()
                    lines[name] = outcome(errors[name])
                    del running[name]
                    if display:
                        display.ended(name, errors[name])
            if display:
                display.show(lines)
    finally:
        _stop_all(running, stream)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return errors


def _stop_all(running, stream):
    """Ask every run still running ({name: ChildRun}) to checkpoint and stop, all at once (so
    that they save in parallel, each within STOP_SECONDS), then print what each kept."""
    for child in running.values():
        child.ask_to_stop()
    deadline = time.monotonic() + STOP_SECONDS
    for name, child in running.items():
        print(f"{name}: {child.stopped(deadline)}", file=stream, flush=True)


def _interrupt_on_sigterm():
    """From now on SIGTERM raises KeyboardInterrupt, as Ctrl-C does (in the main thread only);
    returns the handler it replaced, or None."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(number, frame):
    raise KeyboardInterrupt(signal.Signals(number).name)


def launcher(command, jobs, threads):
    """A ``launch`` for ``ugan.study.run_study``: each run's ``command(run)`` in its own process,
    ``jobs`` at a time."""
    def launch(runs, train, progress):
        return run_in_processes({run.name: command(run) for run in runs}, jobs, threads,
                                progress)
    return launch

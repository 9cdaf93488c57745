"""A study run elsewhere than in its own process gives the serial study's table, bit for bit:
with ``--jobs 2`` (processes on this machine), with the commands ``--print-commands`` prints,
and on a local Dask cluster (two workers on the loopback address) one of whose workers is
killed in the middle. A failed run is reported in the table and the others go on."""

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ugan import parallel
from ugan.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
STUDY = ["study", "mixture", "--ks", "0", "1", "--seeds", "0", "1", "--steps", "60",
         "--batch-size", "16", "--eval-every", "20"]
ONE_THREAD = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
DEADLINE_SECONDS = 240


def ugan(args, **kwargs):
    """``python -m ugan ARGS`` in a process of its own, with one BLAS thread."""
    return subprocess.run([sys.executable, "-m", "ugan", *args], cwd=ROOT, env=ONE_THREAD,
                          capture_output=True, text=True, timeout=DEADLINE_SECONDS, **kwargs)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The study run serially with one BLAS thread (the reference): its folder and table."""
    out = tmp_path_factory.mktemp("serial")
    result = ugan([*STUDY, "--no-progress", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def histories(out):
    """{run folder name: the bytes of its metrics.jsonl}."""
    return {path.parent.name: path.read_bytes() for path in sorted(out.glob("*/metrics.jsonl"))}


def test_a_study_with_two_jobs_gives_the_serial_table_bit_for_bit(serial, tmp_path):
    serial_out, serial_table = serial
    result = ugan([*STUDY, "--jobs", "2", "--out", str(tmp_path)])
    assert result.returncode == 0, result.stderr
    assert result.stdout == serial_table
    assert histories(tmp_path) == histories(serial_out)
    assert len(histories(tmp_path)) == 4
    # Away from a terminal, one line per run as it ends.
    assert sorted(line for line in result.stderr.splitlines() if line.endswith(": done")) == \
        [f"K{k}-seed{seed}: done" for k in (0, 1) for seed in (0, 1)]


def test_sigterm_stops_a_study_with_jobs_and_every_run_checkpoints(tmp_path):
    """The study stops at once (no further run starts) and says what each run saved."""
    study = subprocess.Popen([sys.executable, "-m", "ugan", "study", "mixture", "--ks", "0", "1",
                              "--seeds",
                              "0", "1", "--steps", "100000", "--batch-size", "16", "--eval-every",
                              "10", "--jobs", "2", "--out", str(tmp_path)], cwd=ROOT,
                             env=ONE_THREAD, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline and [history.count(b"\n") > 1 for history in
                                               histories(tmp_path).values()] != [True, True]:
            time.sleep(0.1)  # until both runs are in their training loop
        study.terminate()
        _, errors = study.communicate(timeout=DEADLINE_SECONDS)
    finally:
        study.kill()
    assert study.returncode == 130
    assert sorted(path.name for path in tmp_path.iterdir()) == [".lock", "K0-seed0", "K0-seed1"]
    for run in ("K0-seed0", "K0-seed1"):
        assert f"{run}: SIGTERM at iteration" in errors
        assert (tmp_path / run / "checkpoint.npz").exists()


def test_printed_commands_train_the_runs_that_the_study_trains(tmp_path, capsys):
    """Each printed command is made from its run's config: a flag for each option that differs
    from the preset's, study-only options none; the run it trains is the one the study trains
    in its place."""
    options = ["--ks", "1", "--seeds", "3", "--steps", "2", "--batch-size", "16",
               "--eval-every", "1", "--g-lr", "0.0003", "--no-second-order", "--no-progress"]
    assert main(["study", "mixture", *options, "--out", str(tmp_path / "printed"),
                 "--print-commands"]) == 0
    (command,) = capsys.readouterr().out.splitlines()
    args = shlex.split(command)
    assert args[:4] == ["python", "-m", "ugan", "mixture"]
    for option in (["--preset", "demo"], ["--unroll-steps", "1"], ["--seed", "3"],
                   ["--g-lr", "0.0003"], ["--no-second-order"], ["--resume"],
                   ["--out", str(tmp_path / "printed" / "K1-seed3")]):
        assert shlex.join(option) in shlex.join(args), option
    assert "--ks" not in args and "--seeds" not in args and "--print-commands" not in args
    assert "--d-lr" not in args  # the preset's value
    assert not (tmp_path / "printed").exists()  # printing runs nothing
    result = subprocess.run([sys.executable, *args[1:]], cwd=ROOT, env=ONE_THREAD,
                            capture_output=True, text=True, timeout=DEADLINE_SECONDS)
    assert result.returncode == 0, result.stderr
    assert main(["study", "mixture", *options, "--out", str(tmp_path / "study")]) == 0
    printed, studied = tmp_path / "printed" / "K1-seed3", tmp_path / "study" / "K1-seed3"
    assert (printed / "config.json").read_text() == (studied / "config.json").read_text()
    assert (printed / "metrics.jsonl").read_text() == (studied / "metrics.jsonl").read_text()


@pytest.mark.parametrize("where", [[], ["--jobs", "2"]], ids=["serial", "jobs"])
def test_a_failed_run_is_reported_in_the_table_and_the_others_go_on(where, tmp_path, capsys):
    study = ["study", "mixture", "--ks", "0", "1", "--seeds", "0", "1", "--steps", "2",
             "--batch-size",
             "16", "--eval-every", "1", "--no-progress", "--out", str(tmp_path), *where]
    (tmp_path / "K1-seed0").mkdir(parents=True)
    (tmp_path / "K1-seed0" / "checkpoint.npz").write_bytes(b"not a checkpoint")
    assert main(study) == 1
    captured = capsys.readouterr()
    rows = {line.split(" | ")[0]: line for line in captured.out.splitlines()}
    assert rows["| K"].endswith("| failed runs |")
    assert rows["| 0"].startswith("| 0 | 2 |") and rows["| 0"].endswith("| - |")
    assert rows["| 1"].startswith("| 1 | 1 |")
    assert "seed 0:" in rows["| 1"] and "checkpoint" in rows["| 1"]
    assert "1 of the study's runs failed" in captured.err
    for run in ("K0-seed0", "K0-seed1", "K1-seed1"):
        assert (tmp_path / run / "metrics.json").exists()


def test_bad_study_options_are_refused_by_name(capsys):
    for args, message in [(["--jobs", "0"], "argument --jobs: expected an integer >= 1"),
                          (["--jobs", "2", "--cluster", "tcp://127.0.0.1:1"], "not allowed"),
                          (["--threads", "2"], "argument --threads: goes with --jobs")]:
        with pytest.raises(SystemExit) as exit_info:
            main(["study", "mixture", *args])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


# -- a local Dask cluster -------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(module, *args):
    """A Dask scheduler or worker process on the loopback address, in a session of its own."""
    return subprocess.Popen([sys.executable, "-m", f"distributed.cli.{module}", *args,
                             "--host", "127.0.0.1", "--no-dashboard"], cwd=ROOT, env=ONE_THREAD,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


@pytest.fixture
def local_cluster():
    """A scheduler and two single-threaded workers on 127.0.0.1: (address, {worker address:
    its process}), stopped afterwards."""
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = [start("dask_scheduler", "--port", address.rsplit(":", 1)[1])]
    workers = {}
    try:
        for _ in range(2):
            port = free_port()
            workers[f"tcp://127.0.0.1:{port}"] = start(
                "dask_worker", address, "--nthreads", "1", "--no-nanny", "--worker-port",
                str(port), "--death-timeout", "60")
        processes += workers.values()
        yield address, workers
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def kill_a_worker_in_the_middle_of_a_run(client, workers, out, deadline):
    """SIGKILL the first worker seen training a run that has begun writing its folder; returns
    that run's name."""
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            for key in keys:
                run = key.split("-", 1)[1].rsplit("-", 1)[0]  # ugan-K0-seed1-<uuid>
                if (out / run / "metrics.jsonl").exists():
                    os.killpg(workers[worker].pid, signal.SIGKILL)
                    workers[worker].wait()
                    return run
        time.sleep(0.05)
    raise AssertionError("no worker was seen training a run")


def test_a_study_on_a_dask_cluster_survives_a_killed_worker(serial, local_cluster, tmp_path):
    from dask.distributed import Client

    address, workers = local_cluster
    deadline = time.monotonic() + DEADLINE_SECONDS
    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=60)
        study = subprocess.Popen([sys.executable, "-m", "ugan", *STUDY, "--cluster", address,
                                  "--out", str(tmp_path)], cwd=ROOT, env=ONE_THREAD,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            killed = kill_a_worker_in_the_middle_of_a_run(client, workers, tmp_path, deadline)
            table, errors = study.communicate(timeout=max(1, deadline - time.monotonic()))
        finally:
            study.kill()
    assert study.returncode == 0, errors
    assert killed in histories(tmp_path)
    serial_out, serial_table = serial
    assert table == serial_table
    assert histories(tmp_path) == histories(serial_out)


# a run that, asked to stop, waits until the other run has been asked too before it "saves":
# a study that stopped its runs one after another would kill the first (STOP_SECONDS) unsaved
WAITS_FOR_THE_OTHER = """
import os, pathlib, signal, sys, time
folder, me, other = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def stop(number, frame):
    (folder / f"{me}.asked").touch()
    while not (folder / f"{other}.asked").exists():
        time.sleep(0.01)
    print(f"{me} kept its checkpoint", flush=True)
    sys.exit(130)
signal.signal(signal.SIGTERM, stop)
(folder / f"{me}.ready").touch()
while True:
    time.sleep(0.01)
"""


def test_a_stopped_study_signals_all_its_runs_at_once_and_reports_what_each_kept(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(parallel, "STOP_SECONDS", 10)
    names = ("K0-seed0", "K1-seed0")
    commands = {name: ["-c", WAITS_FOR_THE_OTHER, str(tmp_path), name, other]
                for name, other in zip(names, reversed(names))}

    def stop_the_study_once_both_run():
        while not all((tmp_path / f"{name}.ready").exists() for name in names):
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_the_study_once_both_run, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        parallel.run_in_processes(commands, jobs=2, threads=1, progress=False, stream=sys.stderr)
    reported = capsys.readouterr().err.splitlines()
    assert sorted(reported) == [f"{name}: {name} kept its checkpoint" for name in names]

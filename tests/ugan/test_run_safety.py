"""What the run machinery does with bad input and failures (issue 15): arguments refused at parse
time, data and OS errors as one line, divergence, re-runs of finished runs, a history that agrees
with the checkpoint, standard JSON, and runs SIGKILLed at random moments."""

import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fashion_files import idx_ubyte, write_split
from tiny_runs import assert_extended_run, assert_same_run, tiny_config, train
from ugan import jsonfile
from ugan.__main__ import main
from ugan.checkpoint import load_checkpoint
from ugan.experiments.mixture import MixtureExperiment
from ugan.iteration import UnrolledGAN
from ugan.train import CHECKPOINT_NAME, DivergenceError, GANTrainer, read_history

BAD_ARGUMENTS = [["mixture", "--steps", "-5"], ["mixture", "--steps", "0"],
                 ["mixture", "--unroll-steps", "-1"], ["mixture", "--eval-every", "-1"],
                 ["mixture", "--eval-every", "0"], ["mixture", "--g-lr", "-1"],
                 ["mixture", "--d-lr", "nan"], ["mixture", "--g-lr", "inf"],
                 ["mixture", "--beta1", "1"], ["mixture", "--dataset", "square"],
                 ["mixture", "--batch-size", "0"], ["conv", "--g-width", "0"],
                 ["lstm", "--d-width", "-2"], ["mixture", "--seed", "-1"],
                 ["mixture", "--historical-averaging", "-0.1"], ["mixture", "--steps", "1.5"],
                 ["study", "mixture", "--ks", "0", "-1"], ["study", "lstm", "--seeds", "x"],
                 ["study", "conv", "--g-width", "0"]]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_bad_arguments_are_refused_at_parse_time(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    option = next(word for word in argv if word.startswith("--"))
    error = capsys.readouterr().err
    assert re.search(f"argument (-K/)?{option}: expected ", error)
    assert not (tmp_path / "run").exists()


def strict_json(text):
    """json.loads refusing Infinity and NaN, as JavaScript's JSON.parse does."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_files_hold_standard_json_and_read_back_infinities(tmp_path):
    history = train(tmp_path, steps=2, init_gain=1000.0)  # every sample far from every mode
    assert history[-1]["kl_to_uniform"] == float("inf")
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    records = [strict_json(line) for line in lines]
    assert records[-1]["kl_to_uniform"] is None
    assert records[-1]["non_finite"] == {"kl_to_uniform": "inf"}
    assert strict_json((tmp_path / "metrics.json").read_text())["final"]["kl_to_uniform"] is None
    assert read_history(tmp_path) == history


def test_a_nan_round_trips_through_jsonfile(tmp_path):
    jsonfile.write(tmp_path / "x.json", {"a": [{"b": float("nan"), "c": -float("inf")}]})
    back = jsonfile.read(tmp_path / "x.json")["a"][0]
    assert np.isnan(back["b"]) and back["c"] == -float("inf")
    strict_json((tmp_path / "x.json").read_text())


def files_of(folder, names=("checkpoint.npz", "metrics.jsonl", "metrics.json", "config.json")):
    return {name: (folder / name).read_bytes() for name in names}


def steps_in(folder):
    return [record["step"] for record in read_history(folder)]


def test_records_that_name_reverse_kl_are_read_and_written_back_as_kl_to_uniform(tmp_path):
    """The mixture's kl_to_uniform was called reverse_kl: a finished run of then, re-run (as the
    demo and a study do), reads its records and rewrites its files under today's name."""
    history = train(tmp_path, steps=2)
    path = tmp_path / "metrics.jsonl"
    path.write_text(path.read_text().replace('"kl_to_uniform"', '"reverse_kl"'))
    assert train(tmp_path, steps=2, resume=True) == history
    assert "reverse_kl" not in path.read_text()
    assert jsonfile.read(tmp_path / "metrics.json")["final"] == history[-1]


def test_a_finished_run_run_again_changes_nothing(tmp_path):
    """steps off the evaluation grid: the final evaluation (step 5) must survive re-runs."""
    history = train(tmp_path, steps=5)
    assert [r["step"] for r in history] == steps_in(tmp_path) == [0, 2, 4, 5]
    finished = files_of(tmp_path)
    for _ in range(2):
        assert train(tmp_path, resume=True, steps=5) == history
        assert files_of(tmp_path) == finished


def test_a_finished_run_that_lost_its_final_evaluation_gets_it_back(tmp_path):
    train(tmp_path, steps=5)
    finished = files_of(tmp_path)
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "metrics.jsonl").write_text("".join(lines[:-1]))  # what re-runs used to leave
    train(tmp_path, resume=True, steps=5)
    assert files_of(tmp_path) == finished


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_stops_the_run_naming_the_iteration_and_the_player(tmp_path, capsys):
    argv = ["mixture", "--steps", "10", "--unroll-steps", "1", "--eval-every", "5",
            "--g-lr", "1e6", "--d-lr", "1e6",
            "--no-progress", "--out", str(tmp_path)]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(r"error: mixture K=1 diverged at iteration \d+: the (discriminator|"
                        r"generator)'s (loss is (inf|nan)|parameters are no longer finite) .*",
                        error)
    assert not (tmp_path / "checkpoint.npz").exists() and steps_in(tmp_path) == [0]


def diverging_trainer(out_dir, at_step, player="generator"):
    """A tiny run whose ``player``'s parameters turn nan in iteration ``at_step``."""
    trainer = GANTrainer(MixtureExperiment(tiny_config()), out_dir)
    original = trainer.gan.train_step

    def train_step():
        losses = original()
        if trainer.gan.step == at_step:
            module = getattr(trainer.gan, player)
            first = next(module.parameters())
            first.data = first.detach() * np.nan
        return losses

    trainer.gan.train_step = train_step
    return trainer


@pytest.mark.parametrize("player", ["generator", "discriminator"])
def test_divergence_keeps_the_last_good_checkpoint_and_its_history(tmp_path, player):
    train(tmp_path, steps=3)
    good = files_of(tmp_path, ("checkpoint.npz",))
    with pytest.raises(DivergenceError, match=rf"iteration 4: the {player}'s parameters are no "
                       r"longer finite .* checkpoint of iteration 3 .* is kept"):
        diverging_trainer(tmp_path, 4, player).run(resume=True, progress=False)
    assert files_of(tmp_path, ("checkpoint.npz",)) == good
    assert steps_in(tmp_path) == [0, 2, 3]  # the former end's record (step 3) is kept


def test_a_failed_save_leaves_the_history_at_the_checkpoint(tmp_path):
    trainer = GANTrainer(MixtureExperiment(tiny_config()), tmp_path / "failed")
    original = trainer.save

    def save():
        if trainer.gan.step == 6:
            raise OSError(28, "No space left on device")
        return original()

    trainer.save = save
    with pytest.raises(OSError, match="No space left"):
        trainer.run(progress=False)
    # the last checkpoint is iteration 4's, written before its evaluation
    assert steps_in(tmp_path / "failed") == [0, 2, 4]
    train(tmp_path / "failed", resume=True)
    train(tmp_path / "straight")
    assert_same_run(tmp_path / "straight", tmp_path / "failed")


def test_a_history_line_cut_short_is_left_out_and_a_damaged_one_is_named(tmp_path):
    train(tmp_path / "straight")
    train(tmp_path / "cut", steps=3)
    metrics = tmp_path / "cut" / "metrics.jsonl"
    metrics.write_text(metrics.read_text() + '{"step": 4, "modes_cov')  # a write cut short
    train(tmp_path / "cut", resume=True)
    assert_extended_run(tmp_path / "straight", tmp_path / "cut", former_end=3)
    lines = metrics.read_text().splitlines(keepends=True)
    metrics.write_text("".join([lines[0], "{oops\n", *lines[1:]]))
    with pytest.raises(ValueError, match=f"{metrics}, line 2: not a metric record"):
        train(tmp_path / "cut", resume=True)


def test_a_second_ctrl_c_says_what_was_kept(tmp_path, capsys):
    trainer = GANTrainer(MixtureExperiment(tiny_config()), tmp_path)
    original = trainer.gan.compiled  # the compiled iteration: one call, no Python inside

    def iteration_with_two_interrupts(batches):
        if trainer.gan.step == 4:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
        return original(batches)

    trainer.gan.compiled = iteration_with_two_interrupts
    with pytest.raises(KeyboardInterrupt):
        trainer.run(progress=False)
    # iteration 4's checkpoint, written before its evaluation
    assert "stopped at once: The checkpoint of iteration 4" in capsys.readouterr().err
    assert load_checkpoint(tmp_path / CHECKPOINT_NAME)[1]["step"] == 4
    assert steps_in(tmp_path) == [0, 2, 4]


class SeedOneDiverges(UnrolledGAN):
    """A run's state whose run with seed 1 turns its generator's parameters nan in iteration
    2."""

    def train_step(self):
        losses = super().train_step()
        if self.config.seed == 1 and self.step == 2:
            first = next(self.generator.parameters())
            first.data = first.detach() * np.nan
        return losses


def test_a_study_reports_a_diverged_run_instead_of_averaging_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("ugan.train.UnrolledGAN", SeedOneDiverges)
    args = ["study", "mixture", "--preset", "paper", "--ks", "2", "--seeds", "0", "1",
            "--steps", "3",
            "--batch-size", "16", "--eval-every", "2", "--no-progress", "--out", str(tmp_path)]
    assert main(args) == 1  # a failed run: the study says so in its exit code
    output = capsys.readouterr()
    summary = jsonfile.read(tmp_path / "summary.json")
    strict_json((tmp_path / "summary.json").read_text())
    entry = summary["runs"]["2"]
    final = jsonfile.read(tmp_path / "K2-seed0" / "metrics.json")["final"]
    assert entry["seeds"] == 1 and [failed["seed"] for failed in entry["failed"]] == [1]
    assert "mixture K=2 diverged at iteration 2: the generator's" in entry["failed"][0]["error"]
    assert entry["high_quality_fraction"]["mean"] == final["high_quality_fraction"]
    assert "| 2 | 1 |" in output.out and "seed 1: DivergenceError: mixture K=2 diverged" in \
        output.out


def mnist_folder(folder, images, labels):
    folder.mkdir()
    (folder / "train-images-idx3-ubyte").write_bytes(idx_ubyte(images))
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_ubyte(labels))
    return folder


def image_run(folder, *options):
    return ["lstm", "--g-width", "4", "--d-width", "2", "--steps", "1", "--batch-size", "4",
            "--no-progress", "--out", str(folder / "run"), *options]


def data_and_os_errors(tmp_path):
    """name: (argv, what the one line must say)"""
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "cifar").mkdir()
    (tmp_path / "cifar" / "data_batch_1").write_bytes(b"")
    for i in range(2, 6):
        (tmp_path / "cifar" / f"data_batch_{i}").write_bytes(b"garbage")
    bad_labels = mnist_folder(tmp_path / "labels", np.zeros((3, 8, 8)), np.array([1, 12, 3]))
    no_images = mnist_folder(tmp_path / "none", np.zeros((0, 8, 8)), np.zeros(0))
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "train-images-idx3-ubyte").write_bytes(struct.pack(">HBB3I", 0, 8, 3, 2 ** 31,
                                                               2 ** 31, 2 ** 31))
    (huge / "train-labels-idx1-ubyte").write_bytes(idx_ubyte(np.zeros(1)))
    return {
        "out is a file": (["mixture", "--out", str(tmp_path / "a-file")],
                          f"{tmp_path / 'a-file'}: is a file, not a run folder"),
        "out under a file": (["mixture", "--out", str(tmp_path / "a-file" / "run")],
                             f"{tmp_path / 'a-file' / 'run'}: Not a directory"),
        "empty data dir": (image_run(tmp_path, "--dataset", "mnist", "--data-dir",
                                     str(tmp_path / "empty")), "none of ['train-images"),
        "empty cifar batch": (image_run(tmp_path, "--dataset", "cifar10", "--data-dir",
                                      str(tmp_path / "cifar")),
                            f"{tmp_path / 'cifar' / 'data_batch_1'}: not a CIFAR-10 python "
                            "batch"),
        "labels out of range": (image_run(tmp_path, "--dataset", "mnist", "--data-dir",
                                          str(bad_labels)),
                                f"{bad_labels / 'train-labels-idx1-ubyte'}: labels must lie in "
                                "0..9, got 12"),
        "no images": (image_run(tmp_path, "--dataset", "mnist", "--data-dir", str(no_images)),
                      f"{no_images / 'train-images-idx3-ubyte'}: holds no images"),
        "dimensions past int64": (image_run(tmp_path, "--dataset", "mnist", "--data-dir",
                                            str(huge)), f"needs {2 ** 93} data bytes, found 0"),
        "a batch too big": (["mixture", "--steps", "1", "--batch-size", str(10 ** 13),
                             "--out", str(tmp_path / "big")], "error: out of memory"),
    }


@pytest.mark.parametrize("case", ["out is a file", "out under a file", "empty data dir",
                                  "empty cifar batch", "labels out of range", "no images",
                                  "dimensions past int64", "a batch too big"])
def test_data_and_os_errors_are_one_line_and_a_non_zero_exit(tmp_path, capsys, case):
    argv, expected = data_and_os_errors(tmp_path)[case]
    assert main([*argv, "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and expected in error


@pytest.mark.parametrize("experiment", ["conv", "lstm"])
def test_images_the_networks_cannot_take_are_refused_before_the_run_folder(tmp_path, capsys,
                                                                           experiment):
    """10x10 Fashion-MNIST-layout images for the small networks (sides of a multiple of 4):
    one line naming the experiment, the data's file and both sizes, exit 2, no run folder."""
    data = tmp_path / "ten-by-ten"
    data.mkdir()
    rng = np.random.default_rng(0)
    for prefix in ("train", "t10k"):
        labels = np.repeat(np.arange(10), 30).astype(np.uint8)
        write_split(data, prefix, rng.integers(0, 256, (300, 10, 10)), labels)
    out = tmp_path / "run"
    assert main([experiment, "--dataset", "fashion-mnist", "--data-dir", str(data), "--steps",
                 "2", "--no-progress", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {experiment} --networks small: the images of dataset "
                            f"'fashion-mnist' ({data / 'train-images-idx3-ubyte'}")
    assert error.count("\n") == 1 and "multiple of 4 (such as 8x8, 28x28 or 32x32), got " \
        "1x10x10" in error
    assert not out.exists()


@pytest.mark.parametrize("experiment", ["conv", "lstm", "stacked", "colour"])
def test_the_paper_preset_refuses_images_of_a_size_the_paper_never_used(tmp_path, capsys,
                                                                        experiment):
    """8x8 MNIST-layout images, which the paper's networks would build for, are refused under
    ``--preset paper`` (its networks are the paper's only at 28x28 and 32x32): one line naming
    the experiment, the data's file and both sizes, exit 2, no run folder."""
    data = mnist_folder(tmp_path / "eight", np.zeros((1300, 8, 8)), np.arange(1300) % 10)
    out = tmp_path / "run"
    assert main([experiment, "--preset", "paper", "--dataset", "mnist", "--data-dir", str(data),
                 "--steps", "1", "--no-progress", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error == (f"error: {experiment} --networks paper: the paper's networks take 28x28 "
                     f"(MNIST) or 32x32 (CIFAR-10) images, but dataset 'mnist' "
                     f"({data / 'train-images-idx3-ubyte[.gz]'}) holds 8x8 images; use "
                     "--networks small for other sizes\n")
    assert not out.exists()


KILLS = 4
CHILD = ("import json, sys; from tiny_runs import train; "
         "train(sys.argv[1], True, **json.loads(sys.argv[2]))")


def start_child(folder, options):
    """A tiny run, resumed or started in ``folder``, in a process of its own."""
    tests = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), json.dumps(options)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_runs_sigkilled_at_random_moments_end_where_an_uninterrupted_run_ends(tmp_path):
    options = dict(steps=8, eval_every=3, checkpoint_every=2)
    train(tmp_path / "straight", **options)
    started = time.monotonic()
    assert start_child(tmp_path / "timed", options).wait(timeout=120) == 0
    duration = time.monotonic() - started
    rng = np.random.default_rng(15)
    for _ in range(KILLS):
        child = start_child(tmp_path / "killed", options)
        time.sleep(rng.uniform(0, duration))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        if (tmp_path / "killed" / CHECKPOINT_NAME).exists():  # never a broken checkpoint
            load_checkpoint(tmp_path / "killed" / CHECKPOINT_NAME)
    assert start_child(tmp_path / "killed", options).wait(timeout=120) == 0
    for folder in ("timed", "killed"):
        assert_same_run(tmp_path / "straight", tmp_path / folder)
        assert files_of(tmp_path / "straight") == files_of(tmp_path / folder)
    finished = files_of(tmp_path / "killed")
    for _ in range(2):
        train(tmp_path / "killed", resume=True, **options)
        assert files_of(tmp_path / "killed") == finished

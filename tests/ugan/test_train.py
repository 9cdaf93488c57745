"""Training loop: exact resume (also from the command line and after Ctrl-C), checkpoints that
are corrupt, truncated or from another configuration, and the run folder's contents."""

import json
import os
import signal

import numpy as np
import pytest

import minigrad as mg

from tiny_runs import TINY_FLAGS, assert_extended_run, assert_same_run, tiny_config, train
from ugan.__main__ import main
from ugan.checkpoint import META_KEY, CheckpointError, load_checkpoint
from ugan.experiments.mixture import MixtureExperiment
from ugan.train import CHECKPOINT_NAME, GANTrainer, read_history


def test_a_run_continued_to_more_steps_equals_an_uninterrupted_one_and_keeps_its_records(
        tmp_path):
    """A run of 3 iterations evaluated at its end (step 3, off the --eval-every 2 grid);
    continued to 6 it trains as a run of 6 did, and its record at step 3 stays (issue 36: no
    record already written is deleted)."""
    train(tmp_path / "straight")
    assert [r["step"] for r in train(tmp_path / "stopped", steps=3)] == [0, 2, 3]
    history = train(tmp_path / "stopped", resume=True)
    assert [r["step"] for r in history] == [0, 2, 3, 4, 6]
    assert [r["step"] for r in read_history(tmp_path / "stopped")] == [0, 2, 3, 4, 6]
    assert_extended_run(tmp_path / "straight", tmp_path / "stopped", former_end=3)


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_mid_iteration_stops_after_it_and_resumes_exactly(tmp_path, signal_name):
    train(tmp_path / "straight")
    trainer = GANTrainer(MixtureExperiment(tiny_config()), tmp_path / "interrupted")
    original = trainer.gan.compiled  # the compiled iteration: one call, no Python inside

    def iteration_with_a_signal(batches):  # the signal arrives inside iteration 5
        if trainer.gan.step == 4:
            os.kill(os.getpid(), getattr(signal, signal_name))
        return original(batches)

    trainer.gan.compiled = iteration_with_a_signal
    with pytest.raises(KeyboardInterrupt):
        trainer.run(progress=False)
    _, meta = load_checkpoint(tmp_path / "interrupted" / CHECKPOINT_NAME)
    assert meta["step"] == 5  # the whole iteration, saved off the checkpoint grid
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored
    train(tmp_path / "interrupted", resume=True)
    assert_same_run(tmp_path / "straight", tmp_path / "interrupted")


def test_a_trainer_leaves_the_callers_default_device_and_generator_as_they_were(tmp_path):
    """The models are built on the run's device and seed inside a scope, and whatever the run
    makes after that names its device: a caller whose default device is another one (here
    array_api_strict's, which refuses to mix devices) trains a CPU run identical to one made
    with the CPU as default, and gets its own device and generator back, untouched."""
    train(tmp_path / "default-cpu")
    mg.set_default_device("strict:device1")
    try:
        mg.manual_seed(5)
        generator = mg.default_generator()
        state = generator.bit_generator.state
        trainer = GANTrainer(MixtureExperiment(tiny_config()), tmp_path / "default-strict")
        assert mg.default_device() == "strict:device1" and mg.default_generator() is generator
        trainer.run(progress=False)
        assert mg.default_device() == "strict:device1" and mg.default_generator() is generator
        assert generator.bit_generator.state == state
    finally:
        mg.set_default_device("cpu")
    assert_same_run(tmp_path / "default-cpu", tmp_path / "default-strict")


def test_resume_through_the_command_line(tmp_path):
    common = ["mixture", "--seed", "3", *TINY_FLAGS]
    assert main(common + ["--steps", "4", "--out", str(tmp_path / "a")]) == 0
    assert main(common + ["--steps", "2", "--out", str(tmp_path / "b")]) == 0
    assert main(common + ["--steps", "4", "--out", str(tmp_path / "b"), "--resume"]) == 0
    assert_same_run(tmp_path / "a", tmp_path / "b")


def test_the_run_folder_holds_config_metrics_figures_and_checkpoint(tmp_path):
    train(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["unroll_steps"] == 2 and config["steps"] == 6
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert {"modes_covered_strict", "high_quality_fraction", "kl_to_uniform",
            "top_mode_mass", "modes_covered"} <= set(records[-1])
    final = json.loads((tmp_path / "metrics.json").read_text())
    assert final["final"]["step"] == 6
    for name in ("density.png", "metrics.png", CHECKPOINT_NAME):
        assert (tmp_path / name).stat().st_size > 0


def test_a_fresh_run_refuses_to_overwrite_an_existing_one(tmp_path):
    train(tmp_path, steps=2)
    with pytest.raises(FileExistsError, match="--resume"):
        train(tmp_path, steps=2)


def test_a_truncated_checkpoint_gets_a_clear_error(tmp_path):
    train(tmp_path, steps=3)
    path = tmp_path / CHECKPOINT_NAME
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        train(tmp_path, resume=True)


def test_garbage_instead_of_a_checkpoint_gets_a_clear_error(tmp_path):
    (tmp_path / CHECKPOINT_NAME).write_bytes(b"not a zip file at all" * 10)
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        train(tmp_path, resume=True)


def test_a_checkpoint_from_another_configuration_is_refused(tmp_path):
    train(tmp_path, steps=3)
    with pytest.raises(CheckpointError, match="unroll_steps"):
        train(tmp_path, resume=True, unroll_steps=5)


def test_loading_never_unpickles(tmp_path):
    """An npz holding an object array (which would need pickle) is refused, not executed."""
    path = tmp_path / CHECKPOINT_NAME
    np.savez(path, payload=np.array([print], dtype=object), __meta__=np.array("{}"))
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        load_checkpoint(path)


def test_a_study_runs_its_grid_and_summarizes_it(tmp_path, capsys):
    args = ["study", "mixture", "--preset", "paper", "--ks", "0", "1", "--seeds", "0", "1",
            "--steps", "2",
            "--batch-size", "16", "--eval-every", "2", "--no-progress", "--out", str(tmp_path)]
    assert main(args) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    runs = summary["runs"]
    assert summary["experiment"] == "mixture"
    assert set(runs) == {"0", "1"} and runs["1"]["seeds"] == 2
    assert runs["1"]["extras"]["seeds with all modes"]["value"] == sum(
        json.loads((tmp_path / f"K1-seed{seed}" / "metrics.json").read_text())["final"]
        ["modes_covered_strict"] == 8 for seed in (0, 1))
    table = capsys.readouterr().out
    assert "| K | seeds | modes (>=1 HQ sample) |" in table
    assert "\n| real data | 2 | 8 ± 0 (8, 8) |" in table  # the ring's 8 modes, on both seeds
    assert "\n| untrained generator | 2 |" in table
    assert (tmp_path / "figure1.png").stat().st_size > 0
    assert (tmp_path / "metrics.png").stat().st_size > 0
    assert main(args) == 0  # finished runs are re-read, not refused


def test_a_study_of_an_image_experiment(tmp_path, capsys):
    args = ["study", "lstm", "--ks", "0", "1", "--seeds", "0", "--steps", "2",
            "--batch-size", "8", "--eval-every", "2", "--hidden-units", "8", "--d-width", "4",
            "--no-progress", "--out", str(tmp_path)]
    assert main(args) == 0
    runs = json.loads((tmp_path / "summary.json").read_text())["runs"]
    final = json.loads((tmp_path / "K1-seed0" / "metrics.json").read_text())["final"]
    assert runs["1"]["diversity"]["mean"] == pytest.approx(final["diversity"])
    table = capsys.readouterr().out
    assert "| K | seeds | classes (strict) |" in table and "diversity" in table
    assert (tmp_path / "samples.png").stat().st_size > 0


@pytest.mark.parametrize("argv", [["mixture", "--g-width", "8"],  # an option of conv's
                                  ["mixture", "--inference-images", "5"],
                                  ["mixture", "--batch", "8"],  # abbreviated
                                  ["mixture", "--bacth-size", "8"],  # misspelt
                                  ["study", "mixture", "--seed", "1"]])  # a study has --seeds
def test_an_option_the_command_does_not_have_is_refused_at_parse_time(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    command = " ".join(word for word in argv if not word.startswith("-") and not word.isdigit())
    assert f"python -m ugan {command}: error: unrecognized arguments: {argv[-2]} {argv[-1]}" \
        in error
    assert not (tmp_path / "run").exists()


def test_averaging_changes_training_and_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    train(tmp_path / "plain")
    train(tmp_path / "straight", historical_averaging=0.1)
    train(tmp_path / "stopped", historical_averaging=0.1, steps=3)
    train(tmp_path / "stopped", resume=True, historical_averaging=0.1)
    assert_extended_run(tmp_path / "straight", tmp_path / "stopped", former_end=3)
    averaged, _ = load_checkpoint(tmp_path / "straight" / CHECKPOINT_NAME)
    plain, _ = load_checkpoint(tmp_path / "plain" / CHECKPOINT_NAME)
    assert any(name.startswith("avgD/") for name in averaged)
    assert not np.array_equal(averaged["G/net.0.weight"], plain["G/net.0.weight"])


def test_a_checkpoint_from_before_the_option_existed_still_resumes(tmp_path):
    train(tmp_path / "old", steps=3)
    path = tmp_path / "old" / CHECKPOINT_NAME
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays[META_KEY]))
    del meta["config"]["historical_averaging"]
    arrays[META_KEY] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    assert train(tmp_path / "old", resume=True)[-1]["step"] == 6


def test_no_compile_gives_the_same_run(tmp_path):
    common = ["mixture", "--seed", "3", "--steps", "4", *TINY_FLAGS]
    assert main(common + ["--out", str(tmp_path / "compiled")]) == 0
    assert main(common + ["--out", str(tmp_path / "eager"), "--no-compile"]) == 0
    assert_same_run(tmp_path / "compiled", tmp_path / "eager")


def test_resuming_with_another_eval_every_keeps_every_record_already_written(tmp_path):
    """--eval-every may change on resume: the records made on the former schedule stay, the
    new schedule adds its own (issue 36: [0, 2, 4, 6] with --eval-every 2, continued with 4
    to 12 iterations, is [0, 2, 4, 6, 8, 12], not [0, 4, 8, 12])."""
    train(tmp_path, steps=6, eval_every=2)
    history = train(tmp_path, resume=True, steps=12, eval_every=4)
    assert [record["step"] for record in history] == [0, 2, 4, 6, 8, 12]
    assert [record["step"] for record in read_history(tmp_path)] == [0, 2, 4, 6, 8, 12]

"""Damaged and crafted checkpoints (issue 15): every one is refused with CheckpointError before
anything in the run folder changes, whichever byte was flipped or where the file was cut."""

import json
from pathlib import Path

import numpy as np
import pytest

from tiny_runs import tiny_config, train
from ugan.__main__ import main
from ugan.checkpoint import META_KEY, CheckpointError, load_checkpoint, save_checkpoint
from ugan.experiments.mixture import MixtureExperiment
from ugan.train import CHECKPOINT_NAME, GANTrainer

FUZZ_CASES = 300


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    """A tiny run stopped at iteration 3 of 6: its folder's files, and its checkpoint."""
    folder = tmp_path_factory.mktemp("run")
    train(folder, steps=3)
    return snapshot(folder), load_checkpoint(folder / CHECKPOINT_NAME)


def snapshot(folder):
    return {path.relative_to(folder): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def restore(folder, files):
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)


def assert_refused_and_unchanged(folder, match=""):
    before = snapshot(folder)
    with pytest.raises(CheckpointError, match=match):
        GANTrainer(MixtureExperiment(tiny_config()), folder).run(resume=True, progress=False)
    assert snapshot(folder) == before


def test_random_byte_flips_and_truncations_are_refused(saved_run, tmp_path):
    files, _ = saved_run
    restore(tmp_path, files)
    original = files[Path(CHECKPOINT_NAME)]
    rng = np.random.default_rng(15)
    for case in range(FUZZ_CASES):
        data = bytearray(original)
        if case % 3:
            position = int(rng.integers(len(data)))
            data[position] ^= 1 << int(rng.integers(8))
        else:
            data = data[:int(rng.integers(len(data)))]
        (tmp_path / CHECKPOINT_NAME).write_bytes(bytes(data))
        assert_refused_and_unchanged(tmp_path, "corrupt or truncated")


def test_flips_in_a_checkpoint_from_before_digests_are_refused_or_change_nothing(saved_run,
                                                                                   tmp_path):
    """An archive without the digest comment (written by np.savez, as before it existed) is
    checked by its structure: a flip is refused, or lands where it changes nothing loaded."""
    _, (arrays, meta) = saved_run
    path = tmp_path / CHECKPOINT_NAME
    np.savez(path, **arrays, **{META_KEY: np.array(json.dumps(meta))})
    original = path.read_bytes()
    rng = np.random.default_rng(16)
    for _ in range(FUZZ_CASES // 3):
        data = bytearray(original)
        data[int(rng.integers(len(data)))] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(data))
        try:
            loaded_arrays, loaded_meta = load_checkpoint(path)
        except CheckpointError:
            continue
        assert loaded_meta == meta and sorted(loaded_arrays) == sorted(arrays)
        for name, array in arrays.items():
            np.testing.assert_array_equal(loaded_arrays[name], array)


def crafted(arrays, meta, part, change):
    """Copies of (arrays, meta) with ``change`` applied to one ``part`` ("arrays" or "meta")."""
    arrays, meta = dict(arrays), json.loads(json.dumps(meta))
    if part == "arrays":
        return change(arrays), meta
    return arrays, change(meta)


def _set(mapping, key, value):
    mapping[key] = value
    return mapping


def _dropped(mapping, key):
    mapping.pop(key)
    return mapping


def _with_nan(arrays, name, value=np.nan):
    array = arrays[name].copy()
    array.flat[0] = value
    return _set(arrays, name, array)


CRAFTED = {
    "metadata is a list": ("meta", lambda m: [1, 2, 3]),
    "metadata is a string": ("meta", lambda m: "[1,2,3]"),
    "no step": ("meta", lambda m: _dropped(m, "step")),
    "an extra metadata entry": ("meta", lambda m: _set(m, "extra", 1)),
    "negative step": ("meta", lambda m: _set(m, "step", -5)),
    "step 0": ("meta", lambda m: _set(m, "step", 0)),
    "step past --steps": ("meta", lambda m: _set(m, "step", 10 ** 6)),
    "step as text": ("meta", lambda m: _set(m, "step", "3")),
    "step as a float": ("meta", lambda m: _set(m, "step", 3.0)),
    "config not an object": ("meta", lambda m: _set(m, "config", [1])),
    "another bit generator": ("meta", lambda m: _set(m, "rng", {**m["rng"],
                                                                 "bit_generator": "MT19937"})),
    "a generator name to call": ("meta", lambda m: _set(m, "rng", {**m["rng"],
                                                                    "bit_generator": "seed"})),
    "a broken generator state": ("meta", lambda m: _set(m, "rng", {**m["rng"], "state": 7})),
    "other learning rate": ("meta", lambda m: _set(m["optimizers"]["G"]["hyperparameters"],
                                                    "lr", 5.0) and m),
    "no optimizers": ("meta", lambda m: _set(m, "optimizers", {})),
    "missing optG/0/exp_avg": ("arrays", lambda a: _dropped(a, "optG/0/exp_avg")),
    "an extra array": ("arrays", lambda a: _set(a, "G/extra", np.zeros(2, np.float32))),
    "a parameter of another shape": ("arrays", lambda a: _set(
        a, "G/net.0.weight", np.zeros((3, 3), np.float32))),
    "a parameter of another dtype": ("arrays", lambda a: _set(
        a, "D/net.0.weight", a["D/net.0.weight"].astype(np.float64))),
    "a nan parameter": ("arrays", lambda a: _with_nan(a, "G/net.0.weight")),
    "a nan Adam state": ("arrays", lambda a: _with_nan(a, "optD/1/exp_avg_sq")),
    "a negative Adam second moment": ("arrays", lambda a: _with_nan(a, "optG/0/exp_avg_sq", -1.0)),
    "a negative Adam step count": ("arrays", lambda a: _with_nan(a, "optG/0/step", -1.0)),
    "a nan Adam step count": ("arrays", lambda a: _with_nan(a, "optD/2/step")),
    "a step count of another dtype": ("arrays", lambda a: _set(
        a, "optD/0/step", a["optD/0/step"].astype(np.float32))),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_checkpoints_are_refused(saved_run, tmp_path, case):
    files, (arrays, meta) = saved_run
    restore(tmp_path, files)
    save_checkpoint(tmp_path / CHECKPOINT_NAME, *crafted(arrays, meta, *CRAFTED[case]))
    assert_refused_and_unchanged(tmp_path, f"checkpoint {tmp_path / CHECKPOINT_NAME}")


def test_a_crafted_metadata_document_that_is_not_json_is_refused(saved_run, tmp_path):
    files, (arrays, _) = saved_run
    restore(tmp_path, files)
    np.savez(tmp_path / CHECKPOINT_NAME, **arrays, **{META_KEY: np.array("{'step': 3")})
    assert_refused_and_unchanged(tmp_path, "corrupt or truncated")


def test_the_command_line_reports_a_refused_checkpoint_in_one_line(saved_run, tmp_path, capsys):
    files, (arrays, meta) = saved_run
    restore(tmp_path, files)
    save_checkpoint(tmp_path / CHECKPOINT_NAME, *crafted(arrays, meta, *CRAFTED["step 0"]))
    assert main(["mixture", "--preset", "paper", "--steps", "6", "--batch-size", "16",
                 "--eval-every", "2", "--unroll-steps", "2", "--no-progress", "--resume",
                 "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: checkpoint ") and error.count("\n") == 1


def test_the_advice_for_a_damaged_checkpoint_says_what_happens_without_it(saved_run, tmp_path):
    files, _ = saved_run
    restore(tmp_path, files)
    path = tmp_path / CHECKPOINT_NAME
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(CheckpointError, match="starts the run again from iteration 0") as error:
        train(tmp_path, resume=True)
    assert "previous checkpoint" not in str(error.value)

"""Checkpoints written before counts were arrays (``ugan.checkpoint.upgrade_legacy_checkpoint``):
the optimizers' step counts were JSON scalars in the metadata, {"3/step": 40} per player, always
the iteration times the player's steps per iteration, and a historical average saved no count
(it is the iteration + 1). Such a checkpoint resumes bit for bit; one of neither format is
refused with advice."""

import pytest

from tiny_runs import assert_extended_run, train
from ugan.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ugan.train import CHECKPOINT_NAME

OPTIONS = dict(historical_averaging=0.1, g_steps_per_d=2, resample_unroll=True)


def to_legacy_format(arrays, meta):
    """(arrays, meta) as the code before counts were arrays wrote them, by its layout rules."""
    steps_per_iteration = {"G": OPTIONS["g_steps_per_d"], "D": 1}
    arrays = {name: array for name, array in arrays.items()
              if not name.endswith(("/step", "/count"))}
    positions = {player: sorted({int(name.split("/")[1]) for name in arrays
                                 if name.startswith(f"opt{player}/")})
                 for player in meta["optimizers"]}
    optimizers = {player: {**entry, "scalars": {
        f"{position}/step": meta["step"] * steps_per_iteration[player]
        for position in positions[player]}}
        for player, entry in meta["optimizers"].items()}
    return arrays, {**meta, "optimizers": optimizers}


def rewrite(folder, change):
    path = folder / CHECKPOINT_NAME
    save_checkpoint(path, *change(*load_checkpoint(path)))


def test_a_checkpoint_of_the_format_before_counts_were_arrays_resumes_bit_for_bit(tmp_path):
    train(tmp_path / "straight", **OPTIONS)
    train(tmp_path / "old", steps=3, **OPTIONS)
    rewrite(tmp_path / "old", to_legacy_format)
    arrays, meta = load_checkpoint(tmp_path / "old" / CHECKPOINT_NAME)
    assert "scalars" in meta["optimizers"]["G"] and "avgD/count" not in arrays
    train(tmp_path / "old", resume=True, **OPTIONS)
    assert_extended_run(tmp_path / "straight", tmp_path / "old", former_end=3)


def test_a_checkpoint_of_neither_format_is_refused_with_advice(tmp_path):
    train(tmp_path, steps=3, **OPTIONS)

    def neither(arrays, meta):
        legacy_arrays, legacy_meta = to_legacy_format(arrays, meta)
        legacy_meta["optimizers"]["D"]["moments"] = legacy_meta["optimizers"]["D"].pop("scalars")
        legacy_meta["optimizers"]["G"]["extra"] = 1
        return legacy_arrays, legacy_meta

    rewrite(tmp_path, neither)
    with pytest.raises(CheckpointError, match="neither today's format .* --resume starts the run "
                                        "again from iteration 0"):
        train(tmp_path, resume=True, **OPTIONS)

"""The options of the ICLR appendix's ablations, checked together before a run starts:

- ``unroll_objective``: ``final`` (f_K, Eq. 9) or ``average`` (the mean over the K unrolled
  discriminators; ``ugan.unroll``);
- ``g_steps_per_d``: generator steps per discriminator step (the appendix's lagging
  discriminator: 5); an iteration is then one discriminator step and that many generator steps;
- ``d_ensemble`` (``none``, ``last`` or ``every``), ``ensemble_size`` and ``ensemble_every``:
  the generator's loss on an ensemble of past discriminators (``ugan.ensemble``)."""

from ugan.ensemble import D_ENSEMBLES
from ugan.unroll import UNROLL_OBJECTIVES


def check_ablation_options(config):
    """Raise ValueError naming the option, its value and what is expected, for a value or a
    combination of the ablation options that a run cannot take."""
    def refuse(problem):
        raise ValueError(f"ablation options: {problem}")

    if config.unroll_objective not in UNROLL_OBJECTIVES:
        refuse(f"unroll_objective (--unroll-objective) must be one of {UNROLL_OBJECTIVES}, got "
               f"{config.unroll_objective!r}")
    for name, flag in (("g_steps_per_d", "--g-steps-per-d"), ("ensemble_size", "--ensemble-size"),
                       ("ensemble_every", "--ensemble-every")):
        value = getattr(config, name)
        if type(value) is not int or value < 1:
            refuse(f"{name} ({flag}) must be an integer >= 1, got {value!r}")
    if config.d_ensemble not in D_ENSEMBLES:
        refuse(f"d_ensemble (--d-ensemble) must be one of {D_ENSEMBLES}, got "
               f"{config.d_ensemble!r}")
    if config.d_ensemble == "last" and config.ensemble_every != 1:
        refuse(f"--d-ensemble last keeps the last --ensemble-size discriminators, one per "
               f"iteration; --ensemble-every {config.ensemble_every} goes with --d-ensemble every")
    if config.d_ensemble != "none" and config.unroll_steps != 0:
        refuse(f"--d-ensemble {config.d_ensemble} replaces unrolling (the generator's loss is "
               f"taken on past discriminators); it needs --unroll-steps 0, got "
               f"{config.unroll_steps}")
    if config.d_ensemble != "none" and config.unroll_objective != "final":
        refuse("--unroll-objective average averages over unrolled discriminators; with "
               f"--d-ensemble {config.d_ensemble} there are none (K = 0)")

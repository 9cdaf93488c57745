"""Milliseconds per training iteration of the 8-Gaussian unrolled GAN (paper Appendix A sizes,
batch 512), for K in {0, 1, 5, 10}: minigrad eager, minigrad compiled (how ``python -m ugan`` runs
it), the same iteration in PyTorch eager (functional parameters, ``torch.autograd.grad(...,
create_graph=True)`` through the same Adam math) and ``torch.compile`` when they run here, and in
JAX under ``jax.jit`` when JAX is importable. Then one iteration of the conv experiment (Sec. 3.4,
8x8 digits), eager against compiled. Also minigrad's peak memory of one iteration (numpy's
allocations, from tracemalloc), eager and compiled.

All contenders run in this one process, interleaved, with the same number of threads: on a
shared machine, timing them one after the other gives ratios that do not hold. Each is timed
two ways (``benchmarks/common.interleaved_ms``): in blocks of a few iterations in a row, the first
of each block not timed (its caches warm, as in a training loop), and one iteration at a time
(its caches as the previous contender left them). The reported time is the median.

    python benchmarks/mixture_step.py [--iterations 20] [--block 6] [--threads 1]
"""

import argparse
import dataclasses
import os
import sys
import tracemalloc

from common import interleaved_ms

UNROLL_STEPS = (0, 1, 5, 10)
BATCH = 512


def set_threads(threads):
    """The BLAS thread count of every contender: the environment variables that PyTorch and JAX
    read when they load, and a limit on the BLAS libraries already loaded (numpy's, which the
    import of ``common`` brought in before this could run)."""
    from threadpoolctl import threadpool_limits

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "TORCHINDUCTOR_COMPILE_THREADS"):
        os.environ[name] = str(threads)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen="
                               + ("true" if threads > 1 else "false")).strip()
    threadpool_limits(threads, user_api="blas")


def minigrad_iteration(unroll_steps, compile=True, device="cpu", batch_size=BATCH):
    """One iteration as ``python -m ugan mixture --preset paper`` runs it (compiled by default)."""
    from ugan.experiments.mixture import MixtureExperiment
    from ugan.train import GANTrainer

    config = MixtureExperiment.config_from("paper", unroll_steps=unroll_steps,
                                           batch_size=batch_size, compile=compile, device=device)
    return GANTrainer(MixtureExperiment(config), out_dir="unused").gan.train_step


def conv_iteration(compile):
    """One iteration of the conv experiment's demo preset (8x8 digits, K=5)."""
    from ugan.experiments.conv import ConvExperiment
    from ugan.train import GANTrainer

    config = dataclasses.replace(ConvExperiment.config_from("demo"), compile=compile)
    return GANTrainer(ConvExperiment(config), out_dir="unused").gan.train_step


def adam_math(p, g, m, v, t, lr=1e-4, b1=0.5, b2=0.999, eps=1e-8):
    """The Adam update of ``minigrad.optim.adam_update`` in any array library's operators."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr / (1 - b1 ** t) * m / ((v / (1 - b2 ** t) + 1e-16) ** 0.5 + eps), m, v


def torch_iteration(unroll_steps, compiled=False, device="cpu"):
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    def mlp(sizes):
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            weight = torch.empty(fan_out, fan_in)
            torch.nn.init.orthogonal_(weight, 0.8)
            params += [weight.to(device).requires_grad_(),
                       torch.zeros(fan_out, device=device, requires_grad=True)]
        return params

    def forward(params, x):
        for i in range(0, len(params), 2):
            x = x @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                x = torch.relu(x)
        return x.reshape(-1) if x.shape[-1] == 1 else x

    softplus = torch.nn.functional.softplus

    def d_loss(d_params, real, fake):
        logits = forward(d_params, torch.cat([real, fake]) / 4.0)
        return softplus(-logits[:BATCH]).mean() + softplus(logits[BATCH:]).mean()

    generator, discriminator = mlp([256, 128, 128, 2]), mlp([2, 128, 1])
    d_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in discriminator]
    g_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in generator]
    step = [0]

    def apply_adam(params, grads, state, t):
        with torch.no_grad():
            for p, g, s in zip(params, grads, state):
                new, s[0], s[1] = adam_math(p, g, s[0], s[1], t)
                p.copy_(new)

    def core(real, z, t):
        with torch.no_grad():
            fake = forward(generator, z)
        grads = torch.autograd.grad(d_loss(discriminator, real, fake), discriminator)
        apply_adam(discriminator, grads, d_state, t)
        fake = forward(generator, z)
        current = list(discriminator)
        moments = [list(s) for s in d_state]
        for k in range(unroll_steps):
            grads = torch.autograd.grad(d_loss(current, real, fake), current, create_graph=True)
            for i, (p, g) in enumerate(zip(current, grads)):
                current[i], moments[i][0], moments[i][1] = adam_math(p, g, moments[i][0],
                                                                     moments[i][1], t + k + 1)
        g_loss = -d_loss(current, real, fake)
        apply_adam(generator, torch.autograd.grad(g_loss, generator), g_state, t)

    if compiled:  # Adam's update meets parameters of 4 shapes and 2 ranks: let each compile
        torch._dynamo.config.recompile_limit = 64
    step_function = torch.compile(core) if compiled else core

    def iteration():
        real = torch.from_numpy(rng.standard_normal((BATCH, 2)).astype(np.float32)).to(device)
        z = torch.from_numpy(rng.standard_normal((BATCH, 256)).astype(np.float32)).to(device)
        step[0] += 1
        step_function(real, z, step[0])
        if device != "cpu":
            torch.cuda.synchronize()

    return iteration


def jax_iteration(unroll_steps):
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    key = jax.random.PRNGKey(0)

    def mlp(sizes, key):
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            key, sub = jax.random.split(key)
            params += [jax.nn.initializers.orthogonal(0.8)(sub, (fan_out, fan_in)),
                       jnp.zeros(fan_out)]
        return params

    def forward(params, x):
        for i in range(0, len(params), 2):
            x = x @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                x = jax.nn.relu(x)
        return x.reshape(-1) if x.shape[-1] == 1 else x

    def d_loss(d_params, real, fake):
        logits = forward(d_params, jnp.concatenate([real, fake]) / 4.0)
        return jax.nn.softplus(-logits[:BATCH]).mean() + jax.nn.softplus(logits[BATCH:]).mean()

    def adam_all(params, grads, state, t):
        updated = [adam_math(p, g, m, v, t) for p, g, (m, v) in zip(params, grads, state)]
        return [u[0] for u in updated], [(u[1], u[2]) for u in updated]

    @jax.jit
    def core(generator, g_state, discriminator, d_state, real, z, t):
        fake = jax.lax.stop_gradient(forward(generator, z))
        grads = jax.grad(d_loss)(discriminator, real, fake)
        discriminator, d_state = adam_all(discriminator, grads, d_state, t)

        def surrogate(generator):
            fake = forward(generator, z)
            current, moments = discriminator, d_state
            for k in range(unroll_steps):
                grads = jax.grad(d_loss)(current, real, fake)
                current, moments = adam_all(current, grads, moments, t + k + 1)
            return -d_loss(current, real, fake)

        generator, g_state = adam_all(generator, jax.grad(surrogate)(generator), g_state, t)
        return generator, g_state, discriminator, d_state

    key_g, key_d = jax.random.split(key)
    state = {"generator": mlp([256, 128, 128, 2], key_g), "discriminator": mlp([2, 128, 1], key_d)}
    state["g_state"] = [(jnp.zeros_like(p), jnp.zeros_like(p)) for p in state["generator"]]
    state["d_state"] = [(jnp.zeros_like(p), jnp.zeros_like(p)) for p in state["discriminator"]]
    step = [0]

    def iteration():
        real = rng.standard_normal((BATCH, 2)).astype(np.float32)
        z = rng.standard_normal((BATCH, 256)).astype(np.float32)
        step[0] += 1
        out = core(state["generator"], state["g_state"], state["discriminator"],
                   state["d_state"], real, z, float(step[0]))
        jax.block_until_ready(out)
        state["generator"], state["g_state"], state["discriminator"], state["d_state"] = out

    return iteration


def optional_contenders(unroll_steps, threads):
    """{name: iteration} for the reference frameworks that import and run here; and the
    reasons for those that do not."""
    contenders, missing = {}, []
    try:
        import torch

        torch.set_num_threads(threads)
        contenders["torch eager"] = torch_iteration(unroll_steps)
        try:
            compiled = torch_iteration(unroll_steps, compiled=True)
            compiled()
            contenders["torch.compile"] = compiled
        except Exception as error:  # torch raises many kinds; report and go on
            missing.append(f"torch.compile: {type(error).__name__}: "
                           f"{str(error).splitlines()[0][:120]}")
    except ImportError:
        missing.append("PyTorch is not importable (pip install torch==2.13.0)")
    try:
        contenders["jax jit"] = jax_iteration(unroll_steps)
    except ImportError:
        missing.append("JAX is not importable (pip install jax)")
    return contenders, missing


def peak_mb(function):
    """The peak of numpy's allocations during one call, in MB."""
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2 ** 20


def ratio_cells(ms):
    """Each contender's milliseconds, and its ratio to torch eager's where that ran."""
    baseline = ms.get("torch eager")
    return " | ".join(f"{name} {value:.2f} ms" + (f" ({value / baseline:.2f}x)" if baseline else "")
                      for name, value in ms.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20,
                        help="timed iterations of each contender, each way")
    parser.add_argument("--block", type=int, default=6,
                        help="iterations in a row per contender in the block timing")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ks", type=int, nargs="+", default=list(UNROLL_STEPS))
    args = parser.parse_args()
    set_threads(args.threads)
    print(f"mixture GAN iteration, batch {BATCH}, {args.threads} thread(s), median of "
          f"{args.iterations} timed iterations each way; ratios are to torch eager")
    reported_missing = False
    for k in args.ks:
        contenders = {"minigrad eager": minigrad_iteration(k, compile=False),
                      "minigrad compiled": minigrad_iteration(k)}
        references, missing = optional_contenders(k, args.threads)
        if missing and not reported_missing:
            print("not timed: " + "; ".join(missing))
            reported_missing = True
        contenders.update(references)
        in_blocks = interleaved_ms(contenders, args.iterations, block=args.block)
        one_at_a_time = interleaved_ms(contenders, args.iterations, block=1)
        peaks = (f"peak MB eager {peak_mb(contenders['minigrad eager']):.1f}, compiled "
                 f"{peak_mb(contenders['minigrad compiled']):.1f}")
        print(f"K={k:<2} blocks of {args.block}: {ratio_cells(in_blocks)}", flush=True)
        print(f"K={k:<2} one at a time: {ratio_cells(one_at_a_time)} | {peaks}", flush=True)
    ms = interleaved_ms({"eager": conv_iteration(False), "compiled": conv_iteration(True)},
                        max(2, args.iterations // 4))
    print(f"conv experiment (8x8 digits, K=5): eager {ms['eager']:.1f} ms, compiled "
          f"{ms['compiled']:.1f} ms ({ms['compiled'] / ms['eager']:.2f}x eager)")


if __name__ == "__main__":
    sys.exit(main())

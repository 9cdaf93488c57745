"""Milliseconds per training iteration of the 8-Gaussian unrolled GAN (paper Appendix A sizes,
batch 512), for K in {0, 1, 5, 10}: minigrad, and the same iteration written in PyTorch
(functional parameters, torch.autograd.grad(create_graph=True) through the same Adam math) when
torch is importable. Also the peak memory of an iteration: for minigrad, the peak of numpy's
allocations during one iteration (tracemalloc); for torch, how far the process's peak resident
set grows during its first iteration (torch's allocations are invisible to tracemalloc).

One iteration = one discriminator Adam step + one generator Adam step on f_K. Each measurement
runs in its own child process (so memory peaks do not mix) with one BLAS/torch thread, all from
this one command:

    python benchmarks/mixture_step.py [--iterations 20] [--threads 1]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

UNROLL_STEPS = (0, 1, 5, 10)
BATCH = 512


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def minigrad_iteration(unroll_steps):
    from ugan.experiments.mixture import MixtureExperiment, config_from
    from ugan.train import GANTrainer

    config = config_from("paper", unroll_steps=unroll_steps, batch_size=BATCH)
    return GANTrainer(MixtureExperiment(config), out_dir="unused").train_step


def torch_iteration(unroll_steps):
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    def mlp(sizes):
        params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            weight = torch.empty(fan_out, fan_in)
            torch.nn.init.orthogonal_(weight, 0.8)
            params += [weight.requires_grad_(), torch.zeros(fan_out, requires_grad=True)]
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

    def adam(p, g, m, v, t, lr=1e-4, b1=0.5, b2=0.999, eps=1e-8):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        return p - lr / (1 - b1 ** t) * m / ((v / (1 - b2 ** t) + 1e-16).sqrt() + eps), m, v

    generator, discriminator = mlp([256, 128, 128, 2]), mlp([2, 128, 1])
    d_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in discriminator]
    g_state = [[torch.zeros_like(p), torch.zeros_like(p)] for p in generator]
    step = [0]

    def apply_adam(params, grads, state, t):
        with torch.no_grad():
            for p, g, s in zip(params, grads, state):
                new, s[0], s[1] = adam(p, g, s[0], s[1], t)
                p.copy_(new)

    def iteration():
        real = torch.from_numpy(rng.standard_normal((BATCH, 2)).astype(np.float32))
        z = torch.from_numpy(rng.standard_normal((BATCH, 256)).astype(np.float32))
        step[0] += 1
        with torch.no_grad():
            fake = forward(generator, z)
        grads = torch.autograd.grad(d_loss(discriminator, real, fake), discriminator)
        apply_adam(discriminator, grads, d_state, step[0])
        fake = forward(generator, z)
        current = list(discriminator)
        moments = [list(s) for s in d_state]
        for k in range(unroll_steps):
            grads = torch.autograd.grad(d_loss(current, real, fake), current, create_graph=True)
            for i, (p, g) in enumerate(zip(current, grads)):
                current[i], moments[i][0], moments[i][1] = adam(p, g, moments[i][0],
                                                                moments[i][1], step[0] + k + 1)
        g_loss = -d_loss(current, real, fake)
        apply_adam(generator, torch.autograd.grad(g_loss, generator), g_state, step[0])

    return iteration


def measure(framework, unroll_steps, iterations, threads):
    """Child process: time ``iterations`` iterations after a warm-up; print JSON."""
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
        iteration = torch_iteration(unroll_steps)
    else:
        iteration = minigrad_iteration(unroll_steps)
    if framework == "torch":
        baseline = peak_rss_mb()  # after the models are built, before any iteration
        iteration()
        peak_mb = peak_rss_mb() - baseline
    else:  # numpy reports its allocations to tracemalloc: the iteration's own peak, exactly
        tracemalloc.start()
        iteration()
        peak_mb = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({"ms": 1e3 * times[len(times) // 4],  # a low quartile: robust to noise
                      "peak_mb": peak_mb}))


def run_child(framework, unroll_steps, iterations, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    result = subprocess.run([sys.executable, __file__, "--child", framework, str(unroll_steps),
                             str(iterations), str(threads)], capture_output=True, text=True,
                            env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        framework, k, iterations, threads = args.child
        measure(framework, int(k), int(iterations), int(threads))
        return
    try:
        import torch  # noqa: F401

        frameworks = ("minigrad", "torch")
    except ImportError:
        frameworks = ("minigrad",)
        print("PyTorch is not importable: timing minigrad alone "
              "(pip install torch==2.13.0 for the comparison)", file=sys.stderr)
    print(f"mixture GAN iteration, batch {BATCH}, {args.threads} thread(s), "
          f"low quartile of {args.iterations} iterations")
    print(f"{'K':>3} {'minigrad ms':>12} {'peak MB':>8} {'torch ms':>9} {'peak MB':>8} "
          f"{'minigrad/torch':>15}")
    for k in UNROLL_STEPS:
        ours = run_child("minigrad", k, args.iterations, args.threads)
        line = f"{k:>3} {ours['ms']:>12.2f} {ours['peak_mb']:>8.1f}"
        if "torch" in frameworks:
            theirs = run_child("torch", k, args.iterations, args.threads)
            line += f" {theirs['ms']:>9.2f} {theirs['peak_mb']:>8.1f} " \
                    f"{ours['ms'] / theirs['ms']:>14.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()

"""The GPU check: one prepared command that shows minigrad working on a device, and how fast.

    python benchmarks/gpu_check.py --device cuda --out gpu_report.json     # on a GPU, ~8 minutes
    python benchmarks/gpu_check.py --device strict:device1 --tiny          # anywhere, seconds

It writes a JSON report and prints a summary of four sections:

1. **op tests**: the op test suite (tests/minigrad) with ``MINIGRAD_TEST_DEVICES=DEVICE``, so
   every op's values and first and second derivatives are checked on the device (it needs
   pytest and hypothesis; ``--tiny`` runs one test file).
2. **agreement**: the ring at K=10 trained for a number of iterations on the device and on the
   CPU from the same start. They must agree to a tolerance the script measures, not types: the
   CPU run is repeated from parameters moved by one float32 rounding (relative 2^-24), and how
   far that run ends from the first is how much a rounding difference grows in this many
   iterations. A device run (whose matrix products round differently) passes if it ends no
   further than 10 times that, or 10 float32 roundings, whichever is larger.
3. **timing**: ms per iteration, interleaved in this process: the ring's K=10 iteration (batch
   512) eager and compiled on the device, and, where they run here, the same iteration in
   PyTorch and JAX on the GPU; and one image iteration at the paper's MNIST size (28x28, batch
   64, the conv experiment's networks, K=5) eager and compiled. The image iteration trains on
   random images: its cost does not depend on the pixels.
4. **training run**: a short run of the ring at the paper's settings on the device (a few hundred
   iterations), to show that the loop, the metrics and the checkpoints work there.

Each section records its error instead of stopping the others; the exit status is 1 if any
section failed.
"""

import argparse
import dataclasses
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import minigrad as mg  # noqa: E402
from mixture_step import (interleaved_ms, jax_iteration, minigrad_iteration,  # noqa: E402
                          torch_iteration)
from ugan.experiments.conv import ConvExperiment  # noqa: E402
from ugan.experiments.mixture import MixtureExperiment  # noqa: E402
from ugan.train import GANTrainer  # noqa: E402

FLOAT32_ROUNDING = 2.0 ** -24
GROWTH_MARGIN = 10.0


def sizes(tiny):
    """The check's sizes: full on a GPU, tiny to exercise the script anywhere in seconds."""
    if tiny:
        return dict(unroll_steps=2, iterations=5, batch_size=32, hidden=16, timing_rounds=2,
                    run_steps=4, image_batch=8, image_size=12, test_files=["ops/test_reduce.py"])
    return dict(unroll_steps=10, iterations=200, batch_size=512, hidden=128, timing_rounds=20,
                run_steps=300, image_batch=64, image_size=28, test_files=[])


# -- 1. the op tests on the device ----------------------------------------------------------------

def op_tests(device, size, timeout=360):
    """Run tests/minigrad (or the tiny mode's files) with the device as the test device."""
    targets = [str(ROOT / "tests" / "minigrad" / name) for name in size["test_files"]] or \
        [str(ROOT / "tests" / "minigrad")]
    env = dict(os.environ, MINIGRAD_TEST_DEVICES=device, CI="1")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             *targets], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    counts = {word: int(number) for number, word in
              re.findall(r"(\d+) (passed|failed|skipped|error|errors)", summary)}
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    return {"ok": result.returncode == 0, "summary": summary, "counts": counts,
            "failures": failures[:20]}


# -- 2. the device run against the CPU run ---------------------------------------------------------

def ring_parameters(device, size, nudge=0.0):
    """The generator's and discriminator's parameters after ``iterations`` ring iterations on
    ``device``, from the seeded start (moved by ``nudge``, a relative amount, if given)."""
    config = MixtureExperiment.config_from("paper", unroll_steps=size["unroll_steps"],
                                           batch_size=size["batch_size"], g_hidden=size["hidden"],
                                           d_hidden=size["hidden"], device=device)
    trainer = GANTrainer(MixtureExperiment(config), out_dir="unused")
    params = [*trainer.gan.generator.parameters(), *trainer.gan.discriminator.parameters()]
    if nudge:
        signs = np.random.default_rng(1)
        with mg.no_grad():
            for p in params:
                factor = 1.0 + nudge * signs.choice([-1.0, 1.0], size=p.shape)
                p.data = p * mg.tensor(factor, dtype=p.dtype, device=device)
    for _ in range(size["iterations"]):
        trainer.gan.train_step()
    return [p.numpy().astype(np.float64) for p in params]


def relative_distance(a, b):
    """max over parameters of |a - b| / (|b| + 1e-3), elementwise."""
    return max(float(np.max(np.abs(x - y) / (np.abs(y) + 1e-3))) for x, y in zip(a, b))


def agreement(device, size):
    cpu = ring_parameters("cpu", size)
    nudged = ring_parameters("cpu", size, nudge=FLOAT32_ROUNDING)
    on_device = ring_parameters(device, size)
    growth = relative_distance(nudged, cpu)
    tolerance = GROWTH_MARGIN * max(growth, FLOAT32_ROUNDING)
    difference = relative_distance(on_device, cpu)
    return {"ok": difference <= tolerance, "iterations": size["iterations"],
            "unroll_steps": size["unroll_steps"], "device_vs_cpu": difference,
            "rounding_growth_on_cpu": growth, "tolerance": tolerance}


# -- 3. timing -------------------------------------------------------------------------------------

def image_iteration(device, size, compile):
    """One conv-experiment iteration (K=5) on random images of the paper's MNIST size."""
    config = dataclasses.replace(ConvExperiment.config_from("demo"), unroll_steps=5, device=device,
                                 batch_size=size["image_batch"], compile=compile)
    experiment = ConvExperiment(config)
    shape = (512, 1, size["image_size"], size["image_size"])
    experiment.images = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    return GANTrainer(experiment, out_dir="unused").gan.train_step


def reference_contenders(device, unroll_steps):
    """PyTorch and JAX on the GPU, where they run; {name: iteration}, and notes."""
    contenders, notes = {}, []
    if not device.startswith("cuda"):
        return contenders, ["PyTorch and JAX are timed on a GPU only"]
    try:
        import torch

        if torch.cuda.is_available():
            contenders["torch eager (cuda)"] = torch_iteration(unroll_steps, device="cuda")
        else:
            notes.append("torch has no CUDA here")
    except ImportError:
        notes.append("PyTorch is not importable")
    try:
        import jax

        if any(d.platform == "gpu" for d in jax.devices()):
            contenders["jax jit (gpu)"] = jax_iteration(unroll_steps)
        else:
            notes.append("JAX has no GPU here")
    except ImportError:
        notes.append("JAX is not importable")
    return contenders, notes


def timing(device, size):
    k = size["unroll_steps"]
    ring = {"minigrad eager": minigrad_iteration(k, False, device, size["batch_size"]),
            "minigrad compiled": minigrad_iteration(k, True, device, size["batch_size"])}
    references, notes = reference_contenders(device, k)
    ring.update(references)
    ring_ms = interleaved_ms(ring, size["timing_rounds"])
    images = {"eager": image_iteration(device, size, False),
              "compiled": image_iteration(device, size, True)}
    image_ms = interleaved_ms(images, max(2, size["timing_rounds"] // 4))
    return {"ok": True, "ring_ms": ring_ms, "ring_unroll_steps": k, "image_ms": image_ms,
            "image": f"conv experiment networks, {size['image_size']}x{size['image_size']}, "
                     f"batch {size['image_batch']}, K=5", "notes": notes}


# -- 4. a short training run ----------------------------------------------------------------------

def training_run(device, size):
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as folder:
        config = MixtureExperiment.config_from(
            "paper", unroll_steps=size["unroll_steps"], steps=size["run_steps"],
            eval_every=max(1, size["run_steps"] // 2),
            checkpoint_every=max(1, size["run_steps"] // 2), device=device)
        start = time.perf_counter()
        history = GANTrainer(MixtureExperiment(config), folder).run(progress=False)
        seconds = time.perf_counter() - start
        written = sorted(path.name for path in Path(folder).iterdir())
    final = history[-1]
    return {"ok": final["step"] == size["run_steps"] and "checkpoint.npz" in written,
            "steps": size["run_steps"], "seconds": seconds, "files": written,
            "final_metrics": {key: value for key, value in final.items()
                              if isinstance(value, (int, float))}}


# -- the report ------------------------------------------------------------------------------------

def environment(device):
    report = {"device": device, "python": platform.python_version(), "numpy": np.__version__,
              "machine": platform.machine()}
    if device.startswith("cuda"):
        import cupy

        properties = cupy.cuda.runtime.getDeviceProperties(0)
        report.update(gpu=properties["name"].decode(), cupy=cupy.__version__,
                      cuda_runtime=cupy.cuda.runtime.runtimeGetVersion())
    for name in ("torch", "jax"):
        try:
            report[name] = __import__(name).__version__
        except ImportError:
            report[name] = None
    return report


SECTIONS = {"op_tests": op_tests, "agreement": agreement, "timing": timing,
            "training_run": training_run}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N, or a test "
                        "device such as strict:device1 or cpu")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: exercise the script")
    parser.add_argument("--out", default="gpu_report.json", help="the JSON report's path")
    parser.add_argument("--sections", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    args = parser.parse_args(argv)
    size = sizes(args.tiny)
    report = {"environment": environment(args.device), "tiny": args.tiny}
    for name in args.sections:
        start = time.perf_counter()
        try:
            report[name] = SECTIONS[name](args.device, size)
        except Exception as error:  # noqa: BLE001 -- a failed section is part of the report
            report[name] = {"ok": False, "error": f"{type(error).__name__}: {error}",
                            "traceback": traceback.format_exc()[-2000:]}
        report[name]["seconds"] = round(time.perf_counter() - start, 1)
        print(f"{name}: {'ok' if report[name]['ok'] else 'FAILED'} "
              f"({report[name]['seconds']} s) {summary_line(name, report[name])}", flush=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"report written to {args.out}")
    return 0 if all(report[name]["ok"] for name in args.sections) else 1


def summary_line(name, section):
    if "error" in section:
        return section["error"]
    if name == "op_tests":
        return section["summary"]
    if name == "agreement":
        return (f"device vs cpu {section['device_vs_cpu']:.2e}, tolerance "
                f"{section['tolerance']:.2e}")
    if name == "timing":
        ring = ", ".join(f"{key} {value:.1f} ms" for key, value in section["ring_ms"].items())
        image = ", ".join(f"{key} {value:.1f} ms" for key, value in section["image_ms"].items())
        return f"ring K={section['ring_unroll_steps']}: {ring}; image: {image}"
    return f"{section['steps']} steps in {section['seconds']:.1f} s"


if __name__ == "__main__":
    sys.exit(main())

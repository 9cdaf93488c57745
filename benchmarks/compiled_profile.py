"""Where a compiled training iteration's time goes: the 8-Gaussian unrolled GAN's iteration as
``python -m ugan`` runs it (paper Appendix A sizes, batch 512), its program replayed with a clock
around every primitive (``CompiledFunction.profile``).

It prints the replay's time split into the primitives' own time and the replay's Python
overhead, the primitive kinds that take the most time, and an upper bound on what fusing chains
of elementwise ops could save: the time of every elementwise op that reads the single-use
result of another elementwise op (fusion would merge such a pair into one pass over memory; at
best the second op's time disappears).

    python benchmarks/compiled_profile.py [--unroll-steps 10] [--repeats 20] [--threads 1]
"""

import argparse
import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mixture_step import minigrad_iteration, set_threads  # noqa: E402

ELEMENTWISE_MODULE = "minigrad.ops.elementwise"
LARGE = 4096  # elements: below this an op's time is its call overhead, which fusion keeps


def is_large_elementwise(instruction, program):
    shape = program.specs[instruction.output][0]
    size = 1
    for n in shape:
        size *= n
    return type(instruction.op).__module__.startswith(ELEMENTWISE_MODULE) and size >= LARGE


def fusion_bound(program, seconds):
    """Seconds of the large elementwise ops that read the single-use result of another one."""
    readers = collections.Counter(slot for ins in program.instructions for slot in ins.reads())
    producer = {ins.output: ins for ins in program.instructions}
    bound = 0.0
    for ins, spent in zip(program.instructions, seconds):
        if not is_large_elementwise(ins, program):
            continue
        if any(slot in producer and readers[slot] == 1
               and is_large_elementwise(producer[slot], program) for slot in ins.inputs):
            bound += spent
    return bound


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unroll-steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    gan = minigrad_iteration(args.unroll_steps).__self__  # the run's UnrolledGAN
    for _ in range(3):  # trace, check the first replay, then the steady program
        gan.train_step()
    seconds, iteration = None, 0.0
    for _ in range(args.repeats):  # interleaved, so that both see the same machine
        program, once = gan.compiled.profile(gan.batches(), repeats=1)
        seconds = once if seconds is None else [a + b for a, b in zip(seconds, once)]
        start = time.perf_counter()
        gan.train_step()
        iteration += time.perf_counter() - start
    seconds = [total / args.repeats for total in seconds]
    iteration /= args.repeats
    in_ops = sum(seconds)
    print(f"K={args.unroll_steps}: {len(program)} primitives; an iteration takes "
          f"{iteration * 1e3:.2f} ms, of which the primitives {in_ops * 1e3:.2f} ms; the rest "
          f"(the replay's Python, writing the state back, drawing the batches) about "
          f"{max(iteration - in_ops, 0) * 1e3:.2f} ms")
    by_kind, calls = collections.defaultdict(float), collections.Counter()
    for ins, spent in zip(program.instructions, seconds):
        by_kind[type(ins.op).__name__] += spent
        calls[type(ins.op).__name__] += 1
    print(f"{'primitive':<22} {'calls':>6} {'ms':>8} {'share':>7} {'us/call':>9}")
    for name, spent in sorted(by_kind.items(), key=lambda item: -item[1])[:15]:
        print(f"{name:<22} {calls[name]:>6} {spent * 1e3:>8.3f} {spent / in_ops:>6.1%} "
              f"{spent / calls[name] * 1e6:>9.1f}")
    large = sum(spent for ins, spent in zip(program.instructions, seconds)
                if is_large_elementwise(ins, program))
    bound = fusion_bound(program, seconds)
    print(f"elementwise ops on >= {LARGE} elements: {large * 1e3:.2f} ms ({large / in_ops:.1%}); "
          f"fusing chains of them could save at most {bound * 1e3:.2f} ms "
          f"({bound / in_ops:.1%} of the primitives' time)")


if __name__ == "__main__":
    main()

"""minigrad.compile: a traced program replays what the eager function computes, bit for bit;
state is read and written back; a new signature traces again; whatever a replay could not
reproduce is refused with an error that names it; the passes remove ops without changing a bit;
memory stays flat. (Each op's values and first two derivatives, compiled against eager, are
checked by every op test through ``strategies.check_derivatives``.)"""

import gc
import tracemalloc

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.compile.passes import eliminate_common_subexpressions, eliminate_dead_code
from minigrad.optim import SGD, Adam

import strategies as S


def same_bits(a, b):
    return a.numpy().tobytes() == b.numpy().tobytes()


def model_and_batches(device="cpu", batch_norm=False, seed=0):
    """A small MLP (optionally with batch norm) and three different minibatches."""
    mg.manual_seed(seed)
    layers = [nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)]
    if batch_norm:
        layers.insert(1, nn.BatchNorm1d(5))
    model = nn.Sequential(*layers).to(device)
    rng = np.random.default_rng(seed)
    batches = [(mg.tensor(rng.standard_normal((8, 3)), dtype="float32", device=device),
                mg.tensor(rng.standard_normal((8, 1)), dtype="float32", device=device))
               for _ in range(3)]
    return model, batches


def training_step(model, optimizer):
    def step(x, y):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def state_arrays(model, optimizer):
    arrays = [t.numpy() for t in model.state_dict().values()]
    for entries in optimizer.state_dict()["state"].values():
        arrays += [np.asarray(value) for value in entries.values()]
    return arrays


@pytest.mark.parametrize("device", S.DEVICES)
@pytest.mark.parametrize("make_optimizer", [lambda p: Adam(p, lr=0.01),
                                            lambda p: SGD(p, lr=0.1, momentum=0.9)],
                         ids=["adam", "sgd-momentum"])
@pytest.mark.parametrize("batch_norm", [False, True], ids=["mlp", "batch-norm"])
def test_a_compiled_training_step_equals_the_eager_one(device, make_optimizer, batch_norm):
    eager_model, batches = model_and_batches(device, batch_norm)
    compiled_model, _ = model_and_batches(device, batch_norm)
    eager_optimizer = make_optimizer(eager_model.parameters())
    compiled_optimizer = make_optimizer(compiled_model.parameters())
    eager = training_step(eager_model, eager_optimizer)
    compiled = mg.compile(training_step(compiled_model, compiled_optimizer),
                          state=[compiled_model, compiled_optimizer])
    for x, y in batches * 3:  # traces (no state yet, then state), a checked replay, replays
        assert same_bits(compiled(x, y), eager(x, y))
        for a, b in zip(state_arrays(compiled_model, compiled_optimizer),
                        state_arrays(eager_model, eager_optimizer)):
            assert a.tobytes() == b.tobytes()
    assert compiled.traces == 3  # first call, second state structure, the first replay's check


def test_gradients_of_gradients_through_an_adam_step_replay_exactly():
    def unrolled(w, x):
        m, v = mg.zeros_like(w), mg.zeros_like(w)
        for step in (1, 2):
            (g,) = mg.grad(((x @ w).tanh() ** 2).sum(), w, create_graph=True)
            w, m, v = mg.optim.adam_update(w, g, m, v, step, lr=0.1)
        return mg.grad((w * w).sum(), x)[0]

    compiled = mg.compile(unrolled)
    rng = np.random.default_rng(1)
    for _ in range(3):
        w = mg.tensor(rng.standard_normal((3, 2)), requires_grad=True)
        x = mg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
        assert same_bits(compiled(w, x), unrolled(w, x))


def test_a_new_shape_dtype_or_static_argument_traces_again():
    compiled = mg.compile(lambda x, power: (x ** power).sum())
    x2, x3 = mg.tensor(np.ones(2)), mg.tensor(np.ones(3))
    compiled(x2, 2)
    compiled(x2, 2)
    compiled(x2, 2)
    assert compiled.traces == 2  # the trace and the check of its first replay
    assert compiled(x3, 2).item() == 3.0 and compiled.traces == 3
    assert compiled(x2, 3).item() == 2.0 and compiled.traces == 4
    compiled(x2.astype("float32"), 2)
    assert compiled.traces == 5
    compiled(x2, 2)
    assert compiled.traces == 5  # the first program is still cached


def test_changed_hyperparameters_or_mode_trace_again():
    model, batches = model_and_batches(batch_norm=True)
    optimizer = Adam(model.parameters(), lr=0.01)
    compiled = mg.compile(training_step(model, optimizer), state=[model, optimizer])
    for x, y in batches:
        compiled(x, y)
    traces = compiled.traces
    optimizer.lr = 0.02
    compiled(*batches[0])
    assert compiled.traces == traces + 1
    model.eval()
    compiled(*batches[0])
    assert compiled.traces == traces + 2


def test_results_keep_their_structure_and_leave_the_graph():
    def several(x):
        return {"double": x * 2.0, "pair": (x.sum(), None), "label": "constant"}

    compiled = mg.compile(several)
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        result = compiled(x)
        assert set(result) == {"double", "pair", "label"} and result["label"] == "constant"
        assert result["pair"][1] is None and result["pair"][0].item() == 3.0
        assert not result["double"].requires_grad


@pytest.mark.parametrize("construct, message", [
    (lambda x: x * x.sum().item(), "reading the values"),
    (lambda x: x.numpy() * 2, "reading the values"),
    (lambda x: x if x.sum() > 0 else -x, "reading the values"),
    (lambda x: x + mg.randn(2), "randn"),
    (lambda x: x + mg.as_tensor(np.ones(2, dtype=np.float32)), "existing array"),
    (lambda x: x + mg.tensor(x), "existing array"),
    (lambda x: x.detach().zero_(), "zero_"),
    (lambda x: mg.zeros(2).copy_(x), "copy_"),
    (lambda x: nn.init.normal_(mg.zeros(2)) + x, "nn.init"),
    (lambda x: x + OUTSIDE, "existed before the compiled function"),
], ids=["item", "numpy", "if-on-value", "randn", "as_tensor", "tensor-of-tensor", "zero_",
        "copy_", "init", "captured-tensor"])
def test_what_cannot_be_replayed_is_refused_at_trace_time(construct, message):
    compiled = mg.compile(construct)
    with pytest.raises(mg.CompileError, match=message):
        compiled(mg.tensor([1.0, -2.0]))


OUTSIDE = mg.tensor([3.0, 4.0])


def test_state_the_function_was_not_told_of_is_refused():
    model, batches = model_and_batches()
    optimizer = Adam(model.parameters())
    compiled = mg.compile(training_step(model, optimizer), state=[optimizer])  # model missing
    with pytest.raises(mg.CompileError, match="neither an input nor part of its state"):
        compiled(*batches[0])


def test_a_state_entry_must_hold_state():
    with pytest.raises(mg.CompileError, match="state entry 1 is a str"):
        mg.compile(lambda x: x, state=[mg.tensor([1.0]), "model"])


def test_an_unhashable_static_argument_is_refused():
    compiled = mg.compile(lambda x, scale: x * float(scale[0]))
    with pytest.raises(mg.CompileError, match="hashable"):
        compiled(mg.tensor([1.0]), np.array([2.0]))


def test_the_first_replay_is_checked_against_an_eager_run():
    """A value computed outside the ops (here numpy on the raw array) is frozen into the program
    without a trace-time error; the check of the first replay catches it."""
    compiled = mg.compile(lambda x: x * mg.Tensor(np.sign(x.array)))
    compiled(mg.tensor([1.0, -2.0]))
    with pytest.raises(mg.CompileError, match="differs from its eager run in result 0"):
        compiled(mg.tensor([-1.0, 2.0]))
    unchecked = mg.compile(lambda x: x * mg.Tensor(np.sign(x.array)), check=False)
    unchecked(mg.tensor([1.0, -2.0]))
    assert unchecked(mg.tensor([-1.0, 2.0])).tolist() == [-1.0, -2.0]  # the frozen signs


def test_the_passes_remove_ops_and_keep_the_results():
    def repeated(x, w):
        y = (x @ w).tanh()
        unused = (x * 3.0).exp()  # noqa: F841  (dead code)
        again = (x @ w).tanh()    # the same products again (common subexpressions)
        (g,) = mg.grad((y * again).sum(), w)
        return g

    x = mg.tensor(np.linspace(-1, 1, 6).reshape(2, 3))
    w = mg.tensor(np.linspace(0, 1, 6).reshape(3, 2), requires_grad=True)
    optimized, plain = mg.compile(repeated), mg.compile(repeated, optimize=False)
    for _ in range(3):
        assert same_bits(optimized(x, w), plain(x, w))
    assert len(optimized.program) < len(plain.program)
    removed = {name: before - after for name, before, after, _, _ in optimized.program.passes}
    assert removed["common subexpressions"] >= 2 and removed["dead code"] >= 2


def test_dead_code_and_common_subexpressions_on_a_listing():
    compiled = mg.compile(lambda x: ((x + 1.0) * (x + 1.0)).sum(), optimize=False)
    compiled(mg.tensor([1.0, 2.0]))
    program = compiled.program
    ops = len(program)
    eliminate_common_subexpressions(program)
    assert len(program) == ops - 1  # the second x + 1.0
    program.outputs = []
    eliminate_dead_code(program)
    assert len(program) == 0


def test_the_program_lists_one_op_per_line_with_shapes():
    compiled = mg.compile(lambda x, w: (x @ w).relu().sum())
    compiled(mg.ones(4, 3), mg.ones(3, 2))
    listing = str(compiled.program)
    assert "MatMul" in listing and "Relu" in listing and "; mask -> v" in listing
    assert "f32[4,3]" in listing and "argument 0" in listing
    constants = len(compiled.program.constants)
    assert listing.count("\n") == len(compiled.program) + 2 + constants + 1  # header, return
    assert "fold constants" in compiled.program.pass_report()


def test_a_profile_times_each_instruction_and_writes_nothing_back():
    model, batches = model_and_batches()
    optimizer = Adam(model.parameters(), lr=0.01)
    compiled = mg.compile(training_step(model, optimizer), state=[model, optimizer])
    with pytest.raises(mg.CompileError, match="call it once"):
        compiled.profile(*batches[0])
    for batch in batches[:2]:  # the first step creates Adam's state: the second is the steady one
        compiled(*batch)
    before = state_arrays(model, optimizer)
    program, seconds = compiled.profile(*batches[1], repeats=2)
    assert program is compiled.program and len(seconds) == len(program)
    assert all(s >= 0 for s in seconds) and sum(seconds) > 0
    assert all(a.tobytes() == b.tobytes()
               for a, b in zip(before, state_arrays(model, optimizer)))


def test_compiling_inside_a_trace_inlines():
    inner = mg.compile(lambda x: x * 2.0)
    outer = mg.compile(lambda x: inner(x) + 1.0)
    for _ in range(3):
        assert outer(mg.tensor([1.0])).tolist() == [3.0]
    assert inner.traces == 0


def test_memory_stays_flat_over_a_thousand_compiled_iterations():
    model, batches = model_and_batches()
    optimizer = Adam(model.parameters(), lr=1e-3)
    compiled = mg.compile(training_step(model, optimizer), state=[model, optimizer])
    x, y = batches[0]
    for _ in range(100):
        compiled(x, y)
    tracemalloc.start()
    gc.collect()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        compiled(x, y)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert grown < 64 * 1024, grown


def peak_bytes(function):
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_a_compiled_step_peaks_no_higher_than_an_eager_one():
    def unrolled_step(model, optimizer):
        def step(x, y):
            params = dict(model.named_parameters())
            names = list(params)
            current = list(params.values())
            for _ in range(3):
                loss = nn.functional.mse_loss(nn.functional_call(model, dict(zip(names, current)),
                                                                 x), y)
                grads = mg.grad(loss, current, create_graph=True)
                current = [p - 0.1 * g for p, g in zip(current, grads)]
            final = nn.functional.mse_loss(nn.functional_call(model, dict(zip(names, current)), x),
                                           y)
            optimizer.zero_grad()
            final.backward()
            optimizer.step()
            return final
        return step

    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((256, 16)), dtype="float32")
    y = mg.tensor(rng.standard_normal((256, 1)), dtype="float32")
    models = [nn.Sequential(nn.Linear(16, 64), nn.Tanh(), nn.Linear(64, 1)) for _ in range(2)]
    optimizers = [Adam(m.parameters()) for m in models]
    eager = unrolled_step(models[0], optimizers[0])
    compiled = mg.compile(unrolled_step(models[1], optimizers[1]), state=[models[1], optimizers[1]])
    for _ in range(3):
        eager(x, y)
        compiled(x, y)
    assert peak_bytes(lambda: compiled(x, y)) <= peak_bytes(lambda: eager(x, y))


@pytest.mark.parametrize("device", S.DEVICES)
def test_a_bare_tensor_as_state_is_written_back(device):
    counter = mg.zeros((), device=device)

    def count(x):
        with mg.no_grad():
            counter.data = counter + x.sum()
        return counter * 1.0

    compiled = mg.compile(count, state=counter)
    for expected in (2.0, 4.0, 6.0, 8.0):
        assert compiled(mg.tensor([1.0, 1.0], device=device)).item() == expected
    assert counter.item() == 8.0


def call_at_depth(depth, function, *args):
    """``function(*args)`` called under ``depth`` more Python frames."""
    if depth == 0:
        return function(*args)
    return call_at_depth(depth - 1, function, *args)


def test_a_replay_does_not_map_fresh_frame_memory_for_every_primitive():
    """A replay whose frame sits near the end of CPython's frame chunk would map (and fault in)
    a new chunk for each primitive's call; the padded frame gets a chunk of its own. The
    replay is called from every frame depth over a whole chunk's span of positions."""
    resource = pytest.importorskip("resource")  # page-fault counts: Unix only

    def chain(x):  # ~1,500 slots: without padding a frame of about one chunk (16 KiB)
        for _ in range(750):
            x = x * 1.0 + 0.0
        return x

    compiled = mg.compile(chain)
    x = mg.tensor(np.ones(4, dtype=np.float32))
    for _ in range(2):  # trace, then the checked first replay
        compiled(x)
    code = compiled.program._replay.__code__
    assert 8 * (code.co_nlocals + code.co_stacksize) > 16 * 1024
    worst = 0
    for depth in range(160):
        call_at_depth(depth, compiled, x)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        call_at_depth(depth, compiled, x)
        worst = max(worst, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    assert worst < 100  # thrashing costs several faults per primitive: thousands


def test_a_small_replay_opens_no_frame_chunk_of_its_own():
    """Padding a small program's frame would map a fresh chunk on every call (~5 page faults);
    it is left as it is."""
    resource = pytest.importorskip("resource")
    compiled = mg.compile(lambda x: x * 2.0 + 1.0)
    x = mg.tensor(np.ones(4))
    for _ in range(3):
        compiled(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        compiled(x)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 100

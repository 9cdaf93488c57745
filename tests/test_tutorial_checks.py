"""The tutorials' exercise checks (tutorials/checks.py) pass the reference solutions
(tutorials/solutions.py) and fail known wrong answers, so that a check cell cannot wave a wrong
answer through; and the ``exercise`` decorator swaps in a solution only when asked to."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.optim import Adam
from tutorials import checks, solutions
from ugan.data.mixtures import ring_of_gaussians
from ugan.losses import discriminator_loss
from ugan.models.mlp import MixtureDiscriminator, MixtureGenerator
from ugan.unroll import discriminator_logits


def fails(check, *args, match=None):
    with pytest.raises(AssertionError, match=match):
        check(*args)


def test_exercise_decorator_swaps_in_the_solution_only_when_asked(monkeypatch):
    def nth_derivative(f, x, n):
        raise NotImplementedError

    monkeypatch.delenv("TUTORIALS_SOLUTIONS", raising=False)
    assert solutions.exercise(nth_derivative) is nth_derivative
    monkeypatch.setenv("TUTORIALS_SOLUTIONS", "1")
    assert solutions.exercise(nth_derivative) is solutions.nth_derivative


def test_nth_derivative_check():
    checks.check_nth_derivative(solutions.nth_derivative)

    def skips_order_zero(f, x, n):  # returns x itself for n = 0
        return x if n == 0 else solutions.nth_derivative(f, x, n)

    fails(checks.check_nth_derivative, skips_order_zero)
    one_short = lambda f, x, n: solutions.nth_derivative(f, x, max(n - 1, 0))
    fails(checks.check_nth_derivative, one_short)
    fails(checks.check_nth_derivative, lambda f, x, n: None)
    ignores_f = lambda f, x, n: solutions.nth_derivative(mg.sigmoid, x, n)
    fails(checks.check_nth_derivative, ignores_f, match="the f you are given")


def test_top_eigenvalue_check():
    spectrum = np.array([2.0, -5.0, 1.0, 0.5])
    matrix = np.diag(spectrum)
    checks.check_top_eigenvalue(solutions.top_eigenvalue, lambda v: matrix @ v, 4, spectrum)

    def reads_the_matrix(product, size, iterations=100):  # ignores the product it is given
        eigenvalues = np.linalg.eigvalsh(matrix)
        return eigenvalues[np.argmax(np.abs(eigenvalues))]

    fails(checks.check_top_eigenvalue, reads_the_matrix, lambda v: matrix @ v, 4, spectrum)

    def largest_not_largest_magnitude(product, size, iterations=100):
        return solutions.top_eigenvalue(lambda v: product(v) + 10 * v, size) - 10

    fails(checks.check_top_eigenvalue, largest_not_largest_magnitude, lambda v: matrix @ v, 4,
          spectrum)

    positive_spectrum = np.array([2.0, 5.0, 1.0, 0.5])  # so that the first part passes
    positive = np.diag(positive_spectrum)

    def magnitude_only(product, size, iterations=100):  # |H v| for a unit v: the sign is lost
        v = np.ones(size)
        for _ in range(iterations):
            v = product(v) / np.linalg.norm(product(v))
        return np.linalg.norm(product(v))

    checks.check_top_eigenvalue(solutions.top_eigenvalue, lambda v: positive @ v, 4,
                                positive_spectrum)
    fails(checks.check_top_eigenvalue, magnitude_only, lambda v: positive @ v, 4,
          positive_spectrum, match="the sign is lost")


def test_swish_check():
    checks.check_swish(solutions.Swish)

    class NaiveSwish(solutions.Swish):  # the local derivative leaves the graph
        def backward(self, g):
            x = self.inputs[0].numpy()
            s = 1 / (1 + np.exp(-x))
            return (g * mg.tensor(s * (1 + x * (1 - s))),)

    fails(checks.check_swish, NaiveSwish)


def test_jvp_check():
    checks.check_jvp(solutions.jvp)

    def from_ones(f, x, v):  # another right answer: the dummy cotangent's value does not matter
        x = x.detach().requires_grad_()
        y = f(x)
        u = mg.ones_like(y, requires_grad=True)
        (pulled,) = mg.grad(y, x, grad_outputs=u, create_graph=True)
        return mg.grad(pulled, u, grad_outputs=v)[0].numpy()  # and a numpy array is accepted

    checks.check_jvp(from_ones)

    def vjp(f, x, v):  # one sweep with v as the cotangent: J^T v
        x = x.detach().requires_grad_()
        return mg.grad(f(x), x, grad_outputs=v)[0]

    fails(checks.check_jvp, vjp, match="VJP")

    def unrecorded(f, x, v):  # the first sweep without create_graph
        x = x.detach().requires_grad_()
        y = f(x)
        u = mg.zeros_like(y, requires_grad=True)
        (pulled,) = mg.grad(y, x, grad_outputs=u)
        return mg.grad(pulled, u, grad_outputs=v)[0]

    fails(checks.check_jvp, unrecorded, match="create_graph")

    def along_ones(f, x, v):  # the second sweep seeded with ones, not with v: J 1
        return solutions.jvp(f, x, mg.ones_like(v))

    fails(checks.check_jvp, along_ones)
    finite_differences = lambda f, x, v: (f(x + 1e-6 * v) - f(x - 1e-6 * v)) / 2e-6
    fails(checks.check_jvp, finite_differences, match="exact")
    fails(checks.check_jvp, lambda f, x, v: mg.jvp(f, x, v)[1], match="mg.jvp")
    functional = pytest.importorskip("minigrad.autograd.functional")  # the same function
    fails(checks.check_jvp, lambda f, x, v: functional.jvp(f, x, v)[1], match="mg.jvp")
    assert mg.jvp is functional.jvp and mg.jvp.__name__ == "jvp"  # the library's is back


def test_max_gradient_check():
    checks.check_max_gradient(solutions.max_gradient)
    fails(checks.check_max_gradient, lambda x: np.tanh(x) * (1 - np.tanh(x) ** 2) / 2)
    fails(checks.check_max_gradient, lambda x: None)


def test_term_one_check():
    checks.check_term_one(solutions.term_one)

    def sigmoid(x):
        return 1.0 / (1.0 + np.exp(-x))

    fails(checks.check_term_one, lambda mu, a, b, z: a * np.mean(sigmoid(a * (mu + z) + b)))
    fails(checks.check_term_one, lambda mu, a, b, z: -np.mean(sigmoid(a * (mu + z) + b)))
    fails(checks.check_term_one, lambda mu, a, b, z: -a * sigmoid(a * mu + b))
    fails(checks.check_term_one, lambda mu, a, b, z: -a * np.mean(np.logaddexp(0, a * (mu + z) + b)))
    fails(checks.check_term_one, lambda mu, a, b, z: None)


def test_unrolled_gradient_check():
    checks.check_unrolled_gradient(solutions.unrolled_gradient)
    term1_only = lambda x, y, K, step: y + K * step * x
    fails(checks.check_unrolled_gradient, term1_only)


def linear_play(steps, K=0, second_order=True, step=0.1):
    """Simultaneous play on f = x y with the unrolled generator, in closed form (numpy)."""
    curvature = (2 if second_order else 1) * K * step
    path = [(1.0, 1.0)]
    for _ in range(steps):
        x, y = path[-1]
        path.append((x - step * (y + curvature * x), y + step * x))
    return np.array(path)


def test_growth_factor_check():
    results = checks.check_growth_factor(solutions.growth_factor, linear_play, 300)
    assert len(results) == 5

    def always_both_terms(K, step, second_order=True):
        return solutions.growth_factor(K, step, True)

    fails(checks.check_growth_factor, always_both_terms, linear_play, 300)

    def modulus_of_a_complex_pair(K, step, second_order=True):  # wrong once they turn real
        curvature = (2 if second_order else 1) * K * step
        return np.sqrt(abs(np.linalg.det([[1 - step * curvature, -step], [step, 1.0]])))

    assert np.isclose(modulus_of_a_complex_pair(3, 0.1), solutions.growth_factor(3, 0.1))
    fails(checks.check_growth_factor, modulus_of_a_complex_pair, linear_play, 100)


def test_high_quality_fraction_check():
    ring = ring_of_gaussians()
    samples = ring.sample(500, np.random.default_rng(0)) * 1.02
    logged = solutions.high_quality_fraction(samples, ring.centers, ring.std)
    assert 0 < logged < 1  # the scaled ring puts some samples outside 3 std, some inside
    checks.check_high_quality_fraction(solutions.high_quality_fraction, samples, ring.centers,
                                       ring.std, logged)
    two_std = lambda s, c, std: solutions.high_quality_fraction(s, c, std * 2 / 3)
    fails(checks.check_high_quality_fraction, two_std, samples, ring.centers, ring.std, logged)

    def within(norm):  # the same rule with another distance
        def fraction(samples, centers, std):
            offsets = samples[:, None, :] - centers[None, :, :]
            return np.mean(norm(offsets).min(axis=1) <= 3 * std)
        return fraction

    box = within(lambda offsets: np.abs(offsets).max(axis=-1))
    diamond = within(lambda offsets: np.abs(offsets).sum(axis=-1))
    for wrong in (box, diamond):  # "logged" as the wrong rule computes it: only the check's
        fails(checks.check_high_quality_fraction, wrong, samples, ring.centers, ring.std,
              wrong(samples, ring.centers, ring.std))  # own samples, off the axes, tell


def test_top_mode_changes_check():
    checks.check_top_mode_changes(solutions.top_mode_changes, [2, 2, 5, 2])
    distinct_modes_minus_one = lambda tops: len(set(tops)) - 1
    fails(checks.check_top_mode_changes, distinct_modes_minus_one, [2, 2, 5, 7])


def test_missing_term_share_check():
    mg.manual_seed(0)
    generator = MixtureGenerator(noise_dim=4, hidden=8, dtype="float64")
    discriminator = MixtureDiscriminator(hidden=8, dtype="float64")
    optimizer = Adam(discriminator.parameters(), lr=0.01, betas=(0.5, 0.999))
    rng = np.random.default_rng(1)
    real = mg.tensor(ring_of_gaussians().sample(32, rng, dtype=np.float64))
    noise = mg.tensor(rng.normal(size=(32, 4)))
    with mg.no_grad():
        fake = generator(noise)
    params = dict(discriminator.named_parameters())
    discriminator_loss(*discriminator_logits(discriminator, params, real, fake)).backward()
    optimizer.step()  # a used Adam state, as in training

    args = (generator, discriminator, optimizer, real, noise, 3)
    share = checks.check_missing_term_share(solutions.missing_term_share, *args)
    assert share > 0

    def first_term_share(generator, discriminator, d_optimizer, real, noise, K):
        ratio = solutions.missing_term_share(generator, discriminator, d_optimizer, real, noise, K)
        return 1 - ratio  # a wrong quantity that is still between 0 and 1

    fails(checks.check_missing_term_share, first_term_share, *args)


def test_runs_agree_check():
    same = [np.arange(4.0), np.ones((2, 2))]
    checks.check_runs_agree(solutions.runs_agree, same, same)
    fails(checks.check_runs_agree, lambda a, b, rtol: True, same, same)
    absolute = lambda a, b, rtol: all(np.max(np.abs(x - y)) <= rtol for x, y in zip(a, b))
    fails(checks.check_runs_agree, absolute, same, same)
    largest_entry = lambda a, b, rtol: all(np.max(np.abs(x - y)) <= rtol * np.max(np.abs(x))
                                           for x, y in zip(a, b))
    fails(checks.check_runs_agree, largest_entry, same, same)
    with_allclose = lambda a, b, rtol: all(np.allclose(x, y, rtol=rtol) for x, y in zip(a, b))
    fails(checks.check_runs_agree, with_allclose, same, same)
    no_shapes = lambda a, b, rtol: all(np.all(np.abs(x - y) <= rtol * np.abs(x))
                                       for x, y in zip(a, b))
    fails(checks.check_runs_agree, no_shapes, same, same)


def test_runs_agree_check_follows_the_runs_not_the_library():
    """Runs that differ (a device bug) do not fail a right answer; an answer that says they
    agree does fail."""
    reference = [np.arange(1.0, 5.0), np.ones((2, 2))]
    differing = [reference[0] * (1 + 1e-3), reference[1]]
    checks.check_runs_agree(solutions.runs_agree, reference, differing)
    shapes_only = lambda a, b, rtol: all(x.shape == y.shape for x, y in zip(a, b))
    fails(checks.check_runs_agree, shapes_only, reference, differing)


def test_cost_model_check():
    checks.check_cost_model(solutions.cost_model)
    endpoints = lambda ks, ms: (ms[0], (ms[-1] - ms[0]) / (ks[-1] - ks[0]))
    fails(checks.check_cost_model, endpoints)
    fails(checks.check_cost_model, lambda ks, ms: tuple(np.polyfit(ks, ms, 1)))  # swapped


class Scalar:
    """The fields of notebook 01's Value, which its exercises use: a number, its parents, its
    VJP and its gradient."""

    def __init__(self, data, parents=(), vjp=None, op=""):
        self.data, self.parents, self.vjp, self.grad = float(data), parents, vjp, 0.0


def test_sigmoid_check():
    def expression(sigmoid):  # sigmoid(x^2) sigmoid(x) by the chain rule, from one sigmoid node
        def evaluate(point):
            outer, inner = sigmoid(Scalar(point * point)), sigmoid(Scalar(point))
            (d_outer,), (d_inner,) = outer.vjp(1.0), inner.vjp(1.0)
            return outer.data * inner.data, d_outer * 2 * point * inner.data + outer.data * d_inner
        return evaluate

    checks.check_sigmoid(expression(solutions.sigmoid))

    def slope_of_the_input(self):  # s(1 - s) written with the input instead of the output
        s = 1 / (1 + np.exp(-self.data))
        return Scalar(s, (self,), lambda g: (g * self.data * (1 - self.data),))

    fails(checks.check_sigmoid, expression(slope_of_the_input))


def order_found_breadth_first(root):  # the order in which a search meets the nodes, reversed
    found, queue = [root], [root]
    while queue:
        for parent in queue.pop(0).parents:
            if all(parent is not node for node in found):
                found.append(parent)
                queue.append(parent)
    return found[::-1]


def kahn_order(root):
    """Another right answer: Kahn's algorithm, leaves first, a node once its parents are out."""
    nodes, waiting_on, users = [root], {id(root): len(root.parents)}, {}
    for node in nodes:  # nodes grows while it is read: every ancestor, once
        for parent in node.parents:
            users.setdefault(id(parent), []).append(node)
            if id(parent) not in waiting_on:
                waiting_on[id(parent)] = len(parent.parents)
                nodes.append(parent)
    ready = [node for node in nodes if not node.parents]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for user in users.get(id(node), []):
            waiting_on[id(user)] -= 1
            if waiting_on[id(user)] == 0:
                ready.append(user)
    return order


def test_topological_order_check():
    checks.check_topological_order(solutions.topological_order, Scalar)
    checks.check_topological_order(kahn_order, Scalar)  # any topological order will do
    fails(checks.check_topological_order, order_found_breadth_first, Scalar,
          match="a node comes before one of its parents")

    def recursive(node, seen=None, order=None):
        seen, order = (set(), []) if seen is None else (seen, order)
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                recursive(parent, seen, order)
            order.append(node)
        return order

    fails(checks.check_topological_order, recursive, Scalar, match="recursion limit")

    def no_memory(root):  # depth first, children after parents, but no record of what is placed
        order = []
        for parent in root.parents:
            order += no_memory(parent)
        return order + [root]

    fails(checks.check_topological_order, no_memory, Scalar, match="more than once")

    placed_in_any_call = set()  # as a default argument placed=set() would be: it outlives a call

    def remembers_between_calls(root):  # so a second call finds every node placed already
        order = [node for node in solutions.topological_order(root)
                 if id(node) not in placed_in_any_call]
        placed_in_any_call.update(id(node) for node in order)
        return order

    fails(checks.check_topological_order, remembers_between_calls, Scalar,
          match="asked twice")


def sweep(order_of, accumulate=True, reset=True):
    """A backward sweep over ``order_of(root)`` (to be visited as given), with the two other
    choices a student makes: += or =, and zeroing the gradients first or not."""
    def backward(root):
        order = order_of(root)
        if reset:
            for node in order:
                node.grad = 0.0
        root.grad = 1.0
        for node in order:
            if node.vjp is not None:
                for parent, contribution in zip(node.parents, node.vjp(node.grad)):
                    parent.grad = parent.grad + contribution if accumulate else contribution
    return backward


def test_backward_check():
    checks.check_backward(solutions.backward, Scalar)
    reverse_topological = lambda root: solutions.topological_order(root)[::-1]
    checks.check_backward(sweep(reverse_topological), Scalar)
    checks.check_backward(sweep(lambda root: kahn_order(root)[::-1]), Scalar)
    found_order = lambda root: order_found_breadth_first(root)[::-1]  # root first, as found
    fails(checks.check_backward, sweep(found_order), Scalar, match="reverse topological")
    fails(checks.check_backward, sweep(solutions.topological_order), Scalar)  # not reversed
    fails(checks.check_backward, sweep(reverse_topological, accumulate=False), Scalar,
          match=r"\+=")
    fails(checks.check_backward, sweep(reverse_topological, reset=False), Scalar,
          match="second time")


def test_unbroadcast_check():
    checks.check_unbroadcast(solutions.unbroadcast)

    def leading_axes_only(grad, shape):  # forgets the stretched axes of size 1
        return grad.sum(axis=tuple(range(grad.ndim - len(shape))))

    fails(checks.check_unbroadcast, leading_axes_only, match="keepdims")

    def drops_the_size_one_axes(grad, shape):  # sums them, but without keepdims
        grad = leading_axes_only(grad, shape)
        return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] > 1))

    fails(checks.check_unbroadcast, drops_the_size_one_axes, match="keepdims")

    def averages(grad, shape):  # the right shape, the mean of the copies instead of their sum
        summed = solutions.unbroadcast(grad, shape)
        return summed * np.prod(shape) / grad.size

    fails(checks.check_unbroadcast, averages, match="not their mean")

    def in_place(grad, shape):
        result = solutions.unbroadcast(grad, shape)
        grad *= 0
        return result

    fails(checks.check_unbroadcast, in_place, match="changed the gradient")


def test_broadcast_gradients_check():
    checks.check_broadcast_gradients(solutions.broadcast_gradients)

    def summed_over_the_wrong_axis(A, w, c):
        dL_dw, dL_dc = solutions.broadcast_gradients(A, w, c)
        return dL_dw, (2 * (A * w + c)).sum(axis=0, keepdims=True)

    fails(checks.check_broadcast_gradients, summed_over_the_wrong_axis)
    fails(checks.check_broadcast_gradients,
          lambda A, w, c: tuple(g / 2 for g in solutions.broadcast_gradients(A, w, c)))


def test_fit_linear_check():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = X @ np.array([1.0, -0.5]) + 0.3 + 0.1 * rng.normal(size=60)
    checks.check_fit_linear(solutions.fit_linear, X, y)
    fails(checks.check_fit_linear, lambda X, y: solutions.fit_linear(X, y, steps=5), X, y)

    def least_squares(X, y):  # the right numbers, without the training loop
        solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
        return solution[:-1], solution[-1]

    fails(checks.check_fit_linear, least_squares, X, y, match="SGD")

    def trains_but_returns_the_start(X, y):
        solutions.fit_linear(X, y)
        return np.zeros(X.shape[1]), 0.0

    fails(checks.check_fit_linear, trains_but_returns_the_start, X, y, match="that SGD trained")
    assert "recorded" not in mg.optim.SGD.step.__qualname__  # the check put SGD's step back


def quadratic_problem(size=4, seed=0):
    """train_loss(w, lam), val_loss(w) as in notebook 03, and F(alpha) after 30 steps (numpy)."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(20, size)), rng.normal(size=20)
    Xv, yv = rng.normal(size=(10, size)), rng.normal(size=10)
    Xt, yt, Xvt, yvt = map(mg.tensor, (X, y, Xv, yv))

    def train_loss(w, lam):
        residual = Xt @ w - yt
        return 0.5 * (residual * residual).mean() + 0.5 * lam * (w * w).sum()

    def val_loss(w):
        residual = Xvt @ w - yvt
        return 0.5 * (residual * residual).mean()

    def F_of_alpha(alpha):
        w = np.zeros(size)
        for _ in range(30):
            w = w - alpha * (X.T @ (X @ w - y) / len(y) + 0.5 * w)
        return 0.5 * np.mean((Xv @ w - yv) ** 2)

    return train_loss, val_loss, size, F_of_alpha


def test_lr_hypergradient_check():
    problem = quadratic_problem()
    checks.check_lr_hypergradient(solutions.lr_hypergradient, *problem)

    def last_step_only(train_loss, val_loss, size, lr, K, lam=0.5):  # no create_graph
        lr_t = mg.tensor(lr, dtype=mg.float64, requires_grad=True)
        w = mg.zeros(size, dtype=mg.float64, requires_grad=True)
        for _ in range(K):
            (g,) = mg.grad(train_loss(w, lam), w)
            w = w - lr_t * g
        return mg.grad(val_loss(w), lr_t)[0].item()

    fails(checks.check_lr_hypergradient, last_step_only, *problem)


def test_closed_form_gradient_check():
    Q, c = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    checks.check_closed_form_gradient(solutions.closed_form_gradient, Q, c, 0.1)

    def gradient_at_the_end(Q, c, step, x0, K):  # forgets the chain rule through the K steps
        x_star = np.linalg.solve(Q, c)
        x_K = x_star + np.linalg.matrix_power(np.eye(2) - step * Q, K) @ (x0 - x_star)
        return Q @ x_K - c

    fails(checks.check_closed_form_gradient, gradient_at_the_end, Q, c, 0.1)


def test_tuned_lambda_check():
    loss_at = lambda lam: (lam - 0.7) ** 2
    grid = np.linspace(0.0, 3.0, 31)
    hyperobjective = lambda lam: (lam - 0.7) * (lam - 0.7)
    tuned = solutions.tune_lambda(hyperobjective, 0.3, 100, rate=1.0)
    checks.check_tuned_lambda(tuned, loss_at, grid)
    fails(checks.check_tuned_lambda, 0.02, loss_at, grid)


def without_reflected_operators(f, n_inputs):
    """What a tracer whose stand-ins lack __radd__, __rsub__ and __rmul__ does: a number on the
    left of an operator raises TypeError."""
    program = solutions.trace(f, n_inputs)
    if any(not isinstance(args[0], str) for _, _, args in program[1]):
        raise TypeError("unsupported operand type(s) for *: 'float' and 'Symbol'")
    return program


def with_swapped_rsub(f, n_inputs):
    """1.0 - x recorded as sub(x, 1.0): __rsub__ written like __sub__."""
    inputs, instructions, outputs = solutions.trace(f, n_inputs)
    return inputs, [(out, op, args[::-1] if op == "sub" and not isinstance(args[0], str)
                     else args) for out, op, args in instructions], outputs


def with_a_shared_list(shared):
    """A tracer whose instructions go to one list for every trace, never emptied."""
    def trace(f, n_inputs):
        inputs, instructions, outputs = solutions.trace(f, n_inputs)
        shared.extend(instructions)
        return inputs, shared, outputs
    return trace


def test_trace_check():
    checks.check_trace(solutions.trace)

    def other_names(f, n_inputs):  # another right answer: the check reads no particular names
        inputs, instructions, outputs = solutions.trace(f, n_inputs)
        rename = lambda a: "v_" + a if isinstance(a, str) else a
        return ([rename(a) for a in inputs],
                [(rename(out), op, tuple(map(rename, args))) for out, op, args in instructions],
                [rename(a) for a in outputs])

    checks.check_trace(other_names)
    fails(checks.check_trace, without_reflected_operators, match="reflected")
    fails(checks.check_trace, with_swapped_rsub, match=r"sub\(1.0, x\)")
    fails(checks.check_trace, with_a_shared_list([]), match="earlier trace")

    def evaluates(f, n_inputs):  # runs f on numbers and records the result as one constant
        value = f(*(mg.tensor(np.ones(4)) for _ in range(n_inputs)))
        return [f"t{i}" for i in range(n_inputs)], [], [value]

    fails(checks.check_trace, evaluates)


def test_dead_code_check():
    checks.check_dead_code(solutions.eliminate_dead_code)

    def unread_only(program):  # drops what nothing reads, once: a dead reader keeps its input
        inputs, instructions, outputs = program
        read = set(outputs) | {a for _, _, args in instructions for a in args}
        return inputs, [i for i in instructions if i[0] in read], outputs

    fails(checks.check_dead_code, unread_only, match="backwards")

    def in_place(program):
        kept = solutions.eliminate_dead_code(program)[1]
        program[1][:] = kept
        return program

    fails(checks.check_dead_code, in_place, match="has changed")

    def backwards_order(program):  # collected from the outputs back, never put in order again
        inputs, instructions, outputs = solutions.eliminate_dead_code(program)
        return inputs, instructions[::-1], outputs

    fails(checks.check_dead_code, backwards_order, match="order")

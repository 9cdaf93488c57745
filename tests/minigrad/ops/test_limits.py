"""Issue 36: values and gradients at nan and infinite inputs equal PyTorch's: max's gradient
with a nan, binary cross-entropy with infinite logits, nll_loss and cross_entropy with a
masked (-inf) class. Each also replays compiled on new data (the masks are recomputed, not
frozen at the trace), and the primitives behind them pass the central-difference checks."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.limits import infinite_logit_limit, zero_dropping_mul

import strategies as S

torch = pytest.importorskip("torch")
# numpy warns of the inf - inf and 0 * inf that the stable formulas meet before the limits
# replace them; the values are what these tests check
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
TF = torch.nn.functional
inf, nan = np.inf, np.nan


def _value_and_gradient(library, fn, values, *constants):
    """fn(x, *constants).sum() and its gradient in x, as numpy arrays, in ``library``."""
    if library is mg:
        x = mg.tensor(np.asarray(values, dtype="float64"), requires_grad=True)
        y = fn(x, *(mg.tensor(np.asarray(c)) for c in constants)).sum()
        (gradient,) = mg.grad(y, [x])
        return y.numpy(), gradient.numpy()
    x = torch.tensor(np.asarray(values, dtype="float64"), requires_grad=True)
    y = fn(x, *(torch.tensor(np.asarray(c)) for c in constants)).sum()
    (gradient,) = torch.autograd.grad(y, [x])
    return y.detach().numpy(), gradient.numpy()


def _same_as_torch(ours, theirs, values, *constants):
    for mine, torchs in zip(_value_and_gradient(mg, ours, values, *constants),
                            _value_and_gradient(torch, theirs, values, *constants)):
        np.testing.assert_allclose(mine, torchs, rtol=1e-12, atol=0)


def _replays_on(fn, traced_at, replayed_at, *constants):
    """fn (value and gradient) compiled at finite ``traced_at``, replayed at ``replayed_at``:
    bit for bit the eager result there (a mask frozen at the trace would differ)."""
    def value_and_gradient(x, *rest):
        y = fn(x, *rest).sum()
        return (y,) + tuple(mg.grad(y, [x]))
    compiled = mg.compile(value_and_gradient)
    tensors = [mg.tensor(np.asarray(c)) for c in constants]
    for _ in range(2):  # the trace, then the replay that compile checks itself
        compiled(mg.tensor(np.asarray(traced_at, dtype="float64"), requires_grad=True), *tensors)
    point = mg.tensor(np.asarray(replayed_at, dtype="float64"), requires_grad=True)
    replayed, eager = compiled(point, *tensors), value_and_gradient(point, *tensors)
    assert compiled.traces == 2
    for r, e in zip(replayed, eager):
        assert r.numpy().tobytes() == e.numpy().tobytes()


# -- max, amax and min with a nan ---------------------------------------------------------------

NAN_VECTORS = [[1.0, nan, 3.0], [nan, 2.0, nan], [3.0, 1.0, 3.0], [-inf, nan, inf]]


@pytest.mark.parametrize("values", NAN_VECTORS)
@pytest.mark.parametrize("ours, theirs", [(mg.max, torch.max), (mg.min, torch.min),
                                          (mg.amax, torch.max)], ids=["max", "min", "amax"])
def test_the_gradient_of_max_over_a_nan_goes_to_the_nans_as_torchs(values, ours, theirs):
    _same_as_torch(ours, theirs, values)
    ours_value, ours_gradient = _value_and_gradient(mg, ours, values)
    assert np.isnan(ours_value) == any(np.isnan(values))
    assert ours_gradient.sum() == 1.0


def test_max_along_an_axis_with_a_nan_row_as_torchs_max_with_dim():
    rows = [[1.0, nan, 3.0], [2.0, 5.0, 4.0]]
    _same_as_torch(lambda x: mg.amax(x, dim=1), lambda x: torch.max(x, 1).values, rows)
    _same_as_torch(lambda x: mg.max(x, 1).values, lambda x: torch.max(x, 1).values, rows)


def test_max_with_a_nan_replays_compiled_on_new_data():
    _replays_on(mg.amax, [1.0, 2.0, 3.0], [1.0, nan, 3.0])
    _replays_on(mg.amax, [1.0, nan, 3.0], [4.0, 2.0, 3.0])


# -- binary cross-entropy with infinite logits ---------------------------------------------------

TARGETS = [0.0, 0.3, 1.0]


def _bce(functional, pos_weight=None):
    def loss(x, t):
        weight = None if pos_weight is None else \
            (mg.tensor(pos_weight) if functional is F else torch.tensor(pos_weight))
        return functional.binary_cross_entropy_with_logits(x, t, reduction="none",
                                                           pos_weight=weight)
    return loss


@pytest.mark.parametrize("pos_weight", [None, np.array([2.0])], ids=["plain", "pos_weight"])
def test_bce_with_logits_at_infinite_logits_is_the_limit(pos_weight):
    """At +inf the loss is (1 - t) inf, at -inf p t inf (0 where the factor is 0); PyTorch's
    agrees where its value is a number (+inf with t < 1) and its gradient everywhere."""
    p = 1.0 if pos_weight is None else pos_weight[0]
    for logit in (inf, -inf):
        for t in TARGETS:
            ours = _value_and_gradient(mg, _bce(F, pos_weight), [logit], [t])
            theirs = _value_and_gradient(torch, _bce(TF, pos_weight), [logit], [t])
            slope = (1.0 - t) if logit > 0 else p * t
            assert ours[0] == (inf if slope > 0 else 0.0)
            if not np.isnan(theirs[0]):
                assert ours[0] == theirs[0]
            np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=0)
    finite = np.linspace(-30.0, 30.0, 7)
    targets = np.linspace(0.0, 1.0, 7)
    _same_as_torch(_bce(F, pos_weight), _bce(TF, pos_weight), finite, targets)


def test_bce_with_logits_replays_compiled_on_new_infinities():
    targets = np.array([0.0, 0.3, 1.0, 0.0])
    _replays_on(_bce(F), [1.0, -2.0, 3.0, 0.5], [inf, -inf, inf, -inf], targets)
    _replays_on(_bce(F), [inf, -inf, 3.0, 0.5], [-1.0, 2.0, -inf, inf], targets)


def test_the_infinite_logit_limit_passes_the_loss_gradient_through():
    """At finite logits the identity in the loss (at infinite ones it passes g on as well: the
    loss's own graph gives the gradient's limit there, as the bce tests above check)."""
    loss, x = S.leaf(np.array([0.5, -1.2, 2.0]), "cpu"), mg.tensor([1.0, -2.0, 0.5])
    slopes = mg.tensor([0.3, 0.0, 1.0])
    S.check_derivatives(lambda loss, x, slopes: infinite_logit_limit(loss, x, slopes, slopes) ** 2,
                        loss, x, slopes)


# -- nll_loss and cross_entropy with a masked class ----------------------------------------------

@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_loss_with_a_minus_infinite_log_probability_as_torchs(reduction):
    log_probabilities = [[0.0, -inf, -1.0], [-0.5, -1.0, -inf]]
    for target in ([0, 1], [1, 0], [2, 0]):  # the -inf off the target, at it, and both
        _same_as_torch(lambda x, t: F.nll_loss(x, t, reduction=reduction),
                       lambda x, t: TF.nll_loss(x, t, reduction=reduction),
                       log_probabilities, target)


@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.1},
                                     {"weight": [0.5, 2.0, 1.0]}], ids=["plain", "smoothing",
                                                                       "weight"])
def test_cross_entropy_with_a_masked_logit_as_torchs(options):
    """Logits [0, 1, -inf] with target 0 give log(1 + e) = 1.3133 and gradient 0 at the
    masked logit (with smoothing, inf: the uniform part reaches the masked class)."""
    def ours(x, t):
        weight = options.get("weight")
        weight = None if weight is None else mg.tensor(weight, dtype="float64")
        return F.cross_entropy(x, t, weight=weight,
                               label_smoothing=options.get("label_smoothing", 0.0))

    def theirs(x, t):
        weight = options.get("weight")
        return TF.cross_entropy(x, t, weight=None if weight is None else torch.tensor(weight,
                                                                              dtype=torch.double),
                                label_smoothing=options.get("label_smoothing", 0.0))
    logits = [[0.0, 1.0, -inf], [2.0, -inf, -1.0]]
    _same_as_torch(ours, theirs, logits, [0, 2])
    value, gradient = _value_and_gradient(mg, ours, logits, [0, 2])
    assert np.isfinite(gradient).all()
    if "label_smoothing" not in options:
        assert gradient[0, 2] == gradient[1, 1] == 0.0
    if not options:
        masked_row_value, _ = _value_and_gradient(mg, ours, logits[:1], [0])
        np.testing.assert_allclose(masked_row_value, np.log1p(np.e), rtol=1e-12)


def test_cross_entropy_with_a_masked_logit_replays_compiled_on_new_data():
    targets = np.array([0, 2])
    _replays_on(lambda x, t: F.cross_entropy(x, t), [[0.0, 1.0, 2.0], [2.0, 0.5, -1.0]],
                [[0.0, 1.0, -inf], [2.0, -inf, -1.0]], targets)
    _replays_on(lambda x, t: F.cross_entropy(x, t), [[0.0, 1.0, -inf], [2.0, -inf, -1.0]],
                [[-inf, 1.0, 0.0], [2.0, 0.5, -inf]], targets)


def test_zero_dropping_mul_has_the_derivatives_of_a_product():
    a, c = S.leaf(np.array([[0.5, -1.2], [2.0, 0.7]]), "cpu"), \
        S.leaf(np.array([[0.0, 1.5], [-0.4, 0.0]]), "cpu")
    S.check_derivatives(lambda a, c: zero_dropping_mul(a, c) * a, a, c)
    assert zero_dropping_mul(mg.tensor([-inf, nan, -inf]), mg.tensor([0.0, 0.0, 2.0])
                             ).numpy().tolist() == [0.0, 0.0, -inf]

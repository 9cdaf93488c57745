"""PyTorch's ``torch.autograd.Function``: a new op written as two static methods on tensors,

    class Cube(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3.0 * x * x * g

    y = Cube.apply(x)

``forward`` runs under ``no_grad`` (as PyTorch's); ``apply`` records one node of the engine
(:class:`minigrad.Function`) whose VJP is the user's ``backward``. The tensors saved are handed
back as the node's own inputs (or output), so a ``backward`` written with tensor ops is
differentiated again with ``create_graph=True``, as every op here. One output tensor; non-tensor
arguments are passed through to ``forward``."""

from ..autodiff import Function as Node
from ..grad_mode import no_grad
from ..tensor import Tensor


class FunctionCtx:
    """``ctx``: ``save_for_backward(*tensors)``, ``saved_tensors``, ``needs_input_grad``, and
    any attribute the user sets."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    @property
    def saved_tensors(self):
        return self._saved()


class _UserNode(Node):
    """The engine's node of one ``Function.apply``: forward and VJP are the user's."""

    def __init__(self, user, arguments):
        self.user = user
        self.arguments = arguments  # the apply's arguments, tensors as None (the node's inputs)

    def forward(self, *arrays):
        stand_ins = iter([Tensor(a) for a in arrays])
        self.stand_ins = []
        arguments = []
        for argument in self.arguments:
            if argument is None:
                self.stand_ins.append(next(stand_ins))
                arguments.append(self.stand_ins[-1])
            else:
                arguments.append(argument)
        self.ctx = FunctionCtx()
        self.ctx._saved = self._saved
        with no_grad():
            out = self.user.forward(self.ctx, *arguments)
        if not isinstance(out, Tensor):
            raise TypeError(f"{self.user.__name__}.forward must return one Tensor, got "
                            f"{type(out).__name__}")
        self.out_stand_in = out
        return out.array

    def _saved(self):
        """The saved tensors, each stand-in of an input or of the output replaced by the
        graph's own tensor (so that the VJP is recorded in the graph with create_graph)."""
        own = {id(s): t for s, t in zip(self.stand_ins, self.inputs)}
        if self.inputs:
            own[id(self.out_stand_in)] = self.output
        return tuple(own.get(id(t), t) for t in getattr(self.ctx, "to_save", ()))

    def backward(self, g):
        self.ctx.needs_input_grad = self.needs_input_grad
        grads = self.user.backward(self.ctx, g)
        grads = (grads,) if isinstance(grads, Tensor) or grads is None else tuple(grads)
        if len(grads) != len(self.arguments):
            raise ValueError(f"{self.user.__name__}.backward returned {len(grads)} gradients; "
                             f"expected one per argument of forward ({len(self.arguments)}), "
                             "None for those that are not tensors")
        return tuple(g for g, argument in zip(grads, self.arguments) if argument is None)


class Function:
    """Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, grad)`` (see the
    module); call ``apply(*args)``. ``backward`` returns one gradient per argument of
    ``forward`` (None for a non-tensor one)."""

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        tensors = [a for a in args if isinstance(a, Tensor)]
        arguments = [None if isinstance(a, Tensor) else a for a in args]
        return _UserNode.apply(*tensors, user=cls, arguments=arguments)

"""Module: a container of parameters, buffers and sub-modules, as in PyTorch.

Parameters are looked up by name at call time (``self.weight`` reads ``self._parameters``), so
:func:`functional_call` can run a module with other tensors in their place — the unrolled GAN
runs its discriminator with the parameters of step k of the unrolled optimisation."""

from collections import OrderedDict, namedtuple

import numpy as np

from .. import backend
from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that a Module registers as a parameter (``requires_grad=True``)."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        super().__init__(data._data if isinstance(data, Tensor) else data, requires_grad)


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = """What ``load_state_dict`` did not match (PyTorch's return value)."""


class Module:
    # names a PyTorch state dict holds for this module and minigrad has no use for (batch
    # norm's num_batches_tracked): accepted by load_state_dict and left out
    torch_only_state = ()

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- registration ----------------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before setting "
                               "attributes")
        if name in self._parameters and not isinstance(value, (Parameter, type(None))):
            raise TypeError(
                f"{type(self).__name__}.{name} is a parameter: assigning a "
                f"{type(value).__name__} would drop it from parameters(); PyTorch refuses this "
                f"too. Assign minigrad.nn.Parameter(tensor), or change the values in place "
                f"(with minigrad.no_grad(): module.{name}.copy_(tensor))")
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def register_buffer(self, name, tensor):
        """A tensor that is state but not a parameter (e.g. batch norm's running mean)."""
        self._buffers[name] = tensor

    # -- traversal -------------------------------------------------------------------------
    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}{name}.")

    def _named(self, table):
        for prefix, module in self.named_modules():
            for name, value in getattr(module, table).items():
                yield prefix + name, value

    def named_parameters(self):
        return self._named("_parameters")

    def parameters(self):
        """An iterator over the parameters, as in PyTorch (``next(model.parameters())``; take
        ``list(...)`` of it to index it or to use it twice)."""
        return (p for _, p in self.named_parameters())

    def named_buffers(self):
        return self._named("_buffers")

    def children(self):
        """An iterator over the direct sub-modules (PyTorch's)."""
        return iter(self._modules.values())

    def modules(self):
        """An iterator over this module and all its sub-modules, depth first."""
        return (module for _, module in self.named_modules())

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module, then on this one (as PyTorch: for
        initialisation, ``model.apply(init_weights)``); returns this module."""
        for child in self._modules.values():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and state -------------------------------------------------------------------
    def train(self, mode=True):
        for _, module in self.named_modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (to freeze a part of a model); returns the
        module, as PyTorch's."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def state_dict(self):
        """Parameters and buffers by dotted name, as detached tensors sharing the data."""
        state = OrderedDict((name, p.detach()) for name, p in self.named_parameters())
        state.update((name, b.detach()) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state, strict=True):
        """Copy values (tensors or arrays, minigrad's or PyTorch's) into the parameters and
        buffers, checking shapes first (nothing changes if one is wrong). With ``strict`` (the
        default) the names must match exactly; with ``strict=False`` the names that match are
        loaded. Returns ``(missing_keys, unexpected_keys)``, as PyTorch's; a name in
        ``torch_only_state`` (batch norm's ``num_batches_tracked``) is neither."""
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        ignored = {prefix + name for prefix, module in self.named_modules()
                   for name in module.torch_only_state}
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own) - ignored)
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict into {type(self).__name__}: missing keys {missing}, "
                           f"unexpected keys {unexpected} (strict=False loads the names that "
                           "match)")
        arrays = {}
        for name, target in own.items():  # check everything before changing anything
            if name not in state:
                continue
            value = state[name]
            array = value.numpy() if isinstance(value, Tensor) else np.asarray(value)
            if tuple(array.shape) != target.shape:
                raise ValueError(f"load_state_dict: {name} has shape {tuple(array.shape)} in the "
                                 f"state, {target.shape} in the module")
            arrays[name] = array
        for name, array in arrays.items():
            own[name]._set_array(backend.array_from_numpy(array, own[name].device, own[name].dtype))
        return IncompatibleKeys(missing, unexpected)

    # -- the state protocol (minigrad.compile.state): compile and checkpoints -------------
    def state_tensors(self, gradients=False):
        """Parameters and buffers by dotted name (``state_dict``'s names); with ``gradients``,
        each parameter's gradient too, as ``"grad:" + name``."""
        state = {}
        for name, p in self.named_parameters():
            state[name] = p
            if gradients:
                state["grad:" + name] = p.grad
        state.update(self.named_buffers())
        return state

    def load_state_tensors(self, arrays):
        own = {**dict(self.named_parameters()), **dict(self.named_buffers())}
        for key, array in arrays.items():
            if key.startswith("grad:"):
                own[key[5:]].grad = None if array is None else Tensor(array)
            else:
                own[key]._set_array(array)

    def state_key(self):
        """Training or eval mode, per sub-module (batch norm computes differently)."""
        return tuple((name, module.training) for name, module in self.named_modules())

    def to(self, device):
        """Move every parameter and buffer to ``device`` (in place, like PyTorch)."""
        for _, tensor in list(self.named_parameters()) + list(self.named_buffers()):
            tensor._set_array(backend.to_device(tensor.array, device))
        return self

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        """Move every parameter and buffer to GPU ``device`` (a number; 0 if None)."""
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self):
        """Convert every floating-point parameter and buffer to float32 (in place)."""
        return self._astype("float32")

    def double(self):
        """Convert every floating-point parameter and buffer to float64 (in place)."""
        return self._astype("float64")

    def _astype(self, dtype):
        for _, tensor in list(self.named_parameters()) + list(self.named_buffers()):
            xp = backend.namespace_of(tensor.array)
            if xp.isdtype(tensor.dtype, "real floating"):
                tensor._set_array(xp.astype(tensor.array, getattr(xp, dtype)))
        return self

    def __repr__(self):
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ")
                 for name, child in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}({extra}\n" + "\n".join(lines) + "\n)"

    def extra_repr(self):
        return ""


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(a, b)`` names them "0", "1";
    ``Sequential(OrderedDict(name=module, ...))`` by the dict's names, as in PyTorch."""

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            named = modules[0].items()
        else:
            named = ((str(index), module) for index, module in enumerate(modules))
        for name, module in named:
            setattr(self, name, checked_module("Sequential", name, module))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)


def checked_module(container, name, module):
    """``module``, or an error if it is not a Module (a container would not register it)."""
    if not isinstance(module, Module):
        raise TypeError(f"{container}: {name!r} is a {type(module).__name__}, not a Module")
    return module


def functional_call(module, params, *args, **kwargs):
    """Run ``module(*args, **kwargs)`` with the tensors in ``params`` (dotted names, as from
    ``named_parameters``) standing in for its own parameters or buffers; the module is restored
    afterwards. Names not given keep the module's own tensors."""
    swapped = []
    try:
        for name, value in params.items():
            owner_name, _, leaf = name.rpartition(".")
            owner = module
            for part in owner_name.split(".") if owner_name else ():
                owner = owner._modules.get(part)
                if owner is None:
                    break
            table = owner._parameters if owner is not None and leaf in owner._parameters \
                else getattr(owner, "_buffers", {})
            if leaf not in table:
                raise KeyError(f"functional_call: {type(module).__name__} has no parameter or "
                               f"buffer named {name!r}")
            swapped.append((table, leaf, table[leaf]))
            table[leaf] = value
        return module(*args, **kwargs)
    finally:
        for table, leaf, original in reversed(swapped):
            table[leaf] = original

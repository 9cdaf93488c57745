"""PyTorch's containers of sub-modules besides ``Sequential``: ``ModuleList``, ``ModuleDict``.
Their modules are registered (their parameters appear in ``parameters()`` and the state dict,
under the list's index or the dict's key); they have no ``forward`` of their own."""

from .module import Module, checked_module


class ModuleList(Module):
    """A list of modules, named "0", "1", ... (``self.layers = nn.ModuleList([...])``)."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def append(self, module):
        setattr(self, str(len(self)), checked_module("ModuleList", str(len(self)), module))
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleDict(Module):
    """Modules by name (``self.heads = nn.ModuleDict({"a": ..., "b": ...})``), in insertion
    order."""

    def __init__(self, modules=None):
        super().__init__()
        for name, module in (modules or {}).items():
            self[name] = module

    def __setitem__(self, name, module):
        setattr(self, name, checked_module("ModuleDict", name, module))

    def __getitem__(self, name):
        return self._modules[name]

    def __contains__(self, name):
        return name in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

"""Learning-rate schedules, PyTorch's ``torch.optim.lr_scheduler``: ``StepLR`` and
``CosineAnnealingLR``. Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``;
each parameter group's ``lr`` is set to the schedule's value at the new epoch count, from that
group's initial lr.

Each value is computed in closed form from the epoch count (PyTorch's cosine schedule updates
recursively; the two agree to float rounding)."""

import math


class LRScheduler:
    """What the schedules share: the optimizer, each parameter group's initial lr
    (``base_lrs``), and the epoch count."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0

    def lr_at(self, base_lr, epoch):
        raise NotImplementedError

    def step(self):
        self.last_epoch += 1
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base_lr, self.last_epoch)

    def get_last_lr(self):
        """The current lr of each parameter group, a list as in PyTorch."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        return {"base_lrs": list(self.base_lrs), "last_epoch": self.last_epoch}

    def load_state_dict(self, state):
        self.base_lrs, self.last_epoch = list(state["base_lrs"]), state["last_epoch"]


class StepLR(LRScheduler):
    """lr = base_lr * gamma ^ (epoch // step_size): decayed by ``gamma`` every ``step_size``
    epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2: from base_lr down
    to ``eta_min`` over ``T_max`` epochs, and back up over the next T_max."""

    def __init__(self, optimizer, T_max, eta_min=0.0):  # noqa: N803 (PyTorch's name)
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * \
            (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0

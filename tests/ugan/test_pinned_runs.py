"""A tiny run of each experiment, pinned by its metric records and its final checkpoint's arrays
as the code trained them before the command line and the run loop were rebuilt (issue 33): a
change of plumbing must not change a single bit of what a run trains or measures. (The checkpoint
digests changed once since, when step counts and the historical average's count became arrays:
every array saved before stayed byte-identical.)

Each run is pinned by two SHA-256 digests: of its metrics.jsonl, and of its checkpoint's arrays
(every name, dtype, shape and byte, in name order). When a change of numerics is meant, the
digests printed by a failing test are the new pins."""

import pytest

from pinned_runs import RUNS, pinned_digests

PINS = {
    "mixture-ring": ("c2093805da5414352b166d02fb6a29e2584452ed019a27ed1fc35711e501e7d7",
                     "151948516339fb7dc6cef7e4a5696ea811ca8363c1739cce3cae528dcbaa73e4"),
    "mixture-grid-ablations": ("a6a30bf70f8783bdc9c7429e370c607a9e38d3fed4505217953f0092e38e9858",
                               "01ce1d8b955813a9838f7d2b7639a614824c9476d28751ac0acd05d3317f8c9b"),
    "mixture-ensemble": ("2eb04bb816b9643bb02e2f74282cfe72c48b2fc32102dfc0d99e41c9344e9810",
                         "3a7ffe4bed6003420159cddc8c4e5d9afb354eabc14d763d2d3e38c952b008c6"),
    "stacked": ("0972d904c6974f619034ff6d3fdf1be85b5796d165c9fcebc4687d75d6549553",
                "9bc38c863807cfa0f87e16b0cfada0172173e3a2cdae3680e993eb103e3be35b"),
    "colour": ("9935172ed73af8c46a317e0569e25fc8669d6f4fac01412d39799e6c72a138f4",
               "a2a147676a375f24f0374ea585ab72b5337942c1ed07d916e7503a43925ffa57"),
    "lstm": ("1d1148871dbb4d298aa8467b50121031282b903edc3b1c478418a9e47010a2c9",
             "56883316683a9c4332852d8de5c4c91e6e60e3eacf5999f6cd8821f91ea0b2c5"),
    "conv": ("de55d8ec6b2be32992b4e6c6d2bb1e0e3f962243d738747ca88760812d7b1862",
             "64892441f732f90866053112171abf2b649fe7f089783aed83234b92954e564a"),
}



@pytest.mark.parametrize("name", list(RUNS))
def test_a_tiny_run_trains_the_pinned_numbers(name, tmp_path):
    assert pinned_digests(name, tmp_path) == PINS[name]

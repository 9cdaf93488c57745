"""A tiny run of each experiment, pinned by its metric records and its final checkpoint's arrays
as the code trained them before the command line and the run loop were rebuilt (issue 33): a
change of plumbing must not change a single bit of what a run trains or measures.

Each run is pinned by two SHA-256 digests: of its metrics.jsonl, and of its checkpoint's arrays
(every name, dtype, shape and byte, in name order). When a change of numerics is meant, the
digests printed by a failing test are the new pins."""

import pytest

from pinned_runs import RUNS, pinned_digests

PINS = {
    "mixture-ring": ("c2093805da5414352b166d02fb6a29e2584452ed019a27ed1fc35711e501e7d7",
                     "2c3a04b97ca953afcaa7f1619601174a090570a6ee8c7d187c6f7f055f2e619c"),
    "mixture-grid-ablations": ("a6a30bf70f8783bdc9c7429e370c607a9e38d3fed4505217953f0092e38e9858",
                               "57ab7b4f9486d223466786babb1cc4c3edebc90fe8ca8b6cbafbcb2b40a0cf0c"),
    "mixture-ensemble": ("2eb04bb816b9643bb02e2f74282cfe72c48b2fc32102dfc0d99e41c9344e9810",
                         "18a440b6b278ff050eb45d05d331952565ee98e57eecba49085abc5dcfee2109"),
    "stacked": ("0972d904c6974f619034ff6d3fdf1be85b5796d165c9fcebc4687d75d6549553",
                "65f1ce99c440077d3c6b13e8746609d6f0f4395f34b339ea8323c71abfcaedd9"),
    "colour": ("9935172ed73af8c46a317e0569e25fc8669d6f4fac01412d39799e6c72a138f4",
               "68f93c1df61a5562799178637606eaed5de558204c48e8ee882a3d5363117761"),
    "lstm": ("1d1148871dbb4d298aa8467b50121031282b903edc3b1c478418a9e47010a2c9",
             "4811e0bc38d0b83c7b027bd2f7b781a239ae299a2f0849f3f31104631b5b81a0"),
    "conv": ("de55d8ec6b2be32992b4e6c6d2bb1e0e3f962243d738747ca88760812d7b1862",
             "c7d1dbad64622d43c97fa12573b88296cf653b4fc8f4e66ffe6a00d9a6bb7cc3"),
}



@pytest.mark.parametrize("name", list(RUNS))
def test_a_tiny_run_trains_the_pinned_numbers(name, tmp_path):
    assert pinned_digests(name, tmp_path) == PINS[name]

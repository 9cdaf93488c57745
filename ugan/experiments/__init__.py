"""One module per experiment of the paper; ``EXPERIMENTS`` maps command-line names to them."""

from ugan.experiments import mixture

EXPERIMENTS = {"mixture": mixture}

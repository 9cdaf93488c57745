"""The paper's generators and discriminators."""

from ugan.models.mlp import MixtureDiscriminator, MixtureGenerator

__all__ = ["MixtureDiscriminator", "MixtureGenerator"]

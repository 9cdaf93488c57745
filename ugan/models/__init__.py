"""The paper's generators and discriminators."""

from ugan.models.conv import ConvDiscriminator, ConvGenerator
from ugan.models.lstm import LSTMGenerator
from ugan.models.mlp import MixtureDiscriminator, MixtureGenerator

__all__ = ["ConvDiscriminator", "ConvGenerator", "LSTMGenerator", "MixtureDiscriminator",
           "MixtureGenerator"]

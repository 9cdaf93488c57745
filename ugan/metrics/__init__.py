"""Evaluation metrics: mixture mode coverage and pairwise-distance histograms."""

from ugan.metrics.distances import pairwise_distance_histogram
from ugan.metrics.mixture import mixture_metrics

__all__ = ["mixture_metrics", "pairwise_distance_histogram"]

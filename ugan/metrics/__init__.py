"""Evaluation metrics: mixture mode coverage, pairwise distances, digit and garment classifiers,
the colour distribution of colour digits, and reconstruction by inference via optimization."""

from ugan.metrics.classifier import ImageClassifier, trained_classifier
from ugan.metrics.colour_kde import (cluster_colours, colour_js_divergence, kde_js_divergence,
                                     scott_bandwidth)
from ugan.metrics.divergences import js_divergence, kl_to_uniform
from ugan.metrics.distances import (mean_pairwise_distance, pairwise_distance_histogram,
                                    shared_distance_histograms)
from ugan.metrics.inference import reconstruction_errors
from ugan.metrics.mixture import mixture_metrics
from ugan.metrics.reconstruction import best_rank_shares, lbfgs_reconstruction_errors

__all__ = ["ImageClassifier", "best_rank_shares", "cluster_colours",
           "colour_js_divergence", "js_divergence", "kde_js_divergence",
           "kl_to_uniform", "lbfgs_reconstruction_errors", "mean_pairwise_distance",
           "mixture_metrics", "pairwise_distance_histogram", "reconstruction_errors",
           "scott_bandwidth", "shared_distance_histograms", "trained_classifier"]

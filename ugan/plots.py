"""Figures for the paper's experiments, rendered off-screen with matplotlib's Agg canvas.

Figures are built as `matplotlib.figure.Figure` objects attached to an Agg
canvas directly, so nothing here needs a display or changes pyplot's global
backend for the caller.
"""

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.ndimage import gaussian_filter

_DPI = 100
_PANEL_INCHES = 1.6


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=_DPI, format="png")
    return path


def _density(samples: np.ndarray, lim: float, bins: int, sigma: float) -> np.ndarray:
    """Gaussian-smoothed 2-D histogram on [-lim, lim]^2, a cheap KDE stand-in.

    Smoothing with a Gaussian of `sigma` bins approximates a KDE with
    bandwidth sigma * 2*lim/bins; transposed so rows index y for imshow.
    """
    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"density samples must have shape (n, 2), got {samples.shape}")
    counts, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=bins, range=[[-lim, lim], [-lim, lim]])
    return gaussian_filter(counts, sigma=sigma).T


def density_grid(rows, data_samples, path, lim: float = 3.0, bins: int = 100, sigma: float = 1.0) -> Path:
    """The paper's Figure 1: generator densities over training, one row per run.

    rows: [(label, [(iteration, samples (n, 2)), ...]), ...], e.g. ("K=0", ...)
    and ("K=10", ...).  Each snapshot is one panel titled with its iteration;
    the last column shows `data_samples`.  Rows with fewer snapshots leave
    blank panels.  All panels share the window [-lim, lim]^2 and have no ticks.
    """
    if not rows or any(not snapshots for _, snapshots in rows):
        raise ValueError("rows must be non-empty and each row needs at least one (iteration, samples) snapshot")
    n_cols = max(len(snapshots) for _, snapshots in rows) + 1
    fig = _new_figure(_PANEL_INCHES * n_cols, _PANEL_INCHES * len(rows))
    axes = fig.subplots(len(rows), n_cols, squeeze=False)
    extent = (-lim, lim, -lim, lim)
    data_density = _density(data_samples, lim, bins, sigma)

    for row_axes, (label, snapshots) in zip(axes, rows):
        panels = [(str(iteration), _density(samples, lim, bins, sigma)) for iteration, samples in snapshots]
        panels += [None] * (n_cols - 1 - len(snapshots)) + [("data", data_density)]
        for ax, panel in zip(row_axes, panels):
            ax.set_xticks([])
            ax.set_yticks([])
            if panel is None:
                ax.set_axis_off()
                continue
            title, density = panel
            ax.imshow(density, origin="lower", extent=extent, cmap="viridis", interpolation="bilinear")
            ax.set_title(title, fontsize=9)
        row_axes[0].set_ylabel(label, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def metric_curves(histories: dict, keys: list, path) -> Path:
    """One subplot per metric key; x is record["step"], one line per run label.

    histories: {run label: [record dict with "step" and metric values, ...]}.
    Records lacking a key are skipped for that key, so metrics logged at
    different intervals can share one history.
    """
    if not keys:
        raise ValueError("keys is empty; name at least one metric to plot")
    fig = _new_figure(4.0 * len(keys), 3.0)
    axes = fig.subplots(1, len(keys), squeeze=False)[0]
    for ax, key in zip(axes, keys):
        for label, records in histories.items():
            points = [(record["step"], record[key]) for record in records if key in record]
            if points:
                steps, values = zip(*points)
                ax.plot(steps, values, label=label)
        ax.set_title(key)
        ax.set_xlabel("step")
        if ax.has_data():
            ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def _tile(images: np.ndarray, ncols: int, pad: int = 1) -> np.ndarray:
    """Arrange (n, C, H, W) images into one (rows*(H+pad)+pad, cols*(W+pad)+pad, C) canvas."""
    n, c, h, w = images.shape
    nrows = math.ceil(n / ncols)
    canvas = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), dtype=np.float64)
    for i, image in enumerate(images):
        top = pad + (i // ncols) * (h + pad)
        left = pad + (i % ncols) * (w + pad)
        canvas[top : top + h, left : left + w] = image.transpose(1, 2, 0)
    return canvas


def _show_canvas(ax, canvas: np.ndarray) -> None:
    """Draw a tiled canvas with values in [0, 1]: grey for one channel, RGB for three."""
    if canvas.shape[2] == 1:
        ax.imshow(canvas[:, :, 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(canvas, interpolation="nearest")


def sample_grid(images, path, ncols: int = 10, value_range=None) -> Path:
    """Save a grid of images (n, C, H, W), C in {1, 3}.

    value_range is (low, high) of the pixel scale; by default (-1, 1) if any
    pixel is negative (tanh outputs), else (0, 1).  Pixels are mapped to
    [0, 1] and clipped.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] not in (1, 3) or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, C, H, W) with n >= 1 and C in (1, 3), got {images.shape}")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    low, high = value_range if value_range is not None else ((-1.0, 1.0) if images.min() < 0 else (0.0, 1.0))
    images = np.clip((images - low) / (high - low), 0.0, 1.0)
    ncols = min(ncols, images.shape[0])
    canvas = _tile(images, ncols)
    fig = _new_figure(0.6 * ncols, 0.6 * math.ceil(images.shape[0] / ncols))
    ax = fig.add_axes((0, 0, 1, 1))
    _show_canvas(ax, canvas)
    ax.set_axis_off()
    return _save(fig, path)


def image_snapshots(rows, path, ncols: int = 6, value_range=(-1.0, 1.0)) -> Path:
    """Generated images through training (the paper's Figures 3 and 4), one row per run.

    rows: [(label, [(iteration, images (n, C, H, W)), ...]), ...]. Each panel tiles up to
    ncols x ncols images of one snapshot and is titled with its iteration.
    """
    if not rows or any(not snapshots for _, snapshots in rows):
        raise ValueError("rows must be non-empty and each row needs at least one (iteration, images) snapshot")
    n_cols = max(len(snapshots) for _, snapshots in rows)
    fig = _new_figure(2.0 * n_cols, 2.1 * len(rows))
    axes = fig.subplots(len(rows), n_cols, squeeze=False)
    low, high = value_range
    for row_axes, (label, snapshots) in zip(axes, rows):
        for ax in row_axes:
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in row_axes[len(snapshots):]:
            ax.set_axis_off()
        for ax, (iteration, images) in zip(row_axes, snapshots):
            images = np.clip((np.asarray(images, dtype=np.float64)[: ncols * ncols] - low) / (high - low), 0.0, 1.0)
            _show_canvas(ax, _tile(images, min(ncols, len(images))))
            ax.set_title(str(iteration), fontsize=9)
        row_axes[0].set_ylabel(label, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def distance_histograms(edges, histograms: dict, path, title=None) -> Path:
    """Distributions of pairwise distances within sets of images (paper Sec. 3.4.2), overlaid.

    histograms: {label: counts (bins,)} on the shared `edges` (bins + 1,), e.g. {"data": ...,
    "K=5": ...}. Each is drawn as a step line of its density (area 1), so sets of different
    sizes compare; a mode-collapsed generator shows as extra mass at small distances.
    """
    edges = np.asarray(edges, dtype=np.float64)
    if not histograms or any(np.shape(counts) != (len(edges) - 1,) for counts in histograms.values()):
        raise ValueError(f"histograms must be non-empty, each with one count per bin of edges "
                         f"({len(edges) - 1} bins)")
    fig = _new_figure(5.0, 3.2)
    ax = fig.subplots()
    for label, counts in histograms.items():
        counts = np.asarray(counts, dtype=np.float64)
        ax.stairs(counts / (counts.sum() * np.diff(edges)), edges, label=label)
    ax.set_xlabel("pairwise L2 distance")
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)

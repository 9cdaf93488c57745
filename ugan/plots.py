"""Figures for the paper's experiments, rendered off-screen with matplotlib's Agg canvas.

Each figure is a ``matplotlib.figure.Figure`` attached to an Agg canvas directly, so nothing here
needs a display or changes pyplot's global backend for the caller."""

import io
import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy.ndimage import gaussian_filter

from ugan.safe_files import replace_file

_DPI = 100
_PANEL_INCHES = 1.6


def _new_figure(width, height):
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=_DPI, format="png")
    return replace_file(path, buffer.getvalue())


def _density(samples, lim, bins, sigma):
    """A 2-D histogram of ``samples`` (n, 2) on [-lim, lim]^2 smoothed with a Gaussian of
    ``sigma`` bins: a cheap stand-in for a KDE of bandwidth sigma * 2 lim / bins. Transposed, so
    that rows index y as imshow draws them."""
    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"density_grid: samples must have shape (n, 2), got {samples.shape}")
    counts, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=bins,
                                  range=[[-lim, lim], [-lim, lim]])
    return gaussian_filter(counts, sigma=sigma).T


def _row_label(ax, label, width=22):
    """A row's label beside its first panel, wrapped at ", " (then at ``width`` characters) so
    that a long study label ("ensemble-10-every-100, K=0, seed 0") stays beside its own row."""
    lines = [textwrap.fill(part, width, break_on_hyphens=False) for part in label.split(", ")]
    ax.set_ylabel(",\n".join(lines), fontsize=10 if len(lines) == 1 else 8)


def density_grid(rows, data_samples, path, lim=3.0, bins=100, sigma=1.0):
    """The paper's Figure 1, generator densities through training, at ``path``: a row per run of
    ``rows`` [(label, [(iteration, samples (n, 2)), ...]), ...] (say "K=0" and "K=10"), a panel
    per snapshot titled with its iteration, and the density of ``data_samples`` in the last
    column. A row with fewer snapshots leaves blank panels. Every panel shows the window
    [-lim, lim]^2, without ticks. Returns ``path``."""
    if not rows or any(not snapshots for _, snapshots in rows):
        raise ValueError("density_grid: rows must be non-empty, each with at least one "
                         "(iteration, samples) snapshot")
    n_cols = max(len(snapshots) for _, snapshots in rows) + 1
    fig = _new_figure(_PANEL_INCHES * n_cols, _PANEL_INCHES * len(rows))
    axes = fig.subplots(len(rows), n_cols, squeeze=False)
    extent = (-lim, lim, -lim, lim)
    data_density = _density(data_samples, lim, bins, sigma)

    for row_axes, (label, snapshots) in zip(axes, rows):
        panels = [(str(iteration), _density(samples, lim, bins, sigma))
                  for iteration, samples in snapshots]
        panels += [None] * (n_cols - 1 - len(snapshots)) + [("data", data_density)]
        for ax, panel in zip(row_axes, panels):
            ax.set_xticks([])
            ax.set_yticks([])
            if panel is None:
                ax.set_axis_off()
                continue
            title, density = panel
            ax.imshow(density, origin="lower", extent=extent, cmap="viridis",
                      interpolation="bilinear")
            ax.set_title(title, fontsize=9)
        _row_label(row_axes[0], label)
    fig.tight_layout()
    return _save(fig, path)


def metric_curves(histories, keys, path):
    """A panel per metric of ``keys``, a line per run of ``histories`` ({label: [record, ...]},
    each record a dict with "step" and metric values) against the step, at ``path``. A record
    without a metric is skipped in that panel, so that metrics logged at different intervals
    can share a history. Returns ``path``."""
    if not keys:
        raise ValueError("metric_curves: keys is empty; name at least one metric to plot")
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


def _tile(images, ncols, pad=1):
    """Images (n, C, H, W) side by side in ``ncols`` columns on one canvas of shape
    (rows (H + pad) + pad, ncols (W + pad) + pad, C), the gaps white."""
    n, c, h, w = images.shape
    nrows = math.ceil(n / ncols)
    canvas = np.ones((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), dtype=np.float64)
    for i, image in enumerate(images):
        top = pad + (i // ncols) * (h + pad)
        left = pad + (i % ncols) * (w + pad)
        canvas[top:top + h, left:left + w] = image.transpose(1, 2, 0)
    return canvas


def _show_canvas(ax, canvas):
    """Draw a tiled canvas with values in [0, 1]: grey for one channel, RGB for three."""
    if canvas.shape[2] == 1:
        ax.imshow(canvas[:, :, 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(canvas, interpolation="nearest")


def image_snapshots(rows, path, ncols=6, value_range=(-1.0, 1.0)):
    """Generated images through training (the paper's Figures 3 and 4) at ``path``: a row per
    run of ``rows`` [(label, [(iteration, images (n, C, H, W), C 1 or 3), ...]), ...], a panel
    per snapshot that tiles up to ncols x ncols of its images, titled with its iteration. Pixels
    in ``value_range`` are mapped to [0, 1] and clipped. Returns ``path``."""
    if not rows or any(not snapshots for _, snapshots in rows):
        raise ValueError("image_snapshots: rows must be non-empty, each with at least one "
                         "(iteration, images) snapshot")
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
            images = np.asarray(images, dtype=np.float64)[:ncols * ncols]
            images = np.clip((images - low) / (high - low), 0.0, 1.0)
            _show_canvas(ax, _tile(images, min(ncols, len(images))))
            ax.set_title(str(iteration), fontsize=9)
        _row_label(row_axes[0], label)
    fig.tight_layout()
    return _save(fig, path)


def distance_histograms(edges, histograms, path, title=None):
    """Distributions of pairwise distances within sets of images (paper Sec. 3.4.2), overlaid at
    ``path``: ``histograms`` {label: counts (bins,)} on the shared ``edges`` (bins + 1,), say
    {"data": ..., "K=5": ...}, each a step line of its density (area 1), so that sets of
    different sizes compare; a collapsed generator shows as extra mass at small distances.
    Returns ``path``."""
    edges = np.asarray(edges, dtype=np.float64)
    if not histograms or any(np.shape(counts) != (len(edges) - 1,)
                             for counts in histograms.values()):
        raise ValueError(f"distance_histograms: histograms must be non-empty, each with one "
                         f"count per bin of edges ({len(edges) - 1} bins)")
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


def reconstruction_panel(targets, reconstructions, path, errors=None, value_range=(-1.0, 1.0)):
    """The paper's Figure 4 at ``path``: a row per target image, the target on the left and its
    reconstruction by each configuration of ``reconstructions`` ({label: images (n, C, H, W)},
    say {"K=0": ..., "K=10": ...}, row i reconstructing targets[i]) after it, with the
    reconstruction error written below where ``errors`` ({label: (n,)}) gives it. Pixels in
    ``value_range`` are mapped to [0, 1] and clipped. Returns ``path``."""
    targets = np.asarray(targets, dtype=np.float64)
    if (targets.ndim != 4 or len(targets) == 0 or not reconstructions
            or any(np.shape(images) != targets.shape for images in reconstructions.values())
            or any(np.shape(e) != (len(targets),) for e in (errors or {}).values())):
        raise ValueError(f"reconstruction_panel: expected targets (n, C, H, W) and, for every "
                         f"label, reconstructions of the same shape and errors (n,); got "
                         f"{targets.shape}, "
                         f"{ {label: np.shape(x) for label, x in reconstructions.items()} }")
    columns = [("target", targets, None)] + [
        (label, np.asarray(images, dtype=np.float64), (errors or {}).get(label))
        for label, images in reconstructions.items()]
    fig = _new_figure(1.1 * len(columns), 1.2 * len(targets) + 0.3)
    axes = fig.subplots(len(targets), len(columns), squeeze=False)
    low, high = value_range
    for column, (label, images, column_errors) in enumerate(columns):
        axes[0, column].set_title(label, fontsize=9)
        for row, image in enumerate(images):
            ax = axes[row, column]
            ax.set_xticks([])
            ax.set_yticks([])
            _show_canvas(ax, np.clip((image.transpose(1, 2, 0) - low) / (high - low), 0.0, 1.0))
            if column_errors is not None:
                ax.set_xlabel(f"{column_errors[row]:.4f}", fontsize=7)
    fig.tight_layout()
    return _save(fig, path)

import numpy as np

from ugan.data import ring_of_gaussians
from ugan.plots import density_grid, image_snapshots, metric_curves

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png(path):
    data = path.read_bytes()
    assert len(data) > len(PNG_SIGNATURE) and data.startswith(PNG_SIGNATURE)


def test_density_grid_writes_png(tmp_path):
    ring = ring_of_gaussians()
    rng = np.random.default_rng(0)
    collapsed = ring.centers[:1] + rng.normal(0, 0.05, size=(500, 2))
    rows = [
        ("K=0", [(0, rng.normal(size=(500, 2))), (5000, collapsed)]),
        ("K=10", [(0, rng.normal(size=(500, 2))), (5000, ring.sample(500, rng)),
                  (10000, ring.sample(500, rng))]),
    ]
    path = density_grid(rows, ring.sample(1000, rng), tmp_path / "fig1.png")
    assert path == tmp_path / "fig1.png"
    _assert_png(path)


def test_metric_curves_writes_png(tmp_path):
    histories = {
        "K=0": [{"step": s, "modes_covered": 1, "kl_to_uniform": 2.0} for s in range(0, 100, 10)],
        "K=5": [{"step": s, "modes_covered": min(8, s // 10)} for s in range(0, 100, 10)],
    }
    path = metric_curves(histories, ["modes_covered", "kl_to_uniform"],
                         tmp_path / "sub" / "curves.png")
    _assert_png(path)


def test_image_snapshots_writes_png_for_gray_and_colour(tmp_path):
    rng = np.random.default_rng(0)
    gray = [("K=0", [(0, rng.uniform(-1, 1, size=(23, 1, 8, 8)))])]
    _assert_png(image_snapshots(gray, tmp_path / "gray.png"))
    rgb = [("K=0", [(0, rng.uniform(0, 1, size=(7, 3, 32, 32)))]),
           ("K=5", [(0, rng.uniform(0, 1, size=(7, 3, 32, 32))), (10, np.zeros((3, 3, 32, 32)))])]
    _assert_png(image_snapshots(rgb, tmp_path / "rgb.png", ncols=4, value_range=(0.0, 1.0)))


def test_a_long_study_row_label_is_wrapped_to_stay_beside_its_own_panel():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ugan.plots import _row_label

    fig = Figure(figsize=(1.6, 1.6))  # one row of density_grid: its pitch is the figure's height
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    _row_label(ax, "ensemble-10-every-100, K=0, seed 0")
    renderer = fig.canvas.get_renderer()
    label = ax.yaxis.label
    assert label.get_text() == "ensemble-10-every-100,\nK=0,\nseed 0"
    assert label.get_window_extent(renderer).height <= fig.bbox.height
    ax.set_ylabel("ensemble-10-every-100, K=0, seed 0", fontsize=10)  # as it was: too long
    assert ax.yaxis.label.get_window_extent(renderer).height > fig.bbox.height
    _row_label(ax, "K=10")
    assert ax.yaxis.label.get_text() == "K=10" and ax.yaxis.label.get_fontsize() == 10

"""``simulate --plot FILE``: the day heatmap before and after phases, as PNG or SVG (matplotlib).

matplotlib is an optional extra (``pip install 'cron-adapter[plot]'``) and is imported only
here, only when a plot is asked for. Each panel is hour (rows) against minute (columns) of
the day in UTC, colour = fires in that minute summed over the window; a collision minute is
outlined in red, so a herd shows at a glance.
"""

from __future__ import annotations

from pathlib import Path

from cron_adapter.errors import PlotUnavailable

FORMATS = (".png", ".svg")


def write_plot(
    path: Path,
    panels: list[tuple[str, list[list[int]], frozenset[int]]],
    title: str,
) -> None:
    """Draw one heatmap per (label, matrix, hot minutes) side by side and save it to ``path``."""
    if path.suffix.lower() not in FORMATS:
        raise PlotUnavailable(f"--plot {path}: use a .png or .svg file name")
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: write files only
        matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text in SVG: searchable, accessible
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle
    except ImportError as exc:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'cron-adapter[plot]'") from exc
    top = max(1, *(max(max(r) for r in m) for _, m, _ in panels))
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 5), squeeze=False, layout="constrained")
    for ax, (label, matrix, hot) in zip(axes[0], panels, strict=True):
        image = ax.imshow(matrix, aspect="auto", cmap="viridis", vmin=0, vmax=top, interpolation="nearest")
        for minute in sorted(hot):
            ax.add_patch(Rectangle((minute % 60 - 0.5, minute // 60 - 0.5), 1, 1, fill=False, ec="red", lw=1.2))
        peak = max(max(r) for r in matrix)
        ax.set_title(f"{label}\npeak {peak} fires/minute, {len(hot)} collision minute(s)", fontsize=10)
        ax.set_xlabel("minute (UTC)")
        ax.set_ylabel("hour (UTC)")
        ax.set_yticks(range(0, 24, 3))
        ax.set_xticks(range(0, 60, 10))
    fig.colorbar(image, ax=axes[0].tolist(), label="fires in that minute, summed over the window")
    fig.suptitle(title)
    try:
        fig.savefig(path, metadata={"Title": title} if path.suffix.lower() == ".svg" else None)
    except OSError as exc:  # a folder removed or made read-only while simulating
        raise PlotUnavailable(f"--plot {path}: cannot write it ({exc.strerror or exc})") from exc
    finally:
        plt.close(fig)

#!/usr/bin/env python3
"""Plot one p2psim run: peers completed over time, and server / peer upload rates.

Usage: python3 plots-scripts/plot_run.py results/quickstart [more result folders...] [-o run.png]

Reads timeseries.csv and summary.json from each folder; several folders go on the same axes, so
`p2psim run` of two scenarios that differ in one setting can be compared at a glance.
Needs matplotlib (pip install matplotlib).
"""
import argparse
import csv
import json
import os
import sys


def read_run(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(folder, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    return summary, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="result folders written by p2psim run")
    parser.add_argument("-o", "--output", default="run.png", help="PNG file to write (default run.png)")
    args = parser.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot_run.py needs matplotlib: pip install matplotlib")

    runs = [read_run(folder) for folder in args.folders]
    span = max(float(rows[-1]["time_s"]) for _, rows in runs if rows)
    unit, scale = ("h", 3600) if span > 7200 else ("min", 60) if span > 120 else ("s", 1)
    fig, (done_ax, rate_ax) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for summary, rows in runs:
        label = f"{summary['name']} ({summary['mode']})"
        hours = [float(r["time_s"]) / scale for r in rows]
        done_ax.plot(hours, [int(r["completed"]) for r in rows], label=label)
        rate_ax.plot(hours, [float(r["server_upload_bps"]) / 1e6 for r in rows], label=f"{label}: server")
        rate_ax.plot(hours, [float(r["aggregate_upload_bps"]) / 1e6 for r in rows], "--", label=f"{label}: peers")
        if summary.get("lower_bound_s"):
            done_ax.axvline(summary["lower_bound_s"] / scale, linestyle=":", color="gray")
    done_ax.set_ylabel("peers completed")
    done_ax.set_title("Distribution of one file (dotted: lower bound)")
    done_ax.legend()
    rate_ax.set_ylabel("upload (Mbps)")
    rate_ax.set_xlabel(f"simulated time ({unit})")
    rate_ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

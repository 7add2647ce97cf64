#!/usr/bin/env python3
"""Simulated against real completion times of the same swarm (the simulator's calibration).

Usage: python3 plots-scripts/sim_vs_real.py SIM_DIR REAL_DIR [-o sim_vs_real.png]

SIM_DIR is `p2psim run` output, REAL_DIR is plots-scripts/run_real_swarm.py output for the same scenario.
Peers are matched by class and completion rank (peer numbers are not comparable: who draws which
pieces differs). Prints, per class and overall, the mean completion time of each and the relative error
(sim - real) / real, and the distribution times; plots the completion times of both side by side.
Needs matplotlib for the plot (pip install matplotlib); without it only the numbers are printed.
"""
import argparse
import csv
import json
import os
import sys


def load(folder):
    with open(os.path.join(folder, "peers.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    by_class = {}
    for r in rows:
        if r["completion_s"]:
            by_class.setdefault(r["class"], []).append(float(r["completion_s"]) - float(r["arrival_s"]))
    return {c: sorted(v) for c, v in by_class.items()}, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sim")
    ap.add_argument("real")
    ap.add_argument("-o", "--output", default="sim_vs_real.png")
    args = ap.parse_args()
    sim, sim_summary = load(args.sim)
    real, real_summary = load(args.real)
    if sorted(sim) != sorted(real) or any(len(sim[c]) != len(real[c]) for c in sim):
        sys.exit("sim_vs_real: the two runs do not have the same classes and peer counts")
    print(f"{'class':<10} {'peers':>5} {'sim mean s':>11} {'real mean s':>12} {'error':>8} {'max |error|':>12}")
    all_sim, all_real = [], []
    for c in sorted(sim):
        s, r = sim[c], real[c]
        all_sim += s
        all_real += r
        mean_s, mean_r = sum(s) / len(s), sum(r) / len(r)
        worst = max(abs(a - b) / b for a, b in zip(s, r))
        print(f"{c:<10} {len(s):>5} {mean_s:>11.2f} {mean_r:>12.2f} {(mean_s - mean_r) / mean_r:>+8.1%} {worst:>12.1%}")
    mean_s, mean_r = sum(all_sim) / len(all_sim), sum(all_real) / len(all_real)
    print(f"{'all':<10} {len(all_sim):>5} {mean_s:>11.2f} {mean_r:>12.2f} {(mean_s - mean_r) / mean_r:>+8.1%}")
    d_s, d_r = sim_summary["distribution_time_s"], real_summary["distribution_time_s"]
    print(f"distribution time: sim {d_s:.2f} s, real {d_r:.2f} s, error {(d_s - d_r) / d_r:+.1%}"
          + (f"; D_p2p {sim_summary['lower_bound_s']:.2f} s" if "lower_bound_s" in sim_summary else ""))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = 0
    ticks, labels = [], []
    for c in sorted(sim):
        n = len(sim[c])
        xs = list(range(x, x + n))
        ax.bar([v - 0.2 for v in xs], sim[c], width=0.4, color="tab:blue", label="simulated" if x == 0 else None)
        ax.bar([v + 0.2 for v in xs], real[c], width=0.4, color="tab:orange", label="real p2pclient" if x == 0 else None)
        ticks.append(x + (n - 1) / 2)
        labels.append(f"{c} ({n})")
        x += n + 1
    if "lower_bound_s" in sim_summary:
        ax.axhline(sim_summary["lower_bound_s"], color="gray", linestyle="--", linewidth=1, label="D_p2p")
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels)
    ax.set_ylabel("download time (s), peers sorted within a class")
    ax.set_title(f"{sim_summary.get('name', '')}: simulated vs real completion times")
    ax.legend(loc="lower right", framealpha=0.95)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

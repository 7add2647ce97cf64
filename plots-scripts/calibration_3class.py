#!/usr/bin/env python3
"""Three-class calibration: simulated against real swarms of the same scenario, per class and per pair.

Usage: python3 plots-scripts/calibration_3class.py --pair SIM_DIR REAL_DIR [--pair SIM_DIR REAL_DIR ...]
                                                   [-o calibration.png]

Each SIM_DIR is `p2psim run` output and each REAL_DIR plots-scripts/run_real_swarm.py output for one
scenario (e.g. scenarios/legout-3class.json, three seeds). Prints, for every pair and class, the median
download time of each and the error (sim - real) / real; then, from both runs' exchange.csv, each class's
upload split by receiving class, and its clustering: the share it sends to its own class against the
share random mixing would give, (n_c - 1) / (N - 1) of what leechers send to leechers. Plots the medians
(left) and the exchange shares averaged over the pairs (right). Needs matplotlib for the plot only.
"""
import argparse
import csv
import json
import os
import statistics
import sys


def load(folder):
    with open(os.path.join(folder, "peers.csv")) as f:
        rows = list(csv.DictReader(f))
    times, counts = {}, {}
    for r in rows:
        counts[r["class"]] = counts.get(r["class"], 0) + 1
        if r["completion_s"]:
            times.setdefault(r["class"], []).append(float(r["completion_s"]) - float(r["arrival_s"]))
    exchange = {}
    with open(os.path.join(folder, "exchange.csv")) as f:
        for r in csv.DictReader(f):
            exchange[(r["from_class"], r["to_class"])] = exchange.get((r["from_class"], r["to_class"]), 0) + int(r["bytes"])
    return times, counts, exchange


def shares(exchange, classes):
    """Per sending class (the server too), the fraction of its upload to leechers that each class received."""
    out = {}
    for source in ["server"] + classes:
        total = sum(exchange.get((source, c), 0) for c in classes)
        out[source] = {c: (exchange.get((source, c), 0) / total if total else 0.0) for c in classes}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pair", nargs=2, action="append", metavar=("SIM_DIR", "REAL_DIR"), required=True)
    ap.add_argument("-o", "--output", default="calibration.png")
    args = ap.parse_args()
    runs = [(load(s), load(r)) for s, r in args.pair]
    (_, counts, _), _ = runs[0]
    classes = list(counts)  # in the order of peers.csv: the scenario's
    for (st, sc, _), (rt, rc, _) in runs:
        if sc != counts or rc != counts:
            sys.exit("calibration_3class: the runs do not have the same classes and peer counts")
        for c in classes:
            if len(st.get(c, [])) != counts[c] or len(rt.get(c, [])) != counts[c]:
                sys.exit(f"calibration_3class: class {c} did not complete in every run")
    n = sum(counts.values())

    print("median download time per class (s)")
    print(f"{'pair':<5} " + " ".join(f"{c + ' sim':>11} {c + ' real':>11} {'error':>7}" for c in classes))
    errors = {c: [] for c in classes}
    medians = {c: ([], []) for c in classes}
    for k, ((st, _, _), (rt, _, _)) in enumerate(runs, 1):
        cells = []
        for c in classes:
            ms, mr = statistics.median(st[c]), statistics.median(rt[c])
            errors[c].append((ms - mr) / mr)
            medians[c][0].append(ms)
            medians[c][1].append(mr)
            cells.append(f"{ms:>11.1f} {mr:>11.1f} {(ms - mr) / mr:>+7.1%}")
        print(f"{k:<5} " + " ".join(cells))
    print("worst |error| per class: " + ", ".join(f"{c} {max(abs(e) for e in errors[c]):.1%}" for c in classes))

    mixing = {c: (counts[c] - 1) / (n - 1) for c in classes}
    mean_shares = {}
    for label, which in (("sim", 0), ("real", 1)):
        per_pair = [shares(run[which][2], classes) for run in runs]
        mean_shares[label] = {s: {c: statistics.mean(p[s][c] for p in per_pair) for c in classes}
                              for s in ["server"] + classes}
        print(f"\n{label}: share of each class's upload to leechers, by receiving class (mean of {len(runs)} runs)")
        print(f"{'from':<8} " + " ".join(f"{c:>8}" for c in classes) + f" {'own':>7} {'random':>7}")
        for s in ["server"] + classes:
            row = " ".join(f"{mean_shares[label][s][c]:>8.1%}" for c in classes)
            own = f"{mean_shares[label][s][s]:>7.1%} {mixing[s]:>7.1%}" if s in classes else ""
            print(f"{s:<8} {row} {own}")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), gridspec_kw={"width_ratios": [1.2, 1, 1]})
    ax = axes[0]
    for i, c in enumerate(classes):
        sim, real = medians[c]
        ax.scatter([i - 0.12] * len(sim), sim, color="tab:blue", marker="o", label="simulated" if i == 0 else None)
        ax.scatter([i + 0.12] * len(real), real, color="tab:orange", marker="s", label="real p2pclient" if i == 0 else None)
    bound = os.path.join(args.pair[0][0], "summary.json")
    with open(bound) as f:
        lower = json.load(f).get("lower_bound_s")
    if lower:
        ax.axhline(lower, color="gray", linestyle="--", linewidth=1, label="D_p2p")
    ax.set_xticks(range(len(classes)))
    ax.set_xticklabels([f"{c} ({counts[c]})" for c in classes])
    ax.set_ylabel("median download time of the class (s)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"per-class medians, {len(runs)} pair{'s' if len(runs) != 1 else ''} of runs")
    ax.legend(loc="lower right")
    senders = ["server"] + classes
    for ax, label in zip(axes[1:], ("sim", "real")):
        grid = [[mean_shares[label][s][c] * 100 for c in classes] for s in senders]
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=100, aspect="auto")
        for r, s in enumerate(senders):
            for k, c in enumerate(classes):
                ax.text(k, r, f"{grid[r][k]:.0f} %", ha="center", va="center",
                        color="white" if grid[r][k] > 55 else "black")
        ax.set_xticks(range(len(classes)))
        ax.set_xticklabels(classes)
        ax.set_yticks(range(len(senders)))
        ax.set_yticklabels(senders)
        ax.set_xlabel("receiving class")
        ax.set_ylabel("sending class")
        ax.set_title(("simulated" if label == "sim" else "real") + ": % of upload to leechers")
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

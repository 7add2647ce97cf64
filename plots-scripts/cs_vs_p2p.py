#!/usr/bin/env python3
"""Client-server against P2P distribution time as the number of peers grows (the textbook figure).

Usage: python3 plots-scripts/cs_vs_p2p.py [--peers 10,20,50,100,200] [--p2psim .build/release/p2psim]
                                          [-o cs_vs_p2p.png] [--csv cs_vs_p2p.csv]

For each N it writes two scenarios that differ only in "mode" (Kurose & Ross's setting: F/u = 1 hour
for a peer's upload u, server upload u_s = 10u, downloads 10u), runs p2psim on both, and plots the
simulated distribution times with the bounds D_cs = N·F/u_s and D_p2p = max(F/u_s, N·F/(u_s + N·u)).
The CSV holds every number plotted. Needs matplotlib for the plot (pip install matplotlib); without it,
only the CSV is written.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile


def scenario(mode, n):
    # u = 1 Mbps and F = 450 MB make F/u = 1 hour.
    s = {
        "name": f"{mode}-{n}", "seed": 1, "mode": mode,
        "file": {"size": "450 MB", "piece_size": "256 KiB"},
        "server": {"upload": "10 Mbps"},
        "peers": [{"class": "peer", "count": n, "upload": "1 Mbps", "download": "10 Mbps",
                   "arrival": {"process": "flash-crowd"}}],
        "network": {"latency": {"distribution": "uniform", "min": "10 ms", "max": "50 ms"}},
        "stop_at": "30 d",
        "output": {"timeseries_interval": "1 min"},
    }
    if mode == "p2p":
        s["peers"][0]["seed_for"] = "forever"
    return s


def run(binary, mode, n, workdir):
    path = os.path.join(workdir, f"{mode}-{n}.json")
    with open(path, "w") as f:
        json.dump(scenario(mode, n), f)
    out = os.path.join(workdir, f"out-{mode}-{n}")
    subprocess.run([binary, "run", path, "--out", out, "--quiet", "--force"], check=True)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default="10,20,50,100,200", help="comma-separated peer counts")
    parser.add_argument("--p2psim", default=".build/release/p2psim", help="the p2psim binary")
    parser.add_argument("-o", "--output", default="cs_vs_p2p.png")
    parser.add_argument("--csv", default="cs_vs_p2p.csv")
    args = parser.parse_args()
    if not os.path.exists(args.p2psim):
        sys.exit(f"{args.p2psim} not found: build it with `swift build -c release`, or pass --p2psim")
    counts = [int(x) for x in args.peers.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for n in counts:
            cs, p2p = run(args.p2psim, "client-server", n, work), run(args.p2psim, "p2p", n, work)
            rows.append({
                "peers": n,
                "client_server_h": cs["distribution_time_s"] / 3600,
                "p2p_h": p2p["distribution_time_s"] / 3600,
                "d_cs_h": cs["lower_bound_s"] / 3600,
                "d_p2p_h": p2p["lower_bound_s"] / 3600,
            })
            print(f"N={n}: client-server {rows[-1]['client_server_h']:.2f} h (D_cs {rows[-1]['d_cs_h']:.2f} h), "
                  f"p2p {rows[-1]['p2p_h']:.2f} h (D_p2p {rows[-1]['d_p2p_h']:.2f} h)", file=sys.stderr)
    with open(args.csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {args.csv}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)")
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    ns = [r["peers"] for r in rows]
    ax.plot(ns, [r["client_server_h"] for r in rows], "o-", label="client-server (simulated)")
    ax.plot(ns, [r["d_cs_h"] for r in rows], ":", label="D_cs bound")
    ax.plot(ns, [r["p2p_h"] for r in rows], "s-", label="P2P swarm (simulated)")
    ax.plot(ns, [r["d_p2p_h"] for r in rows], ":", label="D_p2p bound")
    ax.set_xlabel("peers N")
    ax.set_ylabel("distribution time (hours)")
    ax.set_title("F/u = 1 hour, u_s = 10u, d = 10u")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

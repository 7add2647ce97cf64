#!/usr/bin/env python3
"""P2P against client-server on the quickstart's crowd, N = 2 ... 300: is the swarm ever slower?

Usage:
  python3 plots-scripts/p2p_vs_cs_quickstart.py [--p2psim .build/release/p2psim] [--peers 2,3,...]
                                                [--csv docs/data/p2p-vs-cs-quickstart.csv]
                                                [-o docs/img/p2p-vs-cs-quickstart.png] [--jobs 2]
  python3 plots-scripts/p2p_vs_cs_quickstart.py --plot-only     # the figure from the committed CSV

For each N it runs scenarios/quickstart.json (a 100 Mbps seed, peers at 2 Mbps up and 20 Mbps down,
latency uniform 10-80 ms, 50 MiB, protocol defaults) with N peers, once as a swarm (peers stay) and once
client-server (scenarios/quickstart-cs.json), and records both distribution times, their bounds and
the swarm's upload accounting. The figure shows the two times against N (log axes) and the ratio
P2P / client-server, with the 2 % line the model is held to (docs/model.md). The CSV holds every
number plotted; the figure needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PEERS = [2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 50, 100, 200, 300]
FIELDS = ["peers", "p2p_s", "client_server_s", "ratio", "d_p2p_s", "d_cs_s",
          "origin_sent", "origin_download_capped", "origin_requests_starved",
          "peers_sent", "peers_no_partner_interested", "peers_requests_starved"]


def run_one(binary, base, n, mode, work):
    scenario = json.loads(json.dumps(base))
    scenario["name"] = f"{mode}-{n}"
    scenario["peers"][0]["count"] = n
    path = os.path.join(work, f"{mode}-{n}.json")
    with open(path, "w") as f:
        json.dump(scenario, f)
    out = os.path.join(work, f"out-{mode}-{n}")
    subprocess.run([binary, "run", path, "--out", out, "--quiet", "--force"], check=True)
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def measure(binary, n, work):
    with open(os.path.join(ROOT, "scenarios", "quickstart.json")) as f:
        p2p_base = json.load(f)
    with open(os.path.join(ROOT, "scenarios", "quickstart-cs.json")) as f:
        cs_base = json.load(f)
    p2p = run_one(binary, p2p_base, n, "p2p", work)
    cs = run_one(binary, cs_base, n, "cs", work)
    origin = p2p["upload_accounting"]["origin seed"]
    peers = p2p["upload_accounting"]["home"]
    return {
        "peers": n,
        "p2p_s": round(p2p["distribution_time_s"], 4),
        "client_server_s": round(cs["distribution_time_s"], 4),
        "ratio": round(p2p["distribution_time_s"] / cs["distribution_time_s"], 4),
        "d_p2p_s": round(p2p["lower_bound_s"], 4),
        "d_cs_s": round(cs["lower_bound_s"], 4),
        "origin_sent": origin["sent"], "origin_download_capped": origin["download_capped"],
        "origin_requests_starved": origin["requests_starved"],
        "peers_sent": peers["sent"], "peers_no_partner_interested": peers["no_partner_interested"],
        "peers_requests_starved": peers["requests_starved"],
    }


def sweep(args):
    if not os.path.exists(args.p2psim):
        sys.exit(f"{args.p2psim} not found: build it with `swift build -c release`, or pass --p2psim")
    counts = [int(x) for x in args.peers.split(",")] if args.peers else DEFAULT_PEERS
    rows = {}
    with tempfile.TemporaryDirectory() as work, concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(measure, args.p2psim, n, work): n for n in counts}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            row = future.result()
            rows[row["peers"]] = row
            print(f"[{done}/{len(counts)}] N={row['peers']}: p2p {row['p2p_s']:.2f} s, "
                  f"client-server {row['client_server_s']:.2f} s, ratio {row['ratio']:.3f}", file=sys.stderr)
    ordered = [rows[n] for n in sorted(rows)]
    os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
    temporary = args.csv + ".tmp"
    with open(temporary, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(ordered)
    os.replace(temporary, args.csv)
    print(f"wrote {args.csv}; worst ratio {max(r['ratio'] for r in ordered):.4f}")


def plot(args):
    with open(args.csv) as f:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("matplotlib not installed (Debian: apt-get install python3-matplotlib)")
    ns = [r["peers"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    top.plot(ns, [r["client_server_s"] for r in rows], "o-", label="client-server (simulated)")
    top.plot(ns, [r["d_cs_s"] for r in rows], ":", color="C0", label="D_cs bound")
    top.plot(ns, [r["p2p_s"] for r in rows], "s-", color="C1", label="P2P swarm (simulated)")
    top.plot(ns, [r["d_p2p_s"] for r in rows], ":", color="C1", label="D_p2p bound")
    top.set_xscale("log")
    top.set_yscale("log")
    top.set_ylabel("distribution time (s)")
    top.set_title("quickstart crowd: 100 Mbps seed, peers 2 Mbps up / 20 Mbps down, 50 MiB")
    top.legend()
    bottom.plot(ns, [r["ratio"] for r in rows], "s-", color="C1", label="P2P / client-server")
    bottom.axhline(1.02, color="red", linestyle="--", label="+2 %: the model's limit")
    bottom.axhline(1.0, color="grey", linewidth=0.8)
    bottom.set_xlabel("peers N (log scale)")
    bottom.set_ylabel("time ratio (P2P / client-server)")
    bottom.legend()
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"wrote {args.output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--p2psim", default=os.path.join(ROOT, ".build/release/p2psim"))
    parser.add_argument("--peers", help="comma-separated peer counts (default: 2 ... 300)")
    parser.add_argument("--csv", default=os.path.join(ROOT, "docs/data/p2p-vs-cs-quickstart.csv"))
    parser.add_argument("-o", "--output", default=os.path.join(ROOT, "docs/img/p2p-vs-cs-quickstart.png"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--plot-only", action="store_true", help="only redraw the figure from the CSV")
    args = parser.parse_args()
    if not args.plot_only:
        sweep(args)
    plot(args)


if __name__ == "__main__":
    main()

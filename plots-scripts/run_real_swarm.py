#!/usr/bin/env python3
"""Runs a p2p scenario as a real swarm of p2pclient processes on 127.0.0.1 and writes the simulator's
peers.csv columns, so the two can be compared (plots-scripts/sim_vs_real.py).

Usage: python3 plots-scripts/run_real_swarm.py scenarios/loopback-12.json --out results/loopback-12-real
                                               [--p2pclient .build/release/p2pclient] [--timeout 600]

The server becomes `p2pclient seed` with --upload-limit = server.upload; each peer becomes `p2pclient get`
with --upload-limit / --download-limit = its class's capacities, launched at its arrival time, and stays
to seed until every peer is complete. Debian's opentracker (apt-get install opentracker) is the tracker.
Completion and first-piece times are the clients' own measurements plus their launch time; every
download is checked by SHA-256. exchange.csv, as the simulator's, counts the bytes each class received
from each, from the clients' own per-peer counts (--verbose). Results go to a temporary folder that is
renamed to --out at the end.

Supported scenario features: mode "p2p", constant capacities, flash-crowd arrivals, seed_for "forever".
Anything else is refused with the JSON path, since the real swarm could not match it.
"""
import argparse
import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

RATE = {"bps": 1 / 8, "kbps": 1e3 / 8, "Mbps": 1e6 / 8, "Gbps": 1e9 / 8,
        "B/s": 1, "kB/s": 1e3, "MB/s": 1e6, "KiB/s": 1024, "MiB/s": 1024 ** 2}
SIZE = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
TIME = {"us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600}


def refuse(path, value, expected):
    sys.exit(f"run_real_swarm: {path}: {json.dumps(value)} cannot be run for real ({expected})")


def quantity(value, units, path):
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z/]+)\s*", value) if isinstance(value, str) else None
    if not m or m.group(2) not in units:
        refuse(path, value, "expected a plain value such as " + ", ".join(f"'1 {u}'" for u in list(units)[:3]))
    return float(m.group(1)) * units[m.group(2)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plan(scenario):
    if scenario.get("mode") != "p2p":
        refuse("mode", scenario.get("mode"), "expected \"p2p\"")
    size = int(quantity(scenario["file"]["size"], SIZE, "file.size"))
    piece = int(quantity(scenario["file"].get("piece_size", "256 KiB"), SIZE, "file.piece_size"))
    server_up = quantity(scenario["server"]["upload"], RATE, "server.upload")
    peers = []
    for i, cls in enumerate(scenario["peers"]):
        where = f"peers[{i}]"
        arrival = cls.get("arrival", {"process": "flash-crowd"})
        if arrival.get("process") != "flash-crowd":
            refuse(f"{where}.arrival.process", arrival.get("process"), "expected flash-crowd")
        if cls.get("seed_for") != "forever":
            refuse(f"{where}.seed_for", cls.get("seed_for"), "expected \"forever\"")
        if cls.get("behaviour", "cooperative") != "cooperative":
            refuse(f"{where}.behaviour", cls.get("behaviour"), "expected cooperative")
        at = quantity(arrival.get("at", "0 s"), TIME, f"{where}.arrival.at")
        up = quantity(cls["upload"], RATE, f"{where}.upload")
        down = quantity(cls["download"], RATE, f"{where}.download")
        for _ in range(cls.get("count", 1)):
            peers.append({"class": cls["class"], "up": up, "down": down, "at": at})
    return size, piece, server_up, peers


def exchange_matrix(work, peers):
    """Bytes by (sender's class, receiver's class), as the simulator's exchange.csv: each client logs its
    peer id and, at exit, what it received from each peer id (--verbose); the receiver's count is what
    arrived. The server's class is "server"."""
    names = {"server": "server"}
    names.update({f"peer{i}": p["class"] for i, p in enumerate(peers)})
    ids, received = {}, {}
    for name in names:
        with open(os.path.join(work, name + ".log")) as f:
            text = f.read()
        m = re.search(r"p2pclient: peer id ([0-9a-f]{40})", text)
        if not m:
            sys.exit(f"run_real_swarm: {name} did not log its peer id; logs in {work}")
        ids[m.group(1)] = names[name]
        received[name] = re.findall(r"exchanged with peer ([0-9a-f]{40}): received (\d+) bytes", text)
    matrix = {}
    for name, rows in received.items():
        for peer_id, count in rows:
            if peer_id not in ids:
                sys.exit(f"run_real_swarm: {name} exchanged with an unknown peer {peer_id}; logs in {work}")
            key = (ids[peer_id], names[name])
            matrix[key] = matrix.get(key, 0) + int(count)
    return matrix


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--out", required=True)
    ap.add_argument("--p2pclient", default=".build/release/p2pclient")
    ap.add_argument("--opentracker", default="/usr/bin/opentracker")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = ap.parse_args()
    with open(args.scenario) as f:
        scenario = json.load(f)
    size, piece, server_up, peers = plan(scenario)
    if os.path.exists(args.out) and not args.force:
        sys.exit(f"run_real_swarm: {args.out} exists (use --force to replace it)")
    for tool in (args.p2pclient, args.opentracker):
        if not os.access(tool, os.X_OK):
            sys.exit(f"run_real_swarm: {tool} is not an executable (build with swift build -c release; "
                     "apt-get install opentracker)")
    client = os.path.abspath(args.p2pclient)
    work = tempfile.mkdtemp(prefix="real-swarm-")
    os.chmod(work, 0o755)  # opentracker reads its whitelist after dropping root
    procs = []
    finished = False
    try:
        os.makedirs(os.path.join(work, "seed"))
        data = random.Random(scenario.get("seed", 1)).randbytes(size)
        payload = os.path.join(work, "seed", "payload.bin")
        with open(payload, "wb") as f:
            f.write(data)
        original = hashlib.sha256(data).hexdigest()
        port = free_port()
        torrent = os.path.join(work, "payload.torrent")
        made = subprocess.run([client, "create", payload, "--tracker", f"http://127.0.0.1:{port}/announce",
                               "--piece-size", f"{piece // 1024}KiB", "-o", torrent],
                              capture_output=True, text=True, check=True)
        info_hash = made.stdout.strip().split("info-hash ")[-1]
        with open(os.path.join(work, "whitelist"), "w") as f:
            f.write(info_hash + "\n")

        def start(name, argv):
            log = open(os.path.join(work, name + ".log"), "w")
            p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=work)
            procs.append((name, p))
            return p

        start("opentracker", [args.opentracker, "-i", "127.0.0.1", "-p", str(port), "-P", str(port),
                              "-d", work, "-w", "whitelist"])
        time.sleep(0.3)
        common = ["--port", "0", "--bind", "127.0.0.1", "--verbose"]
        start("server", [client, "seed", torrent, "--data", "seed", "--upload-limit", f"{server_up:.0f}"] + common)
        t0 = time.monotonic()
        launched = [None] * len(peers)
        done = {}
        order = sorted(range(len(peers)), key=lambda i: peers[i]["at"])
        pattern = re.compile(r"complete and verified, \d+ bytes in ([0-9.]+) s \(first piece after ([0-9.]+) s\)")
        while len(done) < len(peers):
            now = time.monotonic() - t0
            if now > args.timeout:
                sys.exit(f"run_real_swarm: {len(peers) - len(done)} peers not complete after {args.timeout:.0f} s; "
                         f"logs in {work}")
            for i in order:
                if launched[i] is None and peers[i]["at"] <= now:
                    launched[i] = time.monotonic() - t0
                    p = peers[i]
                    start(f"peer{i}", [client, "get", torrent, "-o", f"peer{i}", "--seed-for", "100000",
                                       "--upload-limit", f"{p['up']:.0f}", "--download-limit", f"{p['down']:.0f}"]
                          + common)
            for i in range(len(peers)):
                if launched[i] is not None and i not in done:
                    with open(os.path.join(work, f"peer{i}.log")) as f:
                        m = pattern.search(f.read())
                    if m:
                        done[i] = (launched[i] + float(m.group(1)), launched[i] + float(m.group(2)))
            for name, p in procs:
                if p.poll() is not None and name != "opentracker":
                    sys.exit(f"run_real_swarm: {name} exited early with status {p.returncode}; logs in {work}")
            if sys.stderr.isatty():
                print(f"\rreal swarm: {len(done)}/{len(peers)} complete, {now:5.1f} s", end="", file=sys.stderr)
            time.sleep(0.2)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        for name, p in procs:
            p.send_signal(signal.SIGINT)
        totals = {}
        for name, p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
            if name.startswith("peer"):
                with open(os.path.join(work, name + ".log")) as f:
                    m = re.findall(r"downloaded (\d+) bytes, uploaded (\d+) bytes", f.read())
                totals[int(name[4:])] = m[-1] if m else ("", "")
        exchange = exchange_matrix(work, peers)
        for i in range(len(peers)):
            with open(os.path.join(work, f"peer{i}", "payload.bin"), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != original:
                    sys.exit(f"run_real_swarm: peer {i}'s download does not match the original")
        staging = tempfile.mkdtemp(prefix=".real-swarm-", dir=os.path.dirname(os.path.abspath(args.out)) or ".")
        with open(os.path.join(staging, "peers.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["peer", "class", "behaviour", "upload_bps", "download_bps", "arrival_s", "first_piece_s",
                        "completion_s", "departure_s", "uploaded_bytes", "downloaded_bytes"])
            for i, p in enumerate(peers):
                completion, first = done[i]
                w.writerow([i, p["class"], "cooperative", int(p["up"] * 8), int(p["down"] * 8), f"{launched[i]:.6f}",
                            f"{first:.6f}", f"{completion:.6f}", "", totals[i][1], totals[i][0]])
        with open(os.path.join(staging, "exchange.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["from_class", "to_class", "bytes"])
            for (source, target), count in sorted(exchange.items()):
                w.writerow([source, target, count])
        summary = {"name": scenario.get("name", ""), "mode": "p2p-real", "peers": len(peers), "file_bytes": size,
                   "distribution_time_s": round(max(c for c, _ in done.values()), 6)}
        with open(os.path.join(staging, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
        if os.path.exists(args.out):
            shutil.rmtree(args.out)
        os.rename(staging, args.out)
        print(f"{args.out}: {len(peers)} peers complete and verified; distribution time "
              f"{summary['distribution_time_s']:.2f} s")
        finished = True
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
        if finished:  # on failure the logs stay for reading
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

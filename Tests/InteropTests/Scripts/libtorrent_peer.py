#!/usr/bin/python3
"""A libtorrent (python3-libtorrent) peer for p2pclient's interop tests, on 127.0.0.1 only.

usage: libtorrent_peer.py seed|get TORRENT DIR [--peer HOST:PORT ...] [--timeout SECONDS] [--upload-limit BYTES_PER_S]

seed: check the data in DIR and serve it until the timeout or SIGTERM.
get:  download into DIR; exit 0 once every piece is verified, 1 on timeout.
DHT, local peer discovery, UPnP, NAT-PMP and uTP are off; several connections from one IP are allowed
(every peer here is 127.0.0.1). Progress goes to stdout once a second.
"""
import signal
import sys
import time

import libtorrent as lt


def main(argv):
    mode, torrent, folder = argv[1], argv[2], argv[3]
    peers, timeout, upload_limit = [], 120.0, 0
    i = 4
    while i < len(argv):
        if argv[i] == "--peer":
            host, port = argv[i + 1].rsplit(":", 1)
            peers.append((host, int(port)))
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
        elif argv[i] == "--upload-limit":
            upload_limit = int(argv[i + 1])
        i += 2
    session = lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "allow_multiple_connections_per_ip": True,
        "user_agent": "interop-test",
        "upload_rate_limit": upload_limit,
        "alert_mask": lt.alert.category_t.error_notification | lt.alert.category_t.peer_notification,
    })
    handle = session.add_torrent({"ti": lt.torrent_info(torrent), "save_path": folder})
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    deadline = time.time() + timeout
    connected = False
    while time.time() < deadline and not stop:
        status = handle.status()
        if peers and not connected and status.state not in (lt.torrent_status.checking_files,
                                                             lt.torrent_status.checking_resume_data):
            for peer in peers:
                handle.connect_peer(peer)
            connected = True
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                print("alert:", alert.message(), flush=True)
        print("%s %s %.1f%% peers %d down %d up %d port %d" % (
            mode, status.state, status.progress * 100, status.num_peers, status.download_rate,
            status.upload_rate, session.listen_port()), flush=True)
        if mode == "get" and status.is_seeding:
            print("complete", flush=True)
            return 0
        time.sleep(1)
    return 0 if mode == "seed" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

/// An endpoint as people and other tools write it: "127.0.0.1:52716", and for IPv6 "[::1]:52716", in
/// brackets so that the address's own colons do not run into the port's (RFC 3986's form, which
/// `--peer` and tracker URLs use too). Every peer address p2pclient prints goes through here, whether it
/// came from a tracker or connected to us, so the same peer always reads the same.
public func hostPort(_ host: String, _ port: Int) -> String {
    host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
}

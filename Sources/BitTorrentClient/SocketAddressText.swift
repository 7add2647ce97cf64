import NIOCore
import WireProtocol

extension SocketAddress {
    /// "127.0.0.1:52716" or "[::1]:52716" (`hostPort`), for the lines we print: SwiftNIO's own
    /// description, "[IPv4]127.0.0.1/127.0.0.1:52716", names the address twice and reads like neither
    /// form users type. A Unix-domain address has no port and keeps NIO's description.
    var hostPortText: String {
        guard let ip = ipAddress, let port else { return "\(self)" }
        return hostPort(ip, port)
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WireProtocol

/// Announces to an HTTP tracker. One call is one attempt; the caller retries with `Backoff`.
public struct TrackerClient: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreachable(String)
        case httpStatus(Int)
        case refused(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreachable(let why): return "tracker unreachable: \(why)"
            case .httpStatus(let code): return "tracker answered HTTP \(code)"
            case .refused(let reason): return "tracker refused: \(reason)"
            case .malformed(let why): return why
            }
        }
    }

    public let announceURL: String
    public let timeout: TimeInterval

    public init(announceURL: String, timeout: TimeInterval = 15) {
        self.announceURL = announceURL
        self.timeout = timeout
    }

    /// Sends one announce; returns the tracker's interval and peers.
    public func announce(_ request: AnnounceRequest) async throws(Failure) -> (interval: Int, peers: [AnnounceReply.PeerAddress]) {
        guard let url = URL(string: request.url(announce: announceURL)), url.scheme == "http" || url.scheme == "https" else {
            throw .unreachable("\(announceURL) is not an http URL")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.timeoutInterval = timeout
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: urlRequest)
        } catch {
            throw .unreachable(error.localizedDescription)
        }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 { throw .httpStatus(http.statusCode) }
        do {
            switch try AnnounceReply.parse(Array(data)) {
            case .failure(let reason): throw Failure.refused(reason)
            case .peers(let interval, let peers): return (interval, peers)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed("\(error)")
        }
    }
}

import SimulationEngine

/// Meter groups of the flow network, the same in both modes: the server's traffic and the peers'.
enum MeterGroup {
    static let server = 0
    static let peers = 1
    static let count = 2
}

/// Something that owns an event queue: a simulation, or a box around a local queue.
protocol EventQueueOwner: AnyObject {
    associatedtype Event
    var queue: EventQueue<Event> { get set }
}

/// A queue in a box, for simulations that keep their state in local variables.
final class QueueBox<Event>: EventQueueOwner {
    var queue = EventQueue<Event>()
}

/// The event loop both modes share: take events in (time, sequence) order and hand them to `handle`,
/// until `stopAt`, until `handle` asks to stop, until every peer has completed, or until nothing is left.
/// Calls `progress` every 65,536 events and once at the end, and `afterEvent` (tests' invariant checks)
/// after each event.
func runEvents<Owner: EventQueueOwner>(
    _ owner: Owner, stopAt: SimTime, peers: Int, completed: () -> Int,
    progress: ((SimulationProgress) -> Void)?, afterEvent: (() -> Void)?,
    handle: (Owner.Event) -> StopReason?
) -> StopReason {
    var reason = StopReason.nothingLeft
    while let due = owner.queue.nextTime {
        if due > stopAt {
            owner.queue.advance(to: stopAt)
            reason = .stopAt
            break
        }
        guard let (_, event) = owner.queue.next() else { break }
        if let stop = handle(event) {
            reason = stop
            break
        }
        afterEvent?()
        if completed() == peers {
            reason = .allCompleted
            break
        }
        if owner.queue.processed & 0xFFFF == 0 {
            progress?(SimulationProgress(now: owner.queue.now, completed: completed(), peers: peers,
                                         events: owner.queue.processed))
        }
    }
    progress?(SimulationProgress(now: owner.queue.now, completed: completed(), peers: peers,
                                 events: owner.queue.processed))
    return reason
}

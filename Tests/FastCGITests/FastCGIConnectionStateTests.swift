import Testing

@testable import FastCGI

/// Every transition of ``FastCGIConnectionState``, as plain values: each state, reached from a new connection by
/// the events that lead there, given each event.
@Suite struct FastCGIConnectionStateTests {
    typealias State = FastCGIConnectionState.State

    enum Event: Equatable, Sendable, CustomStringConvertible {
        case readable(peerClosed: Bool)
        case answered(connectionKept: Bool, stopping: Bool)
        case evict
        case close

        var description: String {
            switch self {
            case .readable(let peerClosed): "readable(peerClosed: \(peerClosed))"
            case .answered(let kept, let stopping): "answered(connectionKept: \(kept), stopping: \(stopping))"
            case .evict: "evict"
            case .close: "close"
            }
        }

        static let all: [Event] = [
            .readable(peerClosed: false), .readable(peerClosed: true),
            .answered(connectionKept: true, stopping: false), .answered(connectionKept: false, stopping: false),
            .answered(connectionKept: true, stopping: true), .answered(connectionKept: false, stopping: true),
            .evict, .close,
        ]
    }

    struct Transition: Sendable, CustomStringConvertible {
        var from: State
        var event: Event
        /// The action's case name.
        var action: String
        var to: State
        var description: String { "\(from) --\(event)--> \(action), \(to)" }
    }

    static let states: [State] = [
        .awaitingFirstRequest, .serving(evicted: false), .idle, .evicting, .serving(evicted: true), .closed,
    ]

    /// What the loop may meet; any other event in a state is ignored (``ignoredEventsChangeNothing(_:)``).
    static let transitions: [Transition] = [
        // A new connection: nginx's first request comes, or nginx hangs up first, or the loop closes it.
        Transition(
            from: .awaitingFirstRequest, event: .readable(peerClosed: false), action: "serve",
            to: .serving(evicted: false)),
        Transition(from: .awaitingFirstRequest, event: .readable(peerClosed: true), action: "close", to: .closed),
        Transition(from: .awaitingFirstRequest, event: .close, action: "close", to: .closed),
        // Answered: kept and watched, or closed because nginx did not keep it or the process stops.
        Transition(
            from: .serving(evicted: false), event: .answered(connectionKept: true, stopping: false),
            action: "watch", to: .idle),
        Transition(
            from: .serving(evicted: false), event: .answered(connectionKept: false, stopping: false),
            action: "close", to: .closed),
        Transition(
            from: .serving(evicted: false), event: .answered(connectionKept: true, stopping: true),
            action: "close", to: .closed),
        Transition(
            from: .serving(evicted: false), event: .answered(connectionKept: false, stopping: true),
            action: "close", to: .closed),
        Transition(from: .serving(evicted: false), event: .close, action: "close", to: .closed),
        // Idle: the next request, nginx's hang-up, an eviction, or the end of the loop.
        Transition(from: .idle, event: .readable(peerClosed: false), action: "serve", to: .serving(evicted: false)),
        Transition(from: .idle, event: .readable(peerClosed: true), action: "close", to: .closed),
        Transition(from: .idle, event: .evict, action: "shutDownReading", to: .evicting),
        Transition(from: .idle, event: .close, action: "close", to: .closed),
        // Evicted: a request sent before the shutdown is still answered, then the connection closes.
        Transition(from: .evicting, event: .readable(peerClosed: false), action: "serve", to: .serving(evicted: true)),
        Transition(from: .evicting, event: .readable(peerClosed: true), action: "close", to: .closed),
        Transition(from: .evicting, event: .close, action: "close", to: .closed),
        Transition(
            from: .serving(evicted: true), event: .answered(connectionKept: true, stopping: false),
            action: "close", to: .closed),
        Transition(
            from: .serving(evicted: true), event: .answered(connectionKept: false, stopping: false),
            action: "close", to: .closed),
        Transition(
            from: .serving(evicted: true), event: .answered(connectionKept: true, stopping: true),
            action: "close", to: .closed),
        Transition(
            from: .serving(evicted: true), event: .answered(connectionKept: false, stopping: true),
            action: "close", to: .closed),
        Transition(from: .serving(evicted: true), event: .close, action: "close", to: .closed),
    ]

    /// A connection in `state`, reached the way the loop reaches it.
    static func connection(in state: State) -> FastCGIConnectionState {
        var connection = FastCGIConnectionState()
        let path: [Event] =
            switch state {
            case .awaitingFirstRequest: []
            case .serving(evicted: false): [.readable(peerClosed: false)]
            case .idle: [.readable(peerClosed: false), .answered(connectionKept: true, stopping: false)]
            case .evicting: [.readable(peerClosed: false), .answered(connectionKept: true, stopping: false), .evict]
            case .serving(evicted: true):
                [
                    .readable(peerClosed: false), .answered(connectionKept: true, stopping: false), .evict,
                    .readable(peerClosed: false),
                ]
            case .closed: [.close]
            }
        for event in path { _ = apply(event, to: &connection) }
        return connection
    }

    /// Performs `event` and returns the action's case name.
    static func apply(_ event: Event, to connection: inout FastCGIConnectionState) -> String {
        switch event {
        case .readable(let peerClosed): "\(connection.readable(peerClosed: peerClosed))"
        case .answered(let kept, let stopping): "\(connection.answered(connectionKept: kept, stopping: stopping))"
        case .evict: "\(connection.evict())"
        case .close: "\(connection.close())"
        }
    }

    @Test func aNewConnectionAwaitsItsFirstRequest() {
        #expect(FastCGIConnectionState().state == .awaitingFirstRequest)
    }

    @Test(arguments: states) func eachStateIsReached(_ state: State) {
        #expect(Self.connection(in: state).state == state)
    }

    @Test(arguments: transitions) func transition(_ transition: Transition) {
        var connection = Self.connection(in: transition.from)
        let action = Self.apply(transition.event, to: &connection)
        #expect(action == transition.action)
        #expect(connection.state == transition.to)
    }

    /// Events the loop cannot meet in a state (a second worker woken for a connection being served, an eviction of
    /// one that is not idle, a close of one already closed) change nothing, so a bug never closes twice.
    @Test(arguments: states) func ignoredEventsChangeNothing(_ state: State) {
        for event in Event.all where !Self.transitions.contains(where: { $0.from == state && $0.event == event }) {
            var connection = Self.connection(in: state)
            #expect(Self.apply(event, to: &connection) == "ignore", "\(state) \(event)")
            #expect(connection.state == state, "\(state) \(event)")
        }
    }

    @Test func noTransitionIsListedTwice() {
        for (index, transition) in Self.transitions.enumerated() {
            #expect(!Self.transitions[..<index].contains { $0.from == transition.from && $0.event == transition.event })
        }
    }
}

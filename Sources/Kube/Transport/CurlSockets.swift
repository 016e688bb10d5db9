import CCurl
import CCurlShim
import CLinuxEvents
import Glibc

/// The loop thread's side of libcurl's socket interface (`curl_multi_socket_action`): an epoll
/// set holding the sockets libcurl asks to have watched, an eventfd that wakes the loop from
/// other threads, and libcurl's one timer.
///
/// Why not `curl_multi_perform` and `curl_multi_poll`: `perform` visits every transfer on every
/// turn of the loop, and libcurl 7.88 checks each one's socket with its own `poll(…, 0)` call;
/// the controller keeps about eight watches open, so each request and watch event cost about
/// eight extra system calls (150 per grant, BENCHMARKS.md, "Controller", fourteenth round).
/// `socket_action` runs only the transfers whose socket is ready, and tells libcurl which way.
///
/// `@unchecked Sendable` proof: `wake()` touches only the eventfd (immutable, and `write` to it
/// is thread-safe); everything else is called on the loop thread alone (libcurl calls the
/// callbacks on the thread that calls into the multi handle).
final class CurlSockets: @unchecked Sendable {
    private let epoll: Int32
    private let wakeup: Int32
    /// When libcurl wants `CURL_SOCKET_TIMEOUT` run (monotonic nanoseconds), nil: never.
    private var deadline: UInt64?
    private var events: UnsafeMutableBufferPointer<epoll_event>

    /// The longest wait without a timer: the loop turns at least once a second regardless.
    static let longestWaitMilliseconds: UInt64 = 1000

    init() {
        // Both fail only when the process is out of file descriptors or memory at start-up, where
        // no client can work.
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wakeup >= 0 else { fatalError("no epoll set or eventfd for the libcurl loop: \(errno)") }
        events = .allocate(capacity: 64)
        events.initialize(repeating: epoll_event())
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeup
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
    }

    deinit {
        close(epoll)
        close(wakeup)
        events.deallocate()
    }

    /// Makes libcurl report its sockets and timer here.
    func install(on multi: UnsafeMutableRawPointer) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ec_multi_setopt_socket_callback(multi, curlSocketCallback)
        _ = ec_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = ec_multi_setopt_timer_callback(multi, curlTimerCallback)
        _ = ec_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, context)
    }

    /// Wakes the loop thread from a wait (any thread).
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeup, &one, MemoryLayout<UInt64>.size)
    }

    /// Waits until a socket is ready, the timer is due or `wake()` is called, and runs libcurl
    /// for each ready socket and a due timer.
    func waitAndRun(_ multi: UnsafeMutableRawPointer) {
        let ready = epoll_wait(epoll, events.baseAddress, Int32(events.count), waitMilliseconds())
        var running: Int32 = 0
        for slot in 0..<Int(max(0, ready)) {
            let event = events[slot]
            let socket = event.data.fd
            if socket == wakeup {
                var count: UInt64 = 0
                _ = read(wakeup, &count, MemoryLayout<UInt64>.size)
                continue
            }
            curl_multi_socket_action(multi, socket, Self.selection(event.events), &running)
        }
        if let deadline, Self.now() >= deadline {
            self.deadline = nil
            curl_multi_socket_action(multi, CURL_SOCKET_BAD, 0, &running)  // CURL_SOCKET_TIMEOUT
        }
    }

    /// Until the timer is due, at most `longestWaitMilliseconds`; rounded up, so that the
    /// timer is due when the wait ends.
    private func waitMilliseconds() -> Int32 {
        guard let deadline else { return Int32(Self.longestWaitMilliseconds) }
        let now = Self.now()
        guard deadline > now else { return 0 }
        return Int32(min(Self.longestWaitMilliseconds, (deadline - now + 999_999) / 1_000_000))
    }

    /// libcurl's `CURL_CSELECT_*` bits for epoll's. A hang-up is reported as readable, so that
    /// libcurl reads the end of the stream (or its error) there.
    static func selection(_ events: UInt32) -> Int32 {
        var bits: Int32 = 0
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 { bits |= CURL_CSELECT_IN }
        if events & EPOLLOUT.rawValue != 0 { bits |= CURL_CSELECT_OUT }
        if events & EPOLLERR.rawValue != 0 { bits |= CURL_CSELECT_ERR }
        return bits
    }

    /// `CURLMOPT_SOCKETFUNCTION`: watch `socket` for `what` (`CURL_POLL_*`), or no more.
    fileprivate func watch(_ socket: Int32, _ what: Int32) {
        if what == CURL_POLL_REMOVE {
            // libcurl may have closed it already, which takes it out of the set by itself.
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nil)
            return
        }
        var event = epoll_event()
        if what & CURL_POLL_IN != 0 { event.events |= EPOLLIN.rawValue }
        if what & CURL_POLL_OUT != 0 { event.events |= EPOLLOUT.rawValue }
        event.data.fd = socket
        if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0 {
            _ = epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event)
        }
    }

    /// `CURLMOPT_TIMERFUNCTION`: run `CURL_SOCKET_TIMEOUT` in `milliseconds` (0: as soon as
    /// possible, which libcurl forbids from inside the callback), or never (-1).
    fileprivate func setTimer(_ milliseconds: Int) {
        deadline = milliseconds < 0 ? nil : Self.now() + UInt64(milliseconds) * 1_000_000
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

private func curlSocketCallback(
    _ easy: UnsafeMutableRawPointer?, _ socket: curl_socket_t, _ what: Int32, _ context: UnsafeMutableRawPointer?,
    _ socketContext: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context else { return 0 }
    Unmanaged<CurlSockets>.fromOpaque(context).takeUnretainedValue().watch(socket, what)
    return 0
}

private func curlTimerCallback(_ multi: UnsafeMutableRawPointer?, _ milliseconds: Int, _ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 0 }
    Unmanaged<CurlSockets>.fromOpaque(context).takeUnretainedValue().setTimer(milliseconds)
    return 0
}

import CCurl
import CCurlShim
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The one libcurl *multi* event loop that carries every request and every watch of a client.
///
/// Guarantees:
/// - One dedicated thread drives libcurl's socket interface (`CurlSockets`: epoll, and
///   `curl_multi_socket_action` for the ready sockets only); nothing here ever blocks a Swift
///   cooperative-pool thread. Callers `await` through continuations.
/// - HTTP/2 is negotiated over TLS when the server offers it, and requests to one server are
///   multiplexed on one connection; otherwise HTTP/1.1 connections are kept alive and reused.
/// - Cancelling the awaiting task (or dropping a stream) removes the transfer from the multi
///   handle, which closes its stream; no further bytes are read for it.
/// - An ended transfer's easy handle is reset and kept for the next one (up to `idleHandles`), as
///   libcurl advises: a new handle allocates its state and buffers, and freeing those again after
///   every request kept glibc consolidating its free lists on the loop thread.
///
/// Caveats: streamed bodies are buffered without bound if the consumer falls behind.
public final class CurlLoop: Sendable {
    private let state: LoopState
    private var multi: MultiHandle { state.multi }
    private let logger: Logger

    /// How many ended transfers' easy handles are kept for reuse: more than a client has requests
    /// in flight at once, in the usual case.
    static let idleHandles = 16

    /// Easy handles created so far (the rest of the transfers reused one).
    var handlesCreated: Int { state.handlesCreated.load(ordering: .relaxed) }

    /// Starts the loop thread. Call `shutdown()` when done; it ends every transfer.
    public init(logger: Logger = Logger(label: "kube.curl")) {
        CurlGlobal.ensureInitialized()
        self.state = LoopState()
        self.logger = logger
        let thread = Thread { [state] in
            Self.run(state)
        }
        thread.name = "kube-curl-loop"
        thread.start()
    }

    /// Performs `request` and returns the whole response. Throws `KubeError.transport` when no
    /// HTTP answer arrives, and `CancellationError` when the calling task is cancelled.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let box = TransferBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let transfer = CurlTransfer(request: request, sink: .buffered(continuation))
                box.transfer.withLock { $0 = transfer }
                if Task.isCancelled { transfer.cancelRequested.store(true, ordering: .relaxed) }
                enqueue(transfer)
            }
        } onCancel: {
            if let transfer = box.transfer.withLock({ $0 }) { cancel(transfer) }
        }
    }

    /// Starts `request` and streams its response: a `.head` part, then `.data` parts as they
    /// arrive. Ending the iteration early (or cancelling its task) stops the transfer.
    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamPart, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: HTTPStreamPart.self)
        let transfer = CurlTransfer(request: request, sink: .stream(continuation))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel(transfer) }
        }
        enqueue(transfer)
        return stream
    }

    /// Ends every transfer with a transport error and stops the thread.
    public func shutdown() {
        state.shared.withLock { $0.stopping = true }
        multi.wakeup()
    }

    private func enqueue(_ transfer: CurlTransfer) {
        let accepted = state.shared.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.pending.append(transfer)
            return true
        }
        if accepted {
            multi.wakeup()
        } else {
            transfer.fail(KubeError.transport("the client is shut down"))
        }
    }

    private func cancel(_ transfer: CurlTransfer) {
        transfer.cancelRequested.store(true, ordering: .relaxed)
        state.shared.withLock { $0.cancellations.append(transfer) }
        multi.wakeup()
    }

    deinit {
        shutdown()
    }

    // MARK: The loop thread

    private static func run(_ loop: LoopState) {
        let multi = loop.multi
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var idle: [UnsafeMutableRawPointer] = []
        func remove(_ transfer: CurlTransfer) {
            guard let easy = transfer.easy, active.removeValue(forKey: easy) != nil else { return }
            curl_multi_remove_handle(multi.handle, easy)
            // Balances the retain taken when the transfer became active.
            Unmanaged.passUnretained(transfer).release()
        }
        // After the transfer has ended and read what it needs of its handle (status, error text).
        func recycle(_ transfer: CurlTransfer) {
            guard let easy = transfer.takeHandle() else { return }
            if idle.count < idleHandles {
                // Back to libcurl's defaults: no option (a body, NOBODY, a timeout, pointers into the
                // ended transfer) carries over. Connections stay in the multi handle's cache.
                curl_easy_reset(easy)
                idle.append(easy)
            } else {
                curl_easy_cleanup(easy)
            }
        }
        while true {
            let (pending, cancellations, stopping) = loop.shared.withLock { state in
                defer {
                    state.pending = []
                    state.cancellations = []
                }
                return (state.pending, state.cancellations, state.stopping)
            }
            for transfer in pending {
                if transfer.cancelRequested.load(ordering: .relaxed) {
                    transfer.fail(CancellationError())
                    continue
                }
                // The multi handle's callbacks get an unretained pointer; `active` plus this retain
                // keep the transfer alive until it is removed.
                let context = Unmanaged.passRetained(transfer).toOpaque()
                let reused = idle.popLast()
                if reused == nil { loop.handlesCreated.add(1, ordering: .relaxed) }
                do {
                    try transfer.prepare(context: context, reusing: reused)
                } catch {
                    Unmanaged<CurlTransfer>.fromOpaque(context).release()
                    transfer.fail(error)
                    continue
                }
                guard let easy = transfer.easy, curl_multi_add_handle(multi.handle, easy) == CURLM_OK else {
                    Unmanaged<CurlTransfer>.fromOpaque(context).release()
                    transfer.fail(KubeError.transport("libcurl refused a new transfer"))
                    continue
                }
                active[easy] = transfer
            }
            for transfer in cancellations {
                guard let easy = transfer.easy, active[easy] != nil else { continue }
                remove(transfer)
                transfer.fail(CancellationError())
                recycle(transfer)
            }
            if stopping {
                for transfer in active.values {
                    remove(transfer)
                    transfer.fail(KubeError.transport("the client is shut down"))
                }
                // Transfers enqueued after the final drain are refused by `enqueue`.
                let late = loop.shared.withLock { state in
                    defer { state.pending = [] }
                    return state.pending
                }
                for transfer in late { transfer.fail(KubeError.transport("the client is shut down")) }
                for easy in idle { curl_easy_cleanup(easy) }
                return
            }
            multi.sockets.waitAndRun(multi.handle)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi.handle, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active[easy]
                else { continue }
                let code = message.pointee.data.result
                remove(transfer)
                transfer.complete(code: code)
                recycle(transfer)
            }
        }
    }
}

/// What the caller side and the loop thread share: the hand-over queues and the multi handle.
private final class LoopState: Sendable {
    struct Shared {
        var pending: [CurlTransfer] = []
        var cancellations: [CurlTransfer] = []
        var stopping = false
    }

    let shared = Mutex(Shared())
    let handlesCreated = Atomic(0)
    let multi = MultiHandle()
}

/// The transfer a cancellation handler needs to find; set once the continuation exists.
private final class TransferBox: Sendable {
    let transfer = Mutex<CurlTransfer?>(nil)
}

/// The libcurl multi handle, driven through its socket interface (see `CurlSockets`).
///
/// `@unchecked Sendable` proof: only the loop thread calls anything but `wakeup` on it, and
/// `CurlSockets.wake()` is safe to call from any thread.
final class MultiHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let sockets = CurlSockets()

    init() {
        // curl_multi_init only fails without memory; there is no way to continue then.
        guard let handle = curl_multi_init() else { fatalError("libcurl could not create a multi handle") }
        self.handle = handle
        _ = ec_multi_setopt_long(handle, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        sockets.install(on: handle)
    }

    func wakeup() { sockets.wake() }

    // Runs after the loop thread has returned (it holds a reference until then), when every easy
    // handle has been removed.
    deinit { curl_multi_cleanup(handle) }
}

/// `curl_global_init` must run once, before any thread uses libcurl.
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    static func ensureInitialized() { _ = initialized }
}

extension CurlLoop: Service {
    /// Runs as a `Service` of a `ServiceGroup`: the loop thread already runs; on graceful
    /// shutdown (or cancellation) it is stopped, after the services started later have stopped.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }
}

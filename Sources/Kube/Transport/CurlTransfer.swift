import CCurl
import CCurlShim
import Foundation
import Synchronization

/// One request on the libcurl loop: its easy handle, its buffers and whom to tell when it ends.
///
/// Thread-safety proof for `@unchecked Sendable`: a transfer is created by the caller and then
/// handed to the loop thread through the loop's mutex; from that moment only the loop thread
/// touches its mutable state (libcurl runs the callbacks on the thread that drives the multi
/// handle). The one field other threads use, `cancelRequested`, is an `Atomic`.
final class CurlTransfer: @unchecked Sendable {
    /// Who waits for the result.
    enum Sink {
        case buffered(CheckedContinuation<HTTPResponse, any Error>)
        case stream(AsyncThrowingStream<HTTPStreamPart, any Error>.Continuation)
    }

    let request: HTTPRequest
    let cancelRequested = Atomic<Bool>(false)
    private let sink: Sink
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectToList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    private var collector = HeaderCollector()
    private var body = Data()
    private var headSent = false
    private var finished = false

    init(request: HTTPRequest, sink: Sink) {
        self.request = request
        self.sink = sink
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        if let connectToList { curl_slist_free_all(connectToList) }
        if let easy { curl_easy_cleanup(easy) }
    }

    /// Configures `reusing` (a handle of an earlier transfer, reset to libcurl's defaults) or a new
    /// easy handle. Loop thread only.
    func prepare(context: UnsafeMutableRawPointer, reusing idle: UnsafeMutableRawPointer?) throws(KubeError) {
        guard let handle = idle ?? curl_easy_init() else { throw KubeError.transport("libcurl could not create a handle") }
        easy = handle
        var ok = true
        func set(_ option: CURLoption, _ value: Int) { ok = ok && ec_easy_setopt_long(handle, option, value) == CURLE_OK }
        func set(_ option: CURLoption, _ value: String) {
            // libcurl copies the string; a native `String` lends its own NUL-terminated bytes.
            ok = ok && value.withCString { ec_easy_setopt_string(handle, option, $0) } == CURLE_OK
        }
        func set(_ option: CURLoption, blob bytes: [UInt8]) {
            bytes.withUnsafeBytes { raw in
                var blob = curl_blob(
                    data: UnsafeMutableRawPointer(mutating: raw.baseAddress), len: raw.count,
                    flags: UInt32(CURL_BLOB_COPY))
                ok = ok && ec_easy_setopt_blob(handle, option, &blob) == CURLE_OK
            }
        }
        // The path and query go out as the request target, verbatim, and libcurl sees only the
        // origin: it formats every URL it handles a byte at a time (about 120 instructions a
        // byte in 7.88), parsing and rebuilding the whole URL for each request. A proxy that is
        // not tunnelled needs the absolute URL in the request line, so it keeps the whole URL.
        let (origin, target) = Self.originAndTarget(of: request.url, proxied: request.proxy != nil)
        set(CURLOPT_URL, origin)
        if let target { set(CURLOPT_REQUEST_TARGET, target) }
        // Multithreaded process: never let libcurl use signals for DNS timeouts.
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // Over TLS, ALPN says within the handshake whether a connection multiplexes, so waiting for
        // it is cheap. Plain HTTP never says, and waiting there can stall behind a busy stream.
        if request.url.hasPrefix("https://") { set(CURLOPT_PIPEWAIT, 1) }
        set(CURLOPT_TCP_KEEPALIVE, 1)
        set(CURLOPT_TCP_KEEPIDLE, 30)
        set(CURLOPT_TCP_KEEPINTVL, 15)
        // kube-apiserver compresses with gzip only; naming just it keeps the header short (libcurl
        // formats each header byte by byte, on every request).
        set(CURLOPT_ACCEPT_ENCODING, "gzip")
        set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        if let timeout = request.timeout { set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)) }
        if let idle = request.idleTimeout {
            // Below one byte per second for the whole idle window means the stream is dead.
            set(CURLOPT_LOW_SPEED_LIMIT, 1)
            set(CURLOPT_LOW_SPEED_TIME, max(1, Self.milliseconds(idle) / 1000))
        }
        set(CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "HEAD" { set(CURLOPT_NOBODY, 1) }
        if let body = request.body {
            ok = ok && ec_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK
            // COPYPOSTFIELDS copies, so the body need not outlive this call.
            if body.isEmpty {
                set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { raw in
                    let pointer = raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    ok = ok && ec_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer) == CURLE_OK
                }
            }
        }
        configureTLS(set: set, setString: set, setBlob: set)
        if let proxy = request.proxy { set(CURLOPT_PROXY, proxy) }
        if let connectTo = request.connectTo {
            connectToList = curl_slist_append(nil, connectTo)
            ok = ok && ec_easy_setopt_slist(handle, CURLOPT_CONNECT_TO, connectToList) == CURLE_OK
        }
        // An empty `Expect:` stops libcurl from waiting for `100 Continue` on larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            headerList = Self.appendHeader(name, value, to: headerList)
        }
        ok = ok && ec_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) == CURLE_OK
        ok = ok && errorBuffer.withUnsafeMutableBufferPointer { buffer in
            ec_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress) == CURLE_OK
        }
        ok = ok && ec_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback) == CURLE_OK
        ok = ok && ec_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context) == CURLE_OK
        ok = ok && ec_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback) == CURLE_OK
        ok = ok && ec_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context) == CURLE_OK
        guard ok else { throw KubeError.transport("libcurl rejected an option for \(request.method) \(redactedURL)") }
    }

    private func configureTLS(
        set: (CURLoption, Int) -> Void, setString: (CURLoption, String) -> Void,
        setBlob: (CURLoption, [UInt8]) -> Void
    ) {
        let tls = request.tls
        switch tls.certificateAuthority {
        case .data(let bytes): setBlob(CURLOPT_CAINFO_BLOB, bytes)
        case .file(let path): setString(CURLOPT_CAINFO, path)
        case nil: break
        }
        switch tls.clientCertificate {
        case .data(let bytes):
            setBlob(CURLOPT_SSLCERT_BLOB, bytes)
            setString(CURLOPT_SSLCERTTYPE, "PEM")
        case .file(let path): setString(CURLOPT_SSLCERT, path)
        case nil: break
        }
        switch tls.clientKey {
        case .data(let bytes):
            setBlob(CURLOPT_SSLKEY_BLOB, bytes)
            setString(CURLOPT_SSLKEYTYPE, "PEM")
        case .file(let path): setString(CURLOPT_SSLKEY, path)
        case nil: break
        }
        if tls.insecureSkipVerify {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// `url` split into the origin libcurl connects to (`scheme://authority`) and the request
    /// target (path and query, as written); the whole URL and no target when `proxied` or when
    /// the URL has no path.
    static func originAndTarget(of url: String, proxied: Bool) -> (origin: String, target: String?) {
        guard !proxied else { return (url, nil) }
        var url = url
        // On the bytes: the generic `firstRange(of:)` costs more than libcurl's parse it saves.
        let split = url.withUTF8 { bytes -> (origin: String, target: String?)? in
            let slash = UInt8(ascii: "/")
            var index = 0
            while index + 2 < bytes.count,
                !(bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == slash && bytes[index + 2] == slash) {
                index += 1
            }
            var cut = index + 3
            while cut < bytes.count, bytes[cut] != slash { cut += 1 }
            guard cut < bytes.count else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[..<cut]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[cut...]), as: UTF8.self))
        }
        return split ?? (url, nil)
    }

    /// Appends `name: value` to a libcurl header list, which copies it, from a stack buffer: a
    /// `String` made for each line was allocated, converted to a C string and freed again.
    static func appendHeader(_ name: String, _ value: String, to list: UnsafeMutablePointer<curl_slist>?)
        -> UnsafeMutablePointer<curl_slist>?
    {
        let length = name.utf8.count + 2 + value.utf8.count
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { line in
            var index = 0
            func copy(_ text: String) {
                for byte in text.utf8 {
                    line[index] = CChar(bitPattern: byte)
                    index += 1
                }
            }
            copy(name)
            copy(": ")
            copy(value)
            line[index] = 0
            return curl_slist_append(list, line.baseAddress)
        }
    }

    /// Hands the easy handle over (for the next transfer) once this one has ended and left the
    /// multi handle; the transfer no longer cleans it up. Loop thread only.
    func takeHandle() -> UnsafeMutableRawPointer? {
        defer { easy = nil }
        return easy
    }

    /// The URL without its query, for error messages (queries may carry selectors, never secrets,
    /// but the path is what a user recognises).
    var redactedURL: String { request.url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.url }

    // MARK: Callbacks (loop thread)

    func receiveHeader(_ line: UnsafeRawBufferPointer) {
        guard collector.consume(line), !headSent, let easy else { return }
        var code = 0
        _ = ec_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
        // The blank line after an interim 1xx response is not the end of the real head.
        guard code >= 200 else { return }
        headSent = true
        // One contiguous body, reserved once: a 9 MB LIST arrives in 16 kB pieces, and growing
        // the buffer piece by piece copies it over and over. Capped so a lying header cannot
        // reserve more than 256 MB up front.
        if case .buffered = sink, let length = collector.headers["content-length"].flatMap({ Int($0) }), length > 0 {
            body.reserveCapacity(min(length, 256 << 20))
        }
        if case .stream(let continuation) = sink {
            continuation.yield(.head(HTTPResponse(status: code, headers: collector.headers, warnings: collector.warnings)))
        }
    }

    /// Returns false to abort the transfer (the consumer went away).
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if cancelRequested.load(ordering: .relaxed) { return false }
        switch sink {
        case .buffered: body.append(contentsOf: bytes)
        case .stream(let continuation):
            if case .terminated = continuation.yield(.data(Array(bytes))) { return false }
        }
        return true
    }

    /// Ends the transfer with libcurl's result. Loop thread only; runs once.
    func complete(code: CURLcode) {
        guard !finished else { return }
        if code != CURLE_OK {
            fail(KubeError.transport(transportMessage(code)))
            return
        }
        finished = true
        var status = 0
        var version = 0
        var connects = 0
        if let easy {
            _ = ec_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            _ = ec_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
            _ = ec_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        }
        switch sink {
        case .buffered(let continuation):
            var response = HTTPResponse(status: status, headers: collector.headers, warnings: collector.warnings, body: body)
            response.httpVersion = version == Int(CURL_HTTP_VERSION_2_0) ? "2" : version == Int(CURL_HTTP_VERSION_1_0) ? "1.0" : "1.1"
            response.newConnections = connects
            continuation.resume(returning: response)
        case .stream(let continuation):
            if !headSent {
                continuation.yield(.head(HTTPResponse(status: status, headers: collector.headers, warnings: collector.warnings)))
            }
            continuation.finish()
        }
    }

    /// Ends the transfer with `error`. Loop thread only; runs once.
    func fail(_ error: any Error) {
        guard !finished else { return }
        finished = true
        switch sink {
        case .buffered(let continuation): continuation.resume(throwing: error)
        case .stream(let continuation): continuation.finish(throwing: error)
        }
    }

    private func transportMessage(_ code: CURLcode) -> String {
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let summary = String(cString: curl_easy_strerror(code))
        return "\(request.method) \(redactedURL): \(detail.isEmpty ? summary : detail) (curl error \(code.rawValue))"
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// libcurl's write callback: body bytes for the transfer in `userdata`.
private let curlWriteCallback: ec_data_cb = { pointer, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
    return transfer.receiveBody(bytes) ? length : 0
}

/// libcurl's header callback: one raw header line at a time.
private let curlHeaderCallback: ec_data_cb = { pointer, size, count, userdata in
    guard let userdata, let pointer else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    transfer.receiveHeader(UnsafeRawBufferPointer(start: pointer, count: length))
    return length
}

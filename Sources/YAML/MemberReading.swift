import Synchronization

/// How a type reads itself member by member, if it does.
enum MemberReading: @unchecked Sendable {
    // Metatypes are immutable and global; `any P.Type` is not `Sendable` only for want of a
    // `SendableMetatype` bound on protocols that predate it.
    case decodable(any JSONMemberDecodable.Type)
    case readable(any JSONMemberReadable.Type)

    /// `type`'s way, or nil. A conformance lookup scans the binary's conformance records (about
    /// a million instructions the first time for each type and protocol), and the decoder asks
    /// for every object it decodes, so the answers are kept for the process in `KnownTypes`.
    static func of(_ type: Any.Type) -> MemberReading? {
        let id = UInt(bitPattern: ObjectIdentifier(type))
        if let known = KnownTypes.current?.pointee.answer(for: id) { return known }
        return KnownTypes.learn(id) {
            guard type is any JSONMemberReading.Type else { return nil }
            if let decodable = type as? any JSONMemberDecodable.Type { return .decodable(decodable) }
            if let readable = type as? any JSONMemberReadable.Type { return .readable(readable) }
            return nil
        }
    }
}

/// The answers of `MemberReading.of`, by type: an open-addressing table that is never changed
/// once published. Readers load the current one without a lock; a new answer is added to a copy,
/// which then replaces it. Replaced tables are not freed (a reader may still hold one): a
/// process asks about a few dozen types, so they add up to a few kilobytes.
struct KnownTypes {
    typealias Slot = (id: UInt, answer: MemberReading?)
    /// Capacity - 1, a power of two less one.
    let mask: Int
    let count: Int
    /// `mask + 1` slots; `id` 0 is an empty slot.
    let slots: UnsafeMutablePointer<Slot>

    /// The table's address, 0 before the first answer.
    private static let published = Atomic<UInt>(0)
    /// Taken by writers only.
    private static let writing = Mutex<Void>(())

    /// The current table, if any.
    static var current: UnsafePointer<KnownTypes>? { UnsafePointer(bitPattern: published.load(ordering: .acquiring)) }

    /// The answer for `id`, or nil when it has none (`.some(nil)`: known not to read members).
    func answer(for id: UInt) -> MemberReading?? {
        var slot = Self.start(id, mask)
        while slots[slot].id != 0 {
            if slots[slot].id == id { return .some(slots[slot].answer) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Fibonacci hashing of the metadata address (its low bits are alignment).
    private static func start(_ id: UInt, _ mask: Int) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    /// The answer for `id`, found by `find` unless another thread has published it meanwhile,
    /// and published in a table twice the size the answers need.
    static func learn(_ id: UInt, _ find: () -> MemberReading?) -> MemberReading? {
        writing.withLock { _ in
            let old = current
            if let known = old?.pointee.answer(for: id) { return known }
            let answer = find()
            let count = (old?.pointee.count ?? 0) + 1
            var capacity = 16
            while capacity < count * 2 { capacity *= 2 }
            let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
            slots.initialize(repeating: (0, nil), count: capacity)
            var table = KnownTypes(mask: capacity - 1, count: count, slots: slots)
            if let old {
                for slot in 0...old.pointee.mask where old.pointee.slots[slot].id != 0 { table.insert(old.pointee.slots[slot]) }
            }
            table.insert((id, answer))
            let address = UnsafeMutablePointer<KnownTypes>.allocate(capacity: 1)
            address.initialize(to: table)
            published.store(UInt(bitPattern: address), ordering: .releasing)
            return answer
        }
    }

    private mutating func insert(_ entry: Slot) {
        var slot = Self.start(entry.id, mask)
        while slots[slot].id != 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }
}

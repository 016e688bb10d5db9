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
        if let known = KnownTypes.answer(for: id) { return known }
        return KnownTypes.learn(id) {
            guard type is any JSONMemberReading.Type else { return nil }
            if let decodable = type as? any JSONMemberDecodable.Type { return .decodable(decodable) }
            if let readable = type as? any JSONMemberReadable.Type { return .readable(readable) }
            return nil
        }
    }
}

/// The answers of `MemberReading.of`, by type: one open-addressing table of fixed size for the
/// process, filled in once per type and never changed after. A slot's answer is written before
/// its type's identifier is stored (releasing), and read only after the identifier is loaded
/// (acquiring), so readers take no lock; writers take one, to pick slots one at a time.
enum KnownTypes {
    /// Slots, a power of two. A process asks about a few dozen types (the controller's start:
    /// 68); past three quarters full, further types are answered but not kept.
    static let capacity = 512

    // Raw memory, allocated once and never freed: `Atomic` values cannot live in an array, and
    // the table lives as long as the process. `nonisolated(unsafe)`: the pointers themselves
    // never change; what they point to is guarded as described above.
    nonisolated(unsafe) private static let ids: UnsafeMutablePointer<Atomic<UInt>> = {
        let ids = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: capacity)
        for slot in 0..<capacity { (ids + slot).initialize(to: Atomic(0)) }
        return ids
    }()
    nonisolated(unsafe) private static let answers = UnsafeMutablePointer<MemberReading?>.allocate(capacity: capacity)
    /// How many slots are taken; held by writers.
    private static let taken = Mutex(0)

    /// The answer kept for `id` (`.some(nil)`: known not to read members), or nil when none is.
    static func answer(for id: UInt) -> MemberReading?? {
        var slot = start(id)
        for _ in 0..<capacity {
            switch ids[slot].load(ordering: .acquiring) {
            case id: return .some(answers[slot])
            case 0: return nil
            default: slot = (slot + 1) & (capacity - 1)
            }
        }
        return nil
    }

    /// The answer for `id`: the one kept if another thread has kept it meanwhile, else what
    /// `find` says, which is then kept.
    static func learn(_ id: UInt, _ find: () -> MemberReading?) -> MemberReading? {
        taken.withLock { taken in
            if let known = answer(for: id) { return known }
            let answer = find()
            guard taken < capacity * 3 / 4 else { return answer }
            var slot = start(id)
            while ids[slot].load(ordering: .relaxed) != 0 { slot = (slot + 1) & (capacity - 1) }
            (answers + slot).initialize(to: answer)
            ids[slot].store(id, ordering: .releasing)
            taken += 1
            return answer
        }
    }

    /// Fibonacci hashing of the metadata address (its low bits are alignment).
    private static func start(_ id: UInt) -> Int { Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1) }
}

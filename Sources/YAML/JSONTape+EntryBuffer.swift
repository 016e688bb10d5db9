extension JSONTape {
    /// The builder's growing entry storage: a raw buffer the finished tape adopts without a copy.
    /// The builder owns it until `finish()` (or `deallocate()` after a failure); `Entry` is a
    /// plain value, so nothing needs deinitialising.
    struct EntryBuffer {
        private(set) var base: UnsafeMutablePointer<Entry>
        private(set) var count = 0
        private var capacity: Int

        init(capacity: Int) {
            self.capacity = max(capacity, 4)
            base = UnsafeMutablePointer<Entry>.allocate(capacity: self.capacity)
        }

        @inline(__always) mutating func append(_ entry: Entry) {
            if count == capacity { grow() }
            (base + count).initialize(to: entry)
            count += 1
        }

        private mutating func grow() {
            let larger = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }

        @inline(__always) subscript(position: Int) -> Entry {
            get { base[position] }
            nonmutating set { base[position] = newValue }
        }

        /// Hands the storage over (the caller deallocates its base address).
        func finish() -> UnsafeMutableBufferPointer<Entry> { UnsafeMutableBufferPointer(start: base, count: count) }

        func deallocate() { base.deallocate() }
    }
}

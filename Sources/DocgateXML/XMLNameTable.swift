import CLibXML2
import Glibc

/// Element and namespace names of one parse, interned. libxml2 hands names out from its dictionary, so the same
/// pointer is the same name: a lookup is a probe in a small open-addressing table keyed by the pointer.
public final class NameTable {
    // One parse, one thread: exclusivity checks on these would cost more than the lookups.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<(key: UnsafeRawPointer?, id: Int32)>
    @exclusivity(unchecked) private var mask: Int
    @exclusivity(unchecked) private var used = 0
    /// Per id: the name's bytes (owned copy) and its string, made on first use.
    @exclusivity(unchecked) private var names: [(bytes: UnsafeMutablePointer<UInt8>, count: Int)] = []
    @exclusivity(unchecked) private var strings: [String?] = []

    /// An empty table.
    public init() {
        mask = 255
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: (nil, -1), count: mask + 1)
    }

    deinit {
        slots.deallocate()
        for n in names { n.bytes.deallocate() }
    }

    func id(_ name: UnsafePointer<xmlChar>?) -> Int32 {
        guard let name else { return -1 }
        let key = UnsafeRawPointer(name)
        var i = (Int(bitPattern: key) >> 3) & mask
        while let k = slots[i].key {
            if k == key { return slots[i].id }
            i = (i + 1) & mask
        }
        let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
        // The same name may arrive from another dictionary (a replayed tree): reuse its id.
        var id = Int32(-1)
        for (index, n) in names.enumerated() where n.count == length && memcmp(n.bytes, name, length) == 0 {
            id = Int32(index)
            break
        }
        if id < 0 {
            let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(length, 1))
            copy.initialize(from: name, count: length)
            id = Int32(names.count)
            names.append((copy, length))
            strings.append(nil)
        }
        slots[i] = (key, id)
        used += 1
        if used * 2 > mask { rehash() }
        return id
    }

    private func rehash() {
        let old = slots
        let oldCount = mask + 1
        mask = mask * 2 + 1
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: (nil, -1), count: mask + 1)
        for j in 0..<oldCount {
            guard let k = old[j].key else { continue }
            var i = (Int(bitPattern: k) >> 3) & mask
            while slots[i].key != nil { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        old.deallocate()
    }

    /// The id of a name, adding it to the table when the parser has not produced it yet; stable from then on.
    public func intern(_ name: StaticString) -> Int32 {
        let key = UnsafeRawPointer(name.utf8Start)
        if let id = interned[key] { return id }
        let id = internSlow(name)
        interned[key] = id
        return id
    }

    @exclusivity(unchecked) private var interned: [UnsafeRawPointer: Int32] = [:]

    private func internSlow(_ name: StaticString) -> Int32 {
        let length = name.utf8CodeUnitCount
        for (index, n) in names.enumerated() where n.count == length && memcmp(n.bytes, name.utf8Start, length) == 0 {
            return Int32(index)
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: max(length, 1))
        copy.initialize(from: name.utf8Start, count: length)
        names.append((copy, length))
        strings.append(nil)
        return Int32(names.count - 1)
    }

    @inline(__always)
    func matches(_ id: Int32, _ name: StaticString) -> Bool {
        guard id >= 0 else { return false }
        let n = names[Int(id)]
        return n.count == name.utf8CodeUnitCount && memcmp(n.bytes, name.utf8Start, n.count) == 0
    }

    func string(_ id: Int32) -> String {
        guard id >= 0 else { return "" }
        if let s = strings[Int(id)] { return s }
        let n = names[Int(id)]
        let s = String(decoding: UnsafeBufferPointer(start: n.bytes, count: n.count), as: UTF8.self)
        strings[Int(id)] = s
        return s
    }
}

import DocgateXML
import Glibc

/// Sums of method volumes per key (service, place, indicator, year), keyed by the raw bytes of those fields so
/// that a report with a million rows neither builds strings nor normalises Unicode on every row.
final class VolumeTable {
    /// Hash → first slot with that hash; further slots with the same hash chain through `chain`.
    private var buckets: [Int: Int] = [:]
    private var chain: [Int] = []
    private var keys: [[UInt8]] = []
    private var lastHit = -1
    /// The key's fields for messages, decoded from its bytes only when a message needs them.
    func label(_ i: Int) -> (service: String, place: String, okei: String, indicator: String) {
        let parts = keys[i].split(separator: 0x1F, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "", parts.count > 2 ? parts[2] : "", parts.count > 3 ? parts[3] : "")
    }
    var volumes: [MethodVolumes] = []
    var locations: [Location] = []
    private var scratch: [UInt8] = []

    /// The slot of the key the closure writes, created with `label` and `location` the first time it is seen.
    func slot(_ write: (inout [UInt8]) -> Void, location: () -> Location) -> Int {
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        // Rows of one key tend to come together.
        if lastHit >= 0, Self.same(keys[lastHit], scratch) { return lastHit }
        var hasher = Hasher()
        scratch.withUnsafeBytes { hasher.combine(bytes: $0) }
        let hash = hasher.finalize()
        var candidate = buckets[hash] ?? -1
        while candidate >= 0 {
            if Self.same(keys[candidate], scratch) {
                lastHit = candidate
                return candidate
            }
            candidate = chain[candidate]
        }
        let i = keys.count
        keys.append(scratch)
        volumes.append(.zero)
        locations.append(location())
        chain.append(buckets[hash] ?? -1)
        buckets[hash] = i
        lastHit = i
        return i
    }

    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    var count: Int { keys.count }

    /// Writes the key fields of a row: service name, place (ОКТМО, else name), indicator code and name.
    static func writeKey(service: RecordElement?, place: RecordElement?, indicator: RecordElement?,
                         into b: inout [UInt8]) {
        service?.appendText(to: &b)
        b.append(0x1F)
        if let place {
            if let oktmo = place.child("oktmo") { oktmo.appendText(to: &b) } else { place.child("text")?.appendText(to: &b) }
        }
        b.append(0x1F)
        if let indicator {
            _ = indicator.withAttributeBytes("okei") { b.append(contentsOf: $0) }
            b.append(0x1F)
            indicator.child("name")?.appendText(to: &b)
        }
    }
}

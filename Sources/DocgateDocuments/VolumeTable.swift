import DocgateXML

/// Sums of method volumes per key (service, place, indicator, year), keyed by the raw bytes of those fields so
/// that a report with a million rows neither builds strings nor normalises Unicode on every row.
final class VolumeTable {
    private var buckets: [Int: [Int]] = [:]
    private var keys: [[UInt8]] = []
    private(set) var labels: [VolumeKey] = []
    var volumes: [MethodVolumes] = []
    var locations: [Location] = []
    private var scratch: [UInt8] = []

    /// The slot of the key the closure writes, created with `label` and `location` the first time it is seen.
    func slot(_ write: (inout [UInt8]) -> Void, label: () -> VolumeKey, location: () -> Location) -> Int {
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        var hasher = Hasher()
        scratch.withUnsafeBytes { hasher.combine(bytes: $0) }
        let hash = hasher.finalize()
        if let candidates = buckets[hash] {
            for i in candidates where keys[i] == scratch { return i }
        }
        let i = keys.count
        keys.append(scratch)
        labels.append(label())
        volumes.append(.zero)
        locations.append(location())
        buckets[hash, default: []].append(i)
        return i
    }

    /// The slot of an existing key, if any.
    func lookup(_ write: (inout [UInt8]) -> Void) -> Int? {
        scratch.removeAll(keepingCapacity: true)
        write(&scratch)
        var hasher = Hasher()
        scratch.withUnsafeBytes { hasher.combine(bytes: $0) }
        return buckets[hasher.finalize()]?.first { keys[$0] == scratch }
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

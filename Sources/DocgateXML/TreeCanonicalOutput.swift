import CLibXML2
import CXMLShims
import Glibc

/// The canonical writer's output: bytes buffered and escaped, then handed to the sink.
extension TreeCanonicalWriter {

    mutating func flush() {
        if used > 0 { sink(UnsafeRawBufferPointer(start: buffer, count: used)) }
        used = 0
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        if used == Self.capacity { flush() }
        buffer[used] = b
        used += 1
    }

    @inline(__always)
    mutating func bytes(_ start: UnsafePointer<UInt8>, _ count: Int) {
        if count == 0 { return }
        if used + count > Self.capacity {
            flush()
            if count > Self.capacity {
                sink(UnsafeRawBufferPointer(start: start, count: count))
                return
            }
        }
        (buffer + used).update(from: start, count: count)
        used += count
    }

    mutating func ascii(_ text: StaticString) {
        bytes(text.utf8Start, text.utf8CodeUnitCount)
    }

    mutating func cString(_ s: UnsafePointer<xmlChar>) {
        bytes(s, Int(strlen(UnsafeRawPointer(s).assumingMemoryBound(to: CChar.self))))
    }

    /// Text: & < > and carriage returns escaped.
    mutating func escapedText(_ s: UnsafePointer<xmlChar>) {
        escaped(s, stops: textStops)
    }

    /// Attribute values: & < " and the three whitespace characters escaped.
    mutating func escapedAttribute(_ s: UnsafePointer<xmlChar>) {
        escaped(s, stops: attributeStops)
    }

    /// Copies a NUL-terminated string, runs of ordinary bytes at once (found by `strcspn`, which glibc scans 16
    /// bytes at a time); `stops` lists the bytes to replace. The two lists share & and <, so one switch serves
    /// both.
    mutating func escaped(_ s: UnsafePointer<xmlChar>, stops: UnsafePointer<CChar>) {
        var p = s
        while true {
            let run = strcspn(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self), stops)
            bytes(p, run)
            p += run
            switch p.pointee {
            case 0: return
            case 0x26: ascii("&amp;")
            case 0x3C: ascii("&lt;")
            case 0x3E: ascii("&gt;")
            case 0x22: ascii("&quot;")
            case 0x09: ascii("&#x9;")
            case 0x0A: ascii("&#xA;")
            default: ascii("&#xD;")
            }
            p += 1
        }
    }
}

/// The bytes C14N replaces, in text and in attribute values, as C strings for `strcspn`. Made once on first use
/// and only read afterwards.
nonisolated(unsafe) let docgateXMLTextStops: UnsafePointer<CChar> = stops([0x26, 0x3C, 0x3E, 0x0D])
nonisolated(unsafe) let docgateXMLAttributeStops: UnsafePointer<CChar> = stops([0x26, 0x3C, 0x22, 0x09, 0x0A, 0x0D])

private func stops(_ bytes: [CChar]) -> UnsafePointer<CChar> {
    let list = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    list.initialize(from: bytes + [0], count: bytes.count + 1)
    return UnsafePointer(list)
}

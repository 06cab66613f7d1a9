import DocgateCore
import DocgateDocuments
import DocgateXML
import Glibc

/// What a receipt says about one inbound file.
struct ReceiptContent: Sendable {
    var gatewayId: String
    var version: String
    var route: String
    var fileName: String
    var documentId: String?
    var kind: DocumentKind?
    /// Nil when the file was refused unread.
    var sha256: String?
    var size: Int64
    var receivedAt: Double
    var status: Outcome
    var deliveredAs: String?
    var diagnostics: [Diagnostic]
}

enum Receipts {
    /// The receipt document (schema `urn://docgate/receipt/1`), UTF-8.
    static func build(_ c: ReceiptContent, id: String, now: Double) throws(XMLWriterError) -> [UInt8] {
        let w = try XMLWriter(encoding: .utf8, indent: true)
        try w.start("receipt", namespace: DocumentKind.receipt.namespace)
        try w.attribute("id", id)
        try w.attribute("formatVersion", "1.0")
        try w.element("createdAt", text: Clock.iso(now))
        try w.start("gateway")
        try w.element("instanceId", text: String(c.gatewayId.prefix(50)))
        try w.element("version", text: c.version)
        try w.end()
        try w.element("route", text: String(c.route.prefix(50)))
        try w.start("inResponseTo")
        try w.element("fileName", text: c.fileName)
        if let id = c.documentId, UUIDs.isUUID(id) { try w.element("documentId", text: id) }
        if let kind = c.kind {
            try w.element("documentKind", text: kind.rawValue)
            try w.element("namespace", text: kind.namespace)
        }
        if let sha256 = c.sha256 { try w.element("sha256", text: sha256) }
        try w.element("size", text: String(c.size))
        try w.element("receivedAt", text: Clock.iso(c.receivedAt))
        try w.end()
        try w.element("status", text: c.status.receiptStatus)
        if let name = c.deliveredAs {
            try w.start("deliveredAs")
            try w.element("fileName", text: name)
            try w.end()
        }
        for d in c.diagnostics.prefix(100) {
            try w.start("error")
            try w.attribute("code", d.code)
            try w.attribute("severity", d.severity.rawValue)
            if let line = d.line, line > 0 { try w.attribute("line", String(line)) }
            if let column = d.column, column > 0 { try w.attribute("column", String(column)) }
            if let path = d.path { try w.attribute("path", path) }
            for (lang, text) in [("ru", d.message.ru), ("en", d.message.en)] {
                try w.start("message")
                try w.attribute("lang", lang)
                try w.text(String(text.prefix(4000)))
                try w.end()
            }
            try w.end()
        }
        try w.end()
        return try w.finish()
    }

    /// The receipt's file name: `RECEIPT_` and the inbound name (made plain when it is not).
    static func fileName(for inbound: String) -> String {
        var name = "RECEIPT_" + inbound
        if !name.lowercased().hasSuffix(".xml") { name += ".xml" }
        return name
    }
}

extension Outcome {
    var receiptStatus: String { rawValue }
}

/// Random (version 4) UUIDs and their check.
enum UUIDs {
    static func random() -> String {
        var g = SystemRandomNumberGenerator()
        let a = g.next(), b = g.next()
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: a >> ($0 * 8)) } + (0..<8).map { UInt8(truncatingIfNeeded: b >> ($0 * 8)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { b -> String in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) { if c != UInt8(ascii: "-") { return false } } else if !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) { return false }
        }
        return true
    }
}

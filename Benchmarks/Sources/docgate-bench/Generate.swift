import Foundation

/// Synthetic but valid execution reports: every identifier has correct check digits, every deviation and every
/// Section I sum is computed, so docgate's rules pass and the benchmark measures the clean path.
enum Generate {
    struct Org {
        var fullName, shortName, inn, kpp, ogrn: String
    }

    static let executors = [
        Org(fullName: "Краевое государственное бюджетное учреждение социального обслуживания «Комплексный центр социального обслуживания населения «Октябрьский»", shortName: "КГБУ СО «КЦСОН «Октябрьский»", inn: "2465003015", kpp: "246501001", ogrn: "1122468001457"),
        Org(fullName: "Автономная некоммерческая организация «Центр социальных услуг «Забота»", shortName: "АНО «Забота»", inn: "2461004522", kpp: "246101001", ogrn: "1162468055200"),
        Org(fullName: "Общество с ограниченной ответственностью «Учебный центр «Профи»", shortName: "ООО «УЦ «Профи»", inn: "2462007734", kpp: "246201001", ogrn: "1022400777772"),
    ]

    static let services = [
        ("870000О.99.0.АЭ21АА01000", "Предоставление социального обслуживания в стационарной форме", "Стационарная форма"),
        ("880000О.99.0.АЭ22АА01000", "Предоставление социального обслуживания в полустационарной форме", "Полустационарная форма"),
        ("880000О.99.0.АЭ23АА01000", "Предоставление социального обслуживания в форме социального обслуживания на дому", "Форма социального обслуживания на дому"),
    ]

    static let methods = ["stateTaskBudgetAutonomous", "competition", "certificate"]

    /// A deterministic pseudo-random sequence (SplitMix64), so every run measures the same files.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
    }

    static func uuid(_ r: inout Random) -> String {
        let a = r.next(), b = r.next()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-8" + String(c[17..<20]) + "-" + String(c[20..<32])
    }

    /// (fact − plan)·100/plan to hundredths, half away from zero, from integers.
    static func deviation(plan: Int, fact: Int) -> String {
        let num = (fact - plan) * 10_000
        var q = num / plan
        let r = num % plan
        if abs(r) * 2 >= plan { q += num < 0 ? -1 : 1 }
        let sign = q < 0 ? "-" : ""
        let m = abs(q)
        return "\(sign)\(m / 100).\(String(format: "%02d", m % 100))"
    }

    static func org(_ tag: String, _ o: Org, _ indent: String) -> String {
        """
        \(indent)<\(tag)>
        \(indent)  <fullName>\(o.fullName)</fullName>
        \(indent)  <shortName>\(o.shortName)</shortName>
        \(indent)  <inn>\(o.inn)</inn>
        \(indent)  <kpp>\(o.kpp)</kpp>
        \(indent)  <ogrn>\(o.ogrn)</ogrn>
        \(indent)</\(tag)>
        """
    }

    static func volumes(_ tag: String, _ v: [String: Int], _ indent: String) -> String {
        let total = v.values.reduce(0, +)
        return """
        \(indent)<\(tag)>
        \(indent)  <total>\(total)</total>
        \(indent)  <stateTaskTreasury>0</stateTaskTreasury>
        \(indent)  <stateTaskBudgetAutonomous>\(v["stateTaskBudgetAutonomous", default: 0])</stateTaskBudgetAutonomous>
        \(indent)  <competition>\(v["competition", default: 0])</competition>
        \(indent)  <certificate>\(v["certificate", default: 0])</certificate>
        \(indent)</\(tag)>
        """
    }

    static let indicator = """
          <indicator okei="792">
            <name>Численность граждан, получивших социальные услуги</name>
            <unitName>Человек</unitName>
          </indicator>
    """

    /// Writes one execution report with `items` Section II rows to `path`, streaming, and returns its size.
    @discardableResult
    static func report(to path: String, items: Int, seed: UInt64) throws -> Int {
        var r = Random(state: seed)
        let id = uuid(&r)
        guard let out = OutputStream(toFileAtPath: path, append: false) else { throw CocoaError(.fileWriteUnknown) }
        out.open()
        defer { out.close() }
        var written = 0
        func write(_ s: String) {
            let bytes = Array(s.utf8)
            written += bytes.count
            bytes.withUnsafeBufferPointer { _ = out.write($0.baseAddress!, maxLength: $0.count) }
        }
        // Plan and fact per row first: Section I needs their sums.
        var rows: [(svc: Int, exec: Int, method: String, plan: Int, fact: Int)] = []
        rows.reserveCapacity(items)
        var plan: [String: Int] = [:], fact: [String: Int] = [:]
        for _ in 0..<items {
            let method = methods[r.int(0...2)]
            let p = r.int(20...2000)
            let f = p + (p * r.int(-40...40)) / 1000
            rows.append((r.int(0...2), r.int(0...2), method, p, f))
            plan[method, default: 0] += p
            fact[method, default: 0] += f
        }
        write("""
        <?xml version="1.0" encoding="UTF-8"?>
        <executionReport xmlns="urn://docgate/execution-report/1" id="\(id)" formatVersion="1.0">
          <header>
            <number>БЕНЧ-\(seed)</number>
            <date>2026-01-15</date>
            <createdAt>2026-01-15T11:20:00+07:00</createdAt>
            <version>1</version>
            <status>approved</status>
          </header>
        \(org("authorizedBody", Org(fullName: "Министерство социальной политики Красноярского края", shortName: "Минсоцполитики Красноярского края", inn: "2466012340", kpp: "246601001", ogrn: "1022401123458"), "  "))
          <activityArea>Социальное обслуживание</activityArea>
          <reportingYear>2025</reportingYear>
          <reportDate>2026-01-01</reportDate>
          <periodicity>year</periodicity>
          <socialOrderRef>
            <kind>socialOrder</kind>
            <number>24-СЗ/2025-01</number>
            <date>2024-12-20</date>
          </socialOrderRef>
          <volumeSummary>
            <item>
              <service>
                <name>Социальное обслуживание граждан</name>
              </service>
              <yearOfDetermination>2025</yearOfDetermination>
              <place>
                <oktmo>04701000</oktmo>
                <text>г. Красноярск</text>
              </place>
        \(indicator)
        \(volumes("plan", plan, "      "))
        \(volumes("fact", fact, "      "))
            </item>
          </volumeSummary>
          <volumeDetail>

        """)
        var chunk = ""
        for (i, row) in rows.enumerated() {
            let s = services[row.svc]
            let agreement = row.method == "stateTaskBudgetAutonomous" ? "" : """

                  <agreementRef>
                    <kind>agreement</kind>
                    <number>СС-24/2025-\(row.exec)</number>
                    <date>2025-01-20</date>
                  </agreementRef>
            """
            chunk += """
                <item>
                  <service>
                    <regNum>\(s.0)</regNum>
                    <name>\(s.1)</name>
                    <aggregatedServiceName>Социальное обслуживание граждан</aggregatedServiceName>
                    <conditions>\(s.2)</conditions>
                    <consumerCategory>Граждане, признанные нуждающимися в социальном обслуживании</consumerCategory>
                    <place>
                      <oktmo>04701000</oktmo>
                      <text>г. Красноярск</text>
                    </place>
                  </service>
            \(org("executor", executors[row.exec], "      "))
                  <method>\(row.method)</method>\(agreement)
            \(indicator)
                  <planValue>\(row.plan)</planValue>
                  <factValue>\(row.fact)</factValue>
                  <allowedDeviation>5</allowedDeviation>
                  <actualDeviation>\(deviation(plan: row.plan, fact: row.fact))</actualDeviation>
                </item>

            """
            if i % 512 == 511 { write(chunk); chunk = "" }
        }
        write(chunk)
        write("  </volumeDetail>\n</executionReport>\n")
        return written
    }
}

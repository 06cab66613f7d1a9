import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Glibc

/// `docgate schemas list|export`: the XSD schemas docgate validates against, for operators and for the systems
/// on either side of the gateway.
struct SchemasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas",
        abstract: "Схемы XSD / The XSD schemas: list them, or export them for other systems.",
        subcommands: [List.self, Export.self, JSONForms.self]
    )

    /// The schema files that make up the set, in a stable order: one per document kind, then the shared ones.
    static func files(in dir: String) -> [String] {
        let kinds = DocumentKind.allCases.map(\.schemaFile)
        let shared = ["common.xsd", "xmldsig-core-schema.xsd", "docgate.xsd", "okei-1.tsv"]
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        let json = Set((try? FileManager.default.contentsOfDirectory(atPath: dir + "/json")) ?? [])
        return (kinds + shared).filter { present.contains($0) }
            + DocumentKind.allCases.map(JSONSchemaWriter.fileName).filter { json.contains($0) }.map { "json/" + $0 }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Each document kind with its namespace, root element and schema file.")
        @OptionGroup var options: CommonOptions

        func run() throws {
            let dir = try options.schemaDirectory()
            if options.format == .json {
                let items = DocumentKind.allCases.map { k in
                    JSONText.object([("kind", JSONText.string(k.rawValue)), ("namespace", JSONText.string(k.namespace)),
                                     ("root", JSONText.string(k.rootName)), ("file", JSONText.string(dir + "/" + k.schemaFile)),
                                     ("title", JSONText.string(options.language == .ru ? k.title.ru : k.title.en))])
                }
                Terminal.out(JSONText.object([("directory", JSONText.string(dir)), ("kinds", JSONText.array(items))]) + "\n")
                return
            }
            var out = (options.language == .ru ? "Каталог схем: " : "Schema directory: ") + dir + "\n"
            for k in DocumentKind.allCases {
                let title = options.language == .ru ? k.title.ru : k.title.en
                out += SchemasCommand.pad(k.schemaFile, 26) + SchemasCommand.pad(k.namespace, 38) + SchemasCommand.pad(k.rootName, 20) + title + "\n"
            }
            out += (options.language == .ru ? "Общие: " : "Shared: ") + "common.xsd (" + (options.language == .ru ? "общие типы, включаются схемой каждого вида" : "shared types, included by every kind's schema")
                + "), xmldsig-core-schema.xsd (W3C), docgate.xsd (" + (options.language == .ru ? "все виды" : "all kinds") + "), okei-1.tsv (ОКЕИ)\n"
            Terminal.out(out)
        }
    }

    static func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(1, width - s.count)) }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Copy the schema set into a directory (created when missing); it loads as it is in xmllint and other validators.",
            discussion: "Existing files of the same name are replaced only with --force. Exit 0 done, 2 on an I/O error or a file in the way."
        )
        @OptionGroup var options: CommonOptions
        @Flag(name: .long, help: "Replace files that are already there.") var force = false
        @Argument(help: ArgumentHelp("Target directory.", valueName: "dir")) var directory: String

        func run() throws {
            let source = try options.schemaDirectory()
            let ru = options.language == .ru
            do {
                try FileManager.default.createDirectory(atPath: directory + "/json", withIntermediateDirectories: true)
            } catch {
                Terminal.error(.DG5002, (ru ? "не удалось создать каталог " : "cannot create the directory ") + directory)
                throw Exit.failure
            }
            let files = SchemasCommand.files(in: source)
            for name in files where !force && FileManager.default.fileExists(atPath: directory + "/" + name) {
                Terminal.error(.DG5002, (ru ? "файл уже есть (добавьте --force): " : "already there (add --force): ") + directory + "/" + name)
                throw Exit.failure
            }
            for name in files {
                guard case .success(let data) = BoundedFile.read(source + "/" + name, limit: 64 << 20) else {
                    Terminal.error(.DG5001, (ru ? "не удалось прочитать " : "cannot read ") + source + "/" + name)
                    throw Exit.failure
                }
                do {
                    try AtomicFile.write([UInt8](data), to: directory + "/" + name)
                } catch {
                    Terminal.error(.DG5002, (ru ? "не удалось записать " : "cannot write ") + directory + "/" + name + ": " + error.reason)
                    throw Exit.failure
                }
            }
            Terminal.out((ru ? "Выгружено файлов: \(files.count) в " : "\(files.count) files exported to ") + directory + "\n")
        }
    }
}

extension SchemasCommand {
    /// `docgate schemas json DIR`: the JSON Schema of each kind's JSON form, written from the XSDs.
    struct JSONForms: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "json",
            abstract: "Write the JSON Schema of each kind's JSON form (what export writes and generate reads), made from the XSDs.",
            discussion: "The set docgate ships is in Schemas/json/. Existing files are replaced. Exit 0 done, 2 on an I/O error."
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: ArgumentHelp("Target directory.", valueName: "dir")) var directory: String

        func run() throws {
            let source = try options.schemaDirectory()
            let language = options.language
            let shapes = ShapeLibrary(schemaDirectory: source)
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                Terminal.error(.DG5002, (language == .ru ? "не удалось создать каталог " : "cannot create the directory ") + directory)
                throw Exit.failure
            }
            for kind in DocumentKind.allCases {
                let shape: DocumentShape
                do { shape = try shapes.shape(kind) } catch {
                    Terminal.error(code: error.code, error.message[language])
                    throw Exit.failure
                }
                let target = directory + "/" + JSONSchemaWriter.fileName(kind)
                do { try AtomicFile.write(Array((JSONSchemaWriter.schema(shape).rendered() + "\n").utf8), to: target) } catch {
                    Terminal.error(.DG5002, (language == .ru ? "не удалось записать " : "cannot write ") + target + ": " + error.reason)
                    throw Exit.failure
                }
            }
            Terminal.out((language == .ru ? "JSON Schema: \(DocumentKind.allCases.count) файлов в " : "\(DocumentKind.allCases.count) JSON Schema files in ") + directory + "\n")
        }
    }
}


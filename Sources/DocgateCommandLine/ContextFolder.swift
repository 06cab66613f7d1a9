import DocgateCore
import DocgateDocuments
import DocgateProcessing
import Synchronization

/// The documents of a `--context` folder, read on every core, for the rules across documents.
public enum ContextFolder {
    /// Every document below `dir` as the rules across documents know it. The rules need all of them: a folder that
    /// cannot be listed, or a document that cannot be read, is reported (DG5001) and stops the run (exit 2).
    public static func load(_ dir: String, processor: DocumentProcessor, workers: Int?, language: Language) throws -> DocumentContext {
        let (files, errors) = InputFiles.collect([dir])
        if let e = errors.first {
            Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(e.path): \(e.reason)").message[language])
            throw Exit.failure
        }
        let documents = Mutex<[ContextDocument]>([])
        let unreadable = Mutex<[String]>([])
        ParallelBatch.run(files, workers: workers ?? ParallelBatch.defaultWorkers, job: { path in
            processor.contextDocument(file: path).mapError { ContextReadFailure(text: path + ": " + $0.reason) }
        }, emit: { (_: Int, d: Result<ContextDocument?, ContextReadFailure>) in
            switch d {
            case .success(let d): if let d { documents.withLock { $0.append(d) } }
            case .failure(let f): unreadable.withLock { $0.append(f.text) }
            }
        })
        if let first = unreadable.withLock({ $0.first }) {
            Terminal.error(.DG5001, (language == .ru ? "контекст неполон: " : "the context is incomplete: ") + first)
            throw Exit.failure
        }
        return DocumentContext(documents.withLock { $0 })
    }
}

/// A context document that could not be read, with the reason.
private struct ContextReadFailure: Error {
    var text: String
}

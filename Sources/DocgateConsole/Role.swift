/// What a console user may do.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// Reads only: the journal, documents (personal data masked elsewhere), metrics.
    case viewer
    /// Reads, and acts: requeues documents and uploads them.
    case `operator`
}

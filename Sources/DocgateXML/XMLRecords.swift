/// Receives a document as a sequence of records, so that the same code reads a small tree and a 200 MB stream.
///
/// The consumer names its *containers*: elements (given as paths below the root, such as `volumeDetail` or
/// `generalInfo/yearBlock`) whose children arrive one at a time. Every other element below the root or a
/// container arrives whole, as a *record*, and is only valid during the call.
public protocol XMLRecordConsumer: AnyObject {
    /// The document element (its attributes are readable; its children may not be there yet).
    /// - Returns: the container paths, or `nil` to stop reading (e.g. an unknown document kind).
    func begin(root: XMLNode) -> Set<String>?
    /// A container starts; its attributes are readable, its children are not.
    func enter(container: XMLNode, path: String)
    /// A complete element directly inside the root or a container, with its absolute path
    /// (e.g. `/executionReport/volumeDetail/item[12]`).
    func record(_ node: XMLNode, in containerPath: String, path: String)
    /// A container ends.
    func exit(container path: String)
}

/// Feeds a parsed tree to an ``XMLRecordConsumer``, in document order.
public enum XMLRecordWalker {
    public static func walk(_ document: XMLDocument, into consumer: any XMLRecordConsumer) {
        guard let root = document.root, let containers = consumer.begin(root: root) else { return }
        walk(children: root, path: "", absolute: "/" + root.name, containers: containers, consumer: consumer)
    }

    private static func walk(children parent: XMLNode, path: String, absolute: String, containers: Set<String>,
                             consumer: any XMLRecordConsumer) {
        var counts: [String: Int] = [:]
        for child in parent.children {
            let name = child.name
            let index = (counts[name] ?? 0) + 1
            counts[name] = index
            // Same rule as XMLNode.path: a position where same-named siblings exist (lists are contiguous).
            let indexed = index > 1 || child.nextElementSibling?.name == name
            let step = indexed ? "\(name)[\(index)]" : name
            let childPath = path.isEmpty ? name : path + "/" + name
            if containers.contains(childPath) {
                consumer.enter(container: child, path: childPath)
                walk(children: child, path: childPath, absolute: absolute + "/" + step, containers: containers,
                     consumer: consumer)
                consumer.exit(container: childPath)
            } else {
                consumer.record(child, in: path, path: absolute + "/" + step)
            }
        }
    }
}

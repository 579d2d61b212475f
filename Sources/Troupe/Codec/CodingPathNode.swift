/// A coder that knows its enclosing coder and its key there, so the coding path is built only
/// when something asks for it (error messages, custom `Codable` code), never per value.
protocol CodingPathNode: AnyObject {
    /// The coder of the enclosing value.
    var parentNode: Self? { get }
    /// This value's key in the enclosing container (nil for array elements and the root).
    var pathKey: (any CodingKey)? { get }
}

extension CodingPathNode {
    /// The keys from the root to this value.
    var pathFromRoot: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: Self? = self
        while let current = node {
            if let key = current.pathKey { path.append(key) }
            node = current.parentNode
        }
        return path.reversed()
    }
}

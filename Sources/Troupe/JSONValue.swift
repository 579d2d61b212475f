/// A parsed JSON document, as content filters see it. Internal: filters are the only user.
///
/// Numbers are `Double` (as in JavaScript and EventBridge). Objects keep their keys in document
/// order so that pattern errors are reported deterministically; a repeated key keeps its last
/// value.
enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object with its keys in document order.
struct JSONObject: Hashable, Sendable {
    /// Keys in the order they first appeared.
    private(set) var keys: [String] = []
    private var members: [String: JSONValue] = [:]

    /// Number of distinct keys.
    var count: Int { keys.count }

    /// The value stored under `key`, if any.
    subscript(key: String) -> JSONValue? {
        get { members[key] }
        set {
            if members.updateValue(newValue ?? .null, forKey: key) == nil { keys.append(key) }
        }
    }
}

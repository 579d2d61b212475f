/// A content-filter pattern was refused when parsing: what is wrong and where.
///
/// `path` names the offending part of the pattern in dotted form with array indices, e.g.
/// `body.amount[0]`; it is empty for problems with the whole text. The description reads
/// `body.amount[0]: numeric needs an operator and a number`.
public struct FilterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem. A struct with static members, so new kinds do not break callers.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// Stable name of the code.
        public let rawValue: String
        /// Wraps a code name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The text is not valid JSON.
        public static let invalidJSON = Code(rawValue: "invalidJSON")
        /// A pattern (the whole filter, `body`, `headers`) is not a JSON object.
        public static let notAnObject = Code(rawValue: "notAnObject")
        /// A top-level key other than `body` and `headers`.
        public static let unknownField = Code(rawValue: "unknownField")
        /// An object pattern without fields (`"customer": {}`).
        public static let emptyPattern = Code(rawValue: "emptyPattern")
        /// A leaf that is not an array of alternatives (`"status": "paid"`).
        public static let leafNotArray = Code(rawValue: "leafNotArray")
        /// An empty array of alternatives, which could never match.
        public static let emptyAlternatives = Code(rawValue: "emptyAlternatives")
        /// An alternative that is neither a value nor an operator object (e.g. a nested array).
        public static let invalidAlternative = Code(rawValue: "invalidAlternative")
        /// An operator object whose key is not `prefix`, `numeric`, `anything-but` or `exists`.
        public static let unknownOperator = Code(rawValue: "unknownOperator")
        /// `prefix` with a value that is not a string.
        public static let invalidPrefix = Code(rawValue: "invalidPrefix")
        /// `numeric` that is not one or two (operator, finite number) pairs.
        public static let invalidNumeric = Code(rawValue: "invalidNumeric")
        /// `anything-but` with something other than a value, a non-empty list or a prefix.
        public static let invalidAnythingBut = Code(rawValue: "invalidAnythingBut")
        /// `exists` with something other than `true` or `false`.
        public static let invalidExists = Code(rawValue: "invalidExists")
        /// A nested object inside `headers`, which is a flat map.
        public static let nestingNotAllowed = Code(rawValue: "nestingNotAllowed")
        /// The pattern exceeds a bound (text size or nesting depth).
        public static let tooComplex = Code(rawValue: "tooComplex")

        /// The code name.
        public var description: String { rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// Where in the pattern, e.g. `body.amount[0]`; empty for the whole text.
    public var path: String
    /// Human-readable detail.
    public var detail: String

    /// Creates an error.
    public init(code: Code, path: String, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    /// `path: detail`, or the detail alone for the whole text.
    public var description: String { path.isEmpty ? detail : "\(path): \(detail)" }
}

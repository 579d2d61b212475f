/// One alternative of a leaf: an exact value or an operator.
enum FilterAlternative: Hashable, Sendable {
    /// A JSON scalar compared for equality.
    enum Scalar: Hashable, Sendable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    /// One `numeric` comparison: event value `op` bound.
    struct Comparison: Hashable, Sendable {
        /// The comparison operators of `numeric`.
        enum Operator: String, Hashable, Sendable, CaseIterable {
            case equal = "="
            case notEqual = "!="
            case less = "<"
            case lessOrEqual = "<="
            case greater = ">"
            case greaterOrEqual = ">="
        }

        var op: Operator
        var bound: Double

        func holds(for value: Double) -> Bool {
            switch op {
            case .equal: value == bound
            case .notEqual: value != bound
            case .less: value < bound
            case .lessOrEqual: value <= bound
            case .greater: value > bound
            case .greaterOrEqual: value >= bound
            }
        }
    }

    case exact(Scalar)
    case prefix(String)
    case numeric([Comparison])
    case anythingBut([Scalar])
    case anythingButPrefix(String)
    case exists(Bool)

    /// Whether a present value matches. Arrays match when any element does (EventBridge);
    /// `exists` looks only at presence. With `headerText`, string values that read as numbers
    /// also compare as numbers (headers are text on the wire).
    func matches(present value: JSONValue, headerText: Bool) -> Bool {
        if case .exists(let wanted) = self { return wanted }
        if case .array(let elements) = value {
            return elements.contains { matches(present: $0, headerText: headerText) }
        }
        switch self {
        case .exact(let scalar):
            return Self.equal(scalar, value, headerText: headerText)
        case .prefix(let prefix):
            guard case .string(let text) = value else { return false }
            return text.utf8.starts(with: prefix.utf8)
        case .numeric(let comparisons):
            guard let number = Self.number(value, headerText: headerText) else { return false }
            return comparisons.allSatisfy { $0.holds(for: number) }
        case .anythingBut(let excluded):
            guard case .object = value else {
                return !excluded.contains { Self.equal($0, value, headerText: headerText) }
            }
            return false
        case .anythingButPrefix(let prefix):
            guard case .string(let text) = value else { return false }
            return !text.utf8.starts(with: prefix.utf8)
        case .exists(let wanted):
            return wanted
        }
    }

    private static func number(_ value: JSONValue, headerText: Bool) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text) where headerText: Double(text)
        default: nil
        }
    }

    private static func equal(_ scalar: Scalar, _ value: JSONValue, headerText: Bool) -> Bool {
        switch (scalar, value) {
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), _): number(value, headerText: headerText) == a
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }
}

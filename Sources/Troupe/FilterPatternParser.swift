/// Turns the JSON of a content filter into ``FieldPattern``s, or a ``FilterError`` with a path.
struct FilterPatternParser {
    /// Nesting bound of a filter's JSON (objects inside objects inside ...).
    static let maximumDepth = 16

    /// Parses the fields of an object pattern found at `path`.
    static func fields(of value: JSONValue, path: String, nested: Bool) throws(FilterError) -> [FieldPattern] {
        guard case .object(let object) = value else {
            throw FilterError(code: .notAnObject, path: path, detail: "a pattern must be a JSON object")
        }
        guard object.count > 0 else {
            throw FilterError(code: .emptyPattern, path: path, detail: "an object pattern needs at least one field")
        }
        var fields: [FieldPattern] = []
        for key in object.keys {
            let fieldPath = path.isEmpty ? key : "\(path).\(key)"
            fields.append(try field(key: key, value: object[key] ?? .null, path: fieldPath, nested: nested))
        }
        return fields
    }

    private static func field(key: String, value: JSONValue, path: String, nested: Bool) throws(FilterError) -> FieldPattern {
        switch value {
        case .object:
            guard nested else {
                throw FilterError(code: .nestingNotAllowed, path: path, detail: "headers are a flat map; nested patterns are not allowed")
            }
            return FieldPattern(key: key, kind: .nested(try fields(of: value, path: path, nested: true)))
        case .array(let elements):
            guard !elements.isEmpty else {
                throw FilterError(code: .emptyAlternatives, path: path, detail: "an array of alternatives must not be empty")
            }
            var alternatives: [FilterAlternative] = []
            for (index, element) in elements.enumerated() {
                alternatives.append(try alternative(element, path: "\(path)[\(index)]"))
            }
            return FieldPattern(key: key, kind: .alternatives(alternatives))
        default:
            throw FilterError(code: .leafNotArray, path: path, detail: "a leaf must be an array of alternatives, e.g. [\"value\"]")
        }
    }

    private static func alternative(_ value: JSONValue, path: String) throws(FilterError) -> FilterAlternative {
        if let scalar = try scalar(value, path: path, code: .invalidAlternative) { return .exact(scalar) }
        guard case .object(let object) = value else {
            throw FilterError(code: .invalidAlternative, path: path, detail: "an alternative must be a value or an operator object")
        }
        guard object.count == 1, let name = object.keys.first, let operand = object[name] else {
            throw FilterError(code: .invalidAlternative, path: path, detail: "an operator object needs exactly one key")
        }
        switch name {
        case "prefix":
            guard case .string(let prefix) = operand else {
                throw FilterError(code: .invalidPrefix, path: path, detail: "prefix needs a string")
            }
            return .prefix(prefix)
        case "numeric":
            return .numeric(try comparisons(operand, path: path))
        case "anything-but":
            return try anythingBut(operand, path: path)
        case "exists":
            guard case .bool(let wanted) = operand else {
                throw FilterError(code: .invalidExists, path: path, detail: "exists needs true or false")
            }
            return .exists(wanted)
        default:
            throw FilterError(code: .unknownOperator, path: path, detail: "unknown operator \"\(name)\"")
        }
    }

    /// A JSON scalar as an exact value; nil for arrays and objects.
    private static func scalar(_ value: JSONValue, path: String, code: FilterError.Code) throws(FilterError) -> FilterAlternative.Scalar? {
        switch value {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .number(let number):
            guard number.isFinite else {
                throw FilterError(code: code, path: path, detail: "number out of range")
            }
            return .number(number)
        case .array, .object: return nil
        }
    }

    private static func comparisons(_ operand: JSONValue, path: String) throws(FilterError) -> [FilterAlternative.Comparison] {
        let problem = FilterError(code: .invalidNumeric, path: path, detail: "numeric needs an operator and a number")
        guard case .array(let items) = operand, items.count == 2 || items.count == 4 else {
            throw FilterError(code: .invalidNumeric, path: path, detail: "numeric needs one or two pairs of an operator and a number")
        }
        var result: [FilterAlternative.Comparison] = []
        for pair in stride(from: 0, to: items.count, by: 2) {
            guard case .string(let symbol) = items[pair] else { throw problem }
            guard let op = FilterAlternative.Comparison.Operator(rawValue: symbol) else {
                throw FilterError(code: .invalidNumeric, path: path, detail: "numeric operator \"\(symbol)\" is not one of = != < <= > >=")
            }
            guard case .number(let bound) = items[pair + 1], bound.isFinite else { throw problem }
            result.append(.init(op: op, bound: bound))
        }
        return result
    }

    private static func anythingBut(_ operand: JSONValue, path: String) throws(FilterError) -> FilterAlternative {
        let detail = "anything-but needs a value, a non-empty list of values or {\"prefix\": \"...\"}"
        switch operand {
        case .array(let items):
            guard !items.isEmpty else { throw FilterError(code: .invalidAnythingBut, path: path, detail: detail) }
            var excluded: [FilterAlternative.Scalar] = []
            for item in items {
                guard let value = try scalar(item, path: path, code: .invalidAnythingBut) else {
                    throw FilterError(code: .invalidAnythingBut, path: path, detail: detail)
                }
                excluded.append(value)
            }
            return .anythingBut(excluded)
        case .object(let object):
            guard object.count == 1, case .string(let prefix)? = object["prefix"] else {
                throw FilterError(code: .invalidAnythingBut, path: path, detail: detail)
            }
            return .anythingButPrefix(prefix)
        default:
            guard let value = try scalar(operand, path: path, code: .invalidAnythingBut) else {
                throw FilterError(code: .invalidAnythingBut, path: path, detail: detail)
            }
            return .anythingBut([value])
        }
    }
}

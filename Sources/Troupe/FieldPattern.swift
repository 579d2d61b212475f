/// One key of an object pattern: either a nested object pattern or a leaf of alternatives.
struct FieldPattern: Hashable, Sendable {
    /// What a field's pattern holds.
    enum Kind: Hashable, Sendable {
        /// Every nested field must match (AND).
        case nested([FieldPattern])
        /// At least one alternative must match (OR).
        case alternatives([FilterAlternative])
    }

    /// The key in the event's object.
    var key: String
    /// The pattern for the value under `key`.
    var kind: Kind

    /// Whether all `fields` match `object` (AND); `object == nil` means "no such object".
    static func allMatch(_ fields: [FieldPattern], in object: JSONObject?, headerText: Bool) -> Bool {
        fields.allSatisfy { $0.matches(object?[$0.key], headerText: headerText) }
    }

    /// Whether the value under this field's key (nil when absent) matches.
    func matches(_ value: JSONValue?, headerText: Bool) -> Bool {
        switch kind {
        case .nested(let fields):
            return Self.nestedMatch(fields, value, headerText: headerText)
        case .alternatives(let alternatives):
            guard let value else {
                return alternatives.contains { $0 == .exists(false) }
            }
            return alternatives.contains { $0.matches(present: value, headerText: headerText) }
        }
    }

    /// An object pattern against a value: objects are looked into, arrays match when any element
    /// does (an empty array counts as absent), anything else has no fields.
    private static func nestedMatch(_ fields: [FieldPattern], _ value: JSONValue?, headerText: Bool) -> Bool {
        switch value {
        case .object(let object):
            return allMatch(fields, in: object, headerText: headerText)
        case .array(let elements) where !elements.isEmpty:
            return elements.contains { nestedMatch(fields, $0, headerText: headerText) }
        default:
            return allMatch(fields, in: nil, headerText: headerText)
        }
    }
}

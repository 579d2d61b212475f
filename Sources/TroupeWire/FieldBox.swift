/// The immutable storage of a value type with copy-on-write fields (``Envelope``,
/// ``NodeIdentity``): the value holds one reference, so a copy is one retain however many
/// strings and buffers the fields hold. Never mutated — a change makes a new box — so values
/// sharing one may cross threads freely.
final class FieldBox<Fields: Sendable>: Sendable {
    /// The fields.
    let fields: Fields

    init(_ fields: Fields) { self.fields = fields }

    /// A box with `field` set to `value`: this one when the field has that value already.
    @inline(__always)
    func setting<Value: Equatable>(_ field: WritableKeyPath<Fields, Value>, to value: Value) -> FieldBox {
        guard fields[keyPath: field] != value else { return self }
        var changed = fields
        changed[keyPath: field] = value
        return FieldBox(changed)
    }
}

/// The immutable storage of a value type with copy-on-write fields (``Envelope``,
/// ``NodeIdentity``): the value holds one reference, so a copy is one retain however many
/// strings and buffers the fields hold. Never mutated — a change makes a new box — so values
/// sharing one may cross threads freely.
final class FieldBox<Fields: Sendable>: Sendable {
    /// The fields.
    let fields: Fields

    init(_ fields: Fields) { self.fields = fields }
}

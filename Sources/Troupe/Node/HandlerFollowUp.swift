/// What a delivery still needs once its handler's turn is over. The handler runs without an
/// async call; the rare follow-ups that send something are carried out after it.
///
/// A type of its own, not nested in the generic `Node`: a nested type would be generic too, and
/// every use would look its metadata up at run time.
enum HandlerFollowUp {
    /// Nothing: handled (acked after the commit), or a copy waiting for its original's commit.
    case none
    /// A NACK: the handler, decoding or an injected fault failed with this error.
    case reject(any Error)
    /// An ack at once: a copy of an event already committed.
    case acknowledge
}

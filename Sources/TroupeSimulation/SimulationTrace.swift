/// The record of a run: one line per thing that happened, folded into a 64-bit FNV-1a hash.
///
/// The hash covers every line in order, so two runs with the same hash did the same things in
/// the same order at the same virtual instants (up to hash collisions). Lines are kept only
/// when asked (`--trace`, shrinking, tests); hashing alone keeps sweeps cheap.
public struct SimulationTrace: Sendable {
    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The FNV-1a hash of every line so far (each followed by a newline).
    public private(set) var hash: UInt64 = Self.offsetBasis
    /// How many lines were appended.
    public private(set) var lineCount = 0
    /// Whether lines are kept in ``lines``.
    public let keepsLines: Bool
    /// The lines, when ``keepsLines``.
    public private(set) var lines: [String] = []

    /// Creates an empty trace.
    public init(keepsLines: Bool) {
        self.keepsLines = keepsLines
    }

    /// Appends `text` at virtual instant `nanoseconds`.
    public mutating func append(at nanoseconds: Int64, _ text: String) {
        let line = Self.format(nanoseconds) + " " + text
        var hash = self.hash
        for byte in line.utf8 {
            hash = (hash ^ UInt64(byte)) &* Self.prime
        }
        self.hash = (hash ^ 0x0A) &* Self.prime
        lineCount += 1
        if keepsLines { lines.append(line) }
    }

    /// The hash as 16 hex digits.
    public var hashText: String { Self.hex(hash) }

    /// `nanoseconds` as seconds with six decimals, e.g. `1.250000s`.
    public static func format(_ nanoseconds: Int64) -> String {
        let micros = nanoseconds / 1000
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction + "s"
    }

    /// `value` as 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

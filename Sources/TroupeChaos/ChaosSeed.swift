/// Derives the seeds of a chaos run: one run seed, a distinct stream per node and per plan.
public enum ChaosSeed {
    /// The seed node `nodeID` uses for a plan applied with `seed`: FNV-1a of the node id mixed
    /// into the seed, so every node draws its own stream and equal inputs give equal streams.
    public static func derive(_ seed: UInt64, nodeID: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in nodeID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        var mixed = seed ^ hash
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

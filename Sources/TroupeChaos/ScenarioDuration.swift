import Foundation

/// Parses the durations of scenario files: `"2s"`, `"1.5s"`, `"500ms"`, `"1m"`, `"2h"`, or a bare
/// number of seconds.
public enum ScenarioDuration {
    /// Milliseconds in `text`, or nil if it is not a duration.
    public static func milliseconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, factor: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            guard let value = Double(trimmed.dropLast(unit.suffix.count)), value >= 0, value.isFinite else { return nil }
            return Int((value * unit.factor).rounded())
        }
        guard let seconds = Double(trimmed), seconds >= 0, seconds.isFinite else { return nil }
        return Int((seconds * 1000).rounded())
    }

    /// `millis` as people write it: `"2s"`, `"1.5s"`, `"250ms"`.
    public static func format(_ millis: Int) -> String {
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        if millis >= 1000 { return "\(Double(millis) / 1000)s" }
        return "\(millis)ms"
    }
}

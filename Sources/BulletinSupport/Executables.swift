import Foundation

/// Programs Bulletin starts (the browser that prints, Tesseract that reads scans), found as a shell would.
public enum Executables {
    /// The first of `names` that is executable in a folder of the `PATH` (`/usr/bin:/bin` when it is unset),
    /// names tried in order before folders.
    public static func find(_ names: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in names {
            for folder in folders where access("\(folder)/\(name)", X_OK) == 0 { return "\(folder)/\(name)" }
        }
        return nil
    }
}

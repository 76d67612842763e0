import Foundation

/// `bulletin import` over files and folders: folders walked in sorted order, deterministic output names, no
/// file overwritten without `force`, one bad file not stopping the others.
public enum ImportBatch {
    public struct Outcome: Sendable {
        /// Per file: the report lines, and the Markdown when it was not written (dry run).
        public var reports: [String] = []
        public var printed: [String] = []
        public var written: [String] = []
        public var failures: [String] = []
    }

    public static func run(_ paths: [String], into folder: URL, options: ImportOptions, dryRun: Bool, force: Bool) -> Outcome {
        var outcome = Outcome()
        for file in expand(paths) {
            let bytes: [UInt8]
            do {
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            } catch {
                outcome.failures.append("\(file): cannot read: \(error.localizedDescription)")
                continue
            }
            let decoded: (text: String, encoding: TextDecoding.Encoding)
            switch TextDecoding.decode(bytes) {
            case .success(let value): decoded = value
            case .failure(let failure):
                outcome.failures.append("\(file): neither UTF-8 nor GB18030 text (undecodable byte at offset \(failure.offset))")
                continue
            }
            let imported = Importer.importText(decoded.text, sourceName: file, encoding: decoded.encoding.rawValue, options: options)
            let target = folder.appending(path: imported.relativePath)
            outcome.reports += imported.report.lines + ["  → \(target.path)"]
            if dryRun {
                outcome.printed.append(imported.markdown)
                continue
            }
            if FileManager.default.fileExists(atPath: target.path) && !force {
                outcome.failures.append("\(file): \(target.path) already exists (use --force to overwrite)")
                continue
            }
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(imported.markdown.utf8).write(to: target)
                outcome.written.append(target.path)
            } catch {
                outcome.failures.append("\(file): cannot write \(target.path): \(error.localizedDescription)")
            }
        }
        return outcome
    }

    /// Files named, and the files below folders named, in sorted order (hidden files skipped).
    static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                files.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey],
                                                            options: [.skipsHiddenFiles])
            var found: [String] = []
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { found.append(url.path) }
            }
            files += found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        return files
    }
}

import Foundation

/// `bulletin import` over files and folders: folders walked in sorted order, deterministic output names, no
/// file overwritten without `force`, one bad file not stopping the others. PDF and Word files can be read each in
/// a child process of its own under time and memory limits, so that one hostile file fails alone.
public enum ImportBatch {
    public struct Outcome: Sendable {
        /// Per file: the report lines, and the Markdown when it was not written (dry run).
        public var reports: [String] = []
        public var printed: [String] = []
        public var written: [String] = []
        public var failures: [String] = []
    }

    /// Where PDF and Word files are read.
    public enum Isolation: Sendable {
        /// In this process (tests, and the worker itself).
        case none
        /// Each by `executable import --read-one FILE` in a child process with these limits.
        case worker(executable: String, limits: FileLimits)
    }

    /// What reading one file may take: processor seconds (wall-clock time is twice that) and address space.
    public struct FileLimits: Sendable {
        public var seconds: Int
        public var megabytes: Int

        public init(seconds: Int = 300, megabytes: Int = 2048) {
            self.seconds = seconds
            self.megabytes = megabytes
        }
    }

    public static func run(_ paths: [String], into folder: URL, options: ImportOptions, dryRun: Bool, force: Bool,
                           isolation: Isolation = .none) -> Outcome {
        var outcome = Outcome()
        for file in expand(paths) {
            let document: SourceDocument
            do {
                switch isolation {
                case .worker(let executable, let limits) where SourceKind(path: file).needsIsolation:
                    document = try readInWorker(file, executable: executable, limits: limits)
                default:
                    document = try read(file)
                }
            } catch {
                outcome.failures.append("\(file): \(error.description)")
                continue
            }
            let imported = Importer.importDocument(document, sourceName: file, options: options)
            let target = folder.appending(path: imported.relativePath)
            outcome.reports += imported.report.lines + ["  → \(target.path)"] + imported.files.map { "  → \(folder.appending(path: $0.path).path)" }
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
                for picture in imported.files {
                    let path = folder.appending(path: picture.path)
                    try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(picture.bytes).write(to: path)
                }
                outcome.written.append(target.path)
            } catch {
                outcome.failures.append("\(file): cannot write \(target.path): \(error.localizedDescription)")
            }
        }
        return outcome
    }

    /// The kinds of file import reads, by name and first bytes.
    enum SourceKind {
        case text, pdf, docx, image, legacyWord

        init(path: String, head: [UInt8] = []) {
            let name = path.lowercased()
            if head.starts(with: Array("%PDF".utf8)) || name.hasSuffix(".pdf") { self = .pdf }
            else if name.hasSuffix(".docx") { self = .docx }
            else if name.hasSuffix(".doc") || name.hasSuffix(".wps") { self = .legacyWord }
            else if [".png", ".jpg", ".jpeg", ".tif", ".tiff"].contains(where: name.hasSuffix) { self = .image }
            else { self = .text }
        }

        var needsIsolation: Bool { self != .text && self != .legacyWord }
    }

    /// One file as a source document, read in this process.
    public static func read(_ file: String) throws(ImportError) -> SourceDocument {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw ImportError("cannot read: \(error.localizedDescription)")
        }
        switch SourceKind(path: file, head: Array(bytes.prefix(8))) {
        case .pdf:
            return try PDFReader.read(bytes)
        case .docx:
            return try DOCXReader.read(URL(fileURLWithPath: file))
        case .legacyWord:
            throw ImportError("\(file.split(separator: ".").last!.uppercased()) files are not read directly: convert them to DOCX first, "
                              + "e.g. soffice --headless --convert-to docx \"\(file)\" (Debian libreoffice-writer-nogui)")
        case .image:
            return try OCR().read(imageFile: file)
        case .text:
            switch TextDecoding.decode(bytes) {
            case .success(let decoded): return .text(decoded.text, encoding: decoded.encoding.rawValue)
            case .failure(let failure):
                throw ImportError("neither UTF-8 nor GB18030 text (undecodable byte at offset \(failure.offset))")
            }
        }
    }

    /// Reads `file` in `executable import --read-one`, a child process with `limits`; its document comes back as JSON.
    static func readInWorker(_ file: String, executable: String, limits: FileLimits) throws(ImportError) -> SourceDocument {
        let arguments = ["import", "--read-one", file, "--time-limit", String(limits.seconds), "--memory-limit", String(limits.megabytes)]
        let reader = try ChildProcess.run(executable, arguments, seconds: limits.seconds * 2)
        if reader.signalled {
            if reader.status == SIGXCPU {
                throw ImportError("stopped: reading it took longer than its time limit of \(limits.seconds) s (--time-limit)")
            }
            if reader.status == SIGKILL {
                throw ImportError("stopped after \(limits.seconds * 2) s without an answer: over its time limit of \(limits.seconds) s "
                                  + "(--time-limit), or stalled at its memory limit of \(limits.megabytes) MB (--memory-limit)")
            }
            throw ImportError("stopped: the reader crashed (signal \(reader.status)), most likely at the memory limit of \(limits.megabytes) MB (--memory-limit)")
        }
        guard reader.status == 0 else {
            throw ImportError(reader.error.isEmpty ? "the reader failed (exit \(reader.status))" : reader.error)
        }
        do {
            return try JSONDecoder().decode(SourceDocument.self, from: reader.output)
        } catch {
            throw ImportError("the reader's answer could not be read: \(error)")
        }
    }

    /// The worker's side: limits set on this process (and the OCR program it starts), then the file read and
    /// written to standard output as JSON. Errors are thrown for the caller to print.
    public static func readOne(_ file: String, limits: FileLimits) throws(ImportError) -> [UInt8] {
        var memory = rlimit(rlim_cur: rlim_t(limits.megabytes) << 20, rlim_max: rlim_t(limits.megabytes) << 20)
        var time = rlimit(rlim_cur: rlim_t(limits.seconds), rlim_max: rlim_t(limits.seconds + 5))
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &time)
        let document = try read(file)
        do {
            return Array(try JSONEncoder().encode(document))
        } catch {
            throw ImportError("cannot encode the document: \(error)")
        }
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

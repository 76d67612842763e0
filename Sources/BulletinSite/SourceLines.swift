import BulletinModel
import BulletinSupport
#if canImport(Glibc)
import Glibc
#endif

extension Array where Element == Diagnostic {
    /// The diagnostics with the source lines still to be read (`sourceLineToRead`) read from their files,
    /// found below `directory` (where the paths diagnostics show are relative to), each file once and the files
    /// side by side. A file that can no longer be read leaves its diagnostics without a line.
    public func readingSourceLines(in directory: String) -> [Diagnostic] {
        var lines: [String: Set<Int>] = [:]
        for diagnostic in self where diagnostic.sourceLineToRead {
            if let location = diagnostic.location { lines[location.file, default: []].insert(location.line) }
        }
        guard !lines.isEmpty else { return self }
        let files = lines.map { (file: $0.key, lines: $0.value) }
        let read = concurrentMap(files.count) { number -> [Int: String] in
            let (file, wanted) = files[number]
            let path = file.hasPrefix("/") ? file : directory + "/" + file
            guard let bytes = FileBytes.read(path) else { return [:] }
            return Self.lines(wanted, of: bytes, path: file)
        }
        let byFile = Dictionary(uniqueKeysWithValues: zip(files.map(\.file), read))
        return map { diagnostic in
            guard diagnostic.sourceLineToRead, let location = diagnostic.location else { return diagnostic }
            var resolved = diagnostic
            resolved.sourceLineToRead = false
            resolved.sourceLine = byFile[location.file]?[location.line]
            return resolved
        }
    }

    /// Lines of a file's bytes as `SourceText` gives them. Without carriage returns the lines are found up to the
    /// last one wanted and only they are validated (validating whole files was most of the time of reporting an
    /// archive's 16,000 warnings); with them, the whole file is decoded.
    private static func lines(_ wanted: Set<Int>, of bytes: [UInt8], path: String) -> [Int: String] {
        guard !bytes.isEmpty else { return [:] }
        let hasCarriageReturn = bytes.withUnsafeBytes { memchr($0.baseAddress!, 0x0D, $0.count) != nil }
        guard !hasCarriageReturn, let last = wanted.max() else {
            guard case .success(let text) = SourceText.decode(bytes, limit: Int.max) else { return [:] }
            let source = SourceText(path: path, text: text)
            return Dictionary(uniqueKeysWithValues: wanted.compactMap { line in source.line(line).map { (line, $0) } })
        }
        return bytes.withUnsafeBufferPointer { file in
            let text = UnsafeBufferPointer(rebasing: file[(file.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)...])
            // One start past the last line wanted, where that line ends.
            let starts = SourceText.lineStarts(of: text, limit: last + 1)
            var found: [Int: String] = [:]
            for number in wanted where number >= 1 && number <= starts.count {
                let end = number < starts.count ? starts[number] - 1 : text.count
                found[number] = String(validUTF8: UnsafeBufferPointer(rebasing: text[starts[number - 1]..<end]))
            }
            return found
        }
    }
}

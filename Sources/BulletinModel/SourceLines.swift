import Dispatch

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
        let read = DispatchQueue.concurrentMap(files.count) { number -> [Int: String] in
            let (file, wanted) = files[number]
            let path = file.hasPrefix("/") ? file : directory + "/" + file
            guard let bytes = FileBytes.read(path), case .success(let text) = SourceText.decode(bytes, limit: Int.max) else { return [:] }
            let source = SourceText(path: file, text: text)
            return Dictionary(uniqueKeysWithValues: wanted.compactMap { line in source.line(line).map { (line, $0) } })
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
}

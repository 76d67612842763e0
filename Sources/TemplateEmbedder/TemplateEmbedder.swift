import Foundation

/// Writes a Swift file declaring `embeddedTemplateFiles`: every file under the templates folder,
/// keyed by its path relative to that folder, as base64 (so any bytes survive unchanged).
#if FUZZING
// Fuzz builds link every executable with libFuzzer, whose `main` calls this first: generate and stop there.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    do {
        try TemplateEmbedder.main()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }
#else
@main
extension TemplateEmbedder {}
#endif

struct TemplateEmbedder {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            FileHandle.standardError.write(Data("usage: TemplateEmbedder TEMPLATES_DIR OUTPUT_FILE\n".utf8))
            exit(2)
        }
        let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
        let output = URL(fileURLWithPath: arguments[2])

        var entries: [(String, String)] = []
        if let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in enumerator {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
                if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                entries.append((relative, try Data(contentsOf: url).base64EncodedString()))
            }
        }
        entries.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }

        var source = "// Generated from templates/ by TemplateEmbedder. Do not edit.\n\n"
        source += "let embeddedTemplateFiles: [(path: String, base64: String)] = [\n"
        for (path, base64) in entries {
            source += "    (path: \"\(path)\", base64: \"\(base64)\"),\n"
        }
        source += "]\n"
        try Data(source.utf8).write(to: output, options: .atomic)
    }
}

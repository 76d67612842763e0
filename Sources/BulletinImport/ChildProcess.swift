import Foundation

/// A program run to its end: its standard output read as it comes, its standard error kept in a temporary file
/// (so neither pipe can fill up and stall it), killed when it outlives `seconds`.
struct ChildProcess {
    var status: Int32
    /// Whether it ended by a signal (`status` is then the signal's number).
    var signalled: Bool
    var output: Data
    var error: String

    static func run(_ executable: String, _ arguments: [String], seconds: Int? = nil) throws(ImportError) -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errorFile = FileManager.default.temporaryDirectory.appending(path: "bulletin-\(getpid())-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: errorFile) }
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do {
            _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorFile)
            try process.run()
        } catch {
            throw ImportError("cannot start \(executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem { kill(pid, SIGKILL) }
        if let seconds { DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(seconds), execute: deadline) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        deadline.cancel()
        return ChildProcess(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, output: data,
                            error: ((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "").trimmingSpaces())
    }
}

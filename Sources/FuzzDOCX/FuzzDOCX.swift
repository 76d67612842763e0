import BulletinFuzzing

#if FUZZING
/// libFuzzer entry point (built by `scripts/fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    (FuzzTargets.docx)(FuzzTargets.bytes(data, size))
    return 0
}
#else
/// Without libFuzzer: replays the files given as arguments through the same code.
@main enum Replay {
    static func main() throws { try FuzzTargets.replay(CommandLine.arguments.dropFirst(), through: FuzzTargets.docx) }
}
#endif

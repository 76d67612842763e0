import BulletinFuzzing
import Foundation

private let root = FuzzTargets.servedFolder()

#if FUZZING
/// libFuzzer entry point (built with `scripts/fuzz`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTargets.serverPath(bytes, root: root)
    return 0
}
#else
/// Without libFuzzer: replays the files given as arguments through the same code.
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            FuzzTargets.serverPath(bytes, root: root)
        }
    }
}
#endif

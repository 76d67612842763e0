import BulletinModel
import BulletinSupport

/// A token's postings while an index is collected: bytes in pieces of at most `pieceSize`, each allocated
/// once at its size when the postings outgrow the first. An array that doubles holds on average 40 % more than
/// its bytes and moves them on every doubling: at 10,000 bulletins the postings took 121 MB for 75 MB of bytes.
struct PostingBytes {
    static let pieceSize = 1024
    /// The longest varint.
    private static let varIntRoom = 10

    /// Full pieces, in order.
    private var pieces: [[UInt8]] = []
    private var sealedBytes = 0
    /// The piece being filled.
    private var tail: [UInt8] = []

    init() {}

    /// Postings made whole elsewhere.
    init(_ bytes: [UInt8]) {
        tail = bytes
    }

    var count: Int { sealedBytes + tail.count }
    var isEmpty: Bool { count == 0 }

    mutating func append(varInt value: Int) {
        if tail.capacity - tail.count < Self.varIntRoom { makeRoom(for: Self.varIntRoom) }
        VarInt.append(value, to: &tail)
    }

    mutating func append(contentsOf bytes: [UInt8]) {
        var start = 0
        while start < bytes.count {
            if tail.capacity == tail.count { makeRoom(for: 1) }
            let end = min(bytes.count, start + tail.capacity - tail.count)
            tail += bytes[start..<end]
            start = end
        }
    }

    /// The bytes in one array.
    func joined() -> [UInt8] {
        guard !pieces.isEmpty else { return tail }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for piece in pieces { bytes += piece }
        bytes += tail
        return bytes
    }

    /// The pieces in order (no empty one): what a file of these bytes is written from.
    var allPieces: [[UInt8]] { tail.isEmpty ? pieces : pieces + [tail] }

    /// Grows the piece being filled by doubling up to `pieceSize`; a full one is sealed and a new one started.
    private mutating func makeRoom(for needed: Int) {
        if tail.capacity < Self.pieceSize {
            tail.reserveCapacity(min(Self.pieceSize, max(tail.count + needed, tail.capacity * 2)))
            if tail.capacity - tail.count >= needed { return }
        }
        sealedBytes += tail.count
        pieces.append(tail)
        tail = []
        tail.reserveCapacity(Self.pieceSize)
    }
}

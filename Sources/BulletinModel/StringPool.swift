/// Equal texts read from many files made one string: labels, units, names, honours and publishers repeat from
/// bulletin to bulletin, and every copy of a text over 15 UTF-8 bytes is an allocation of its own (about a
/// quarter of the memory that 10,000 loaded bulletins took). Safe to share between threads.
public final class StringPool: Sendable {
    private let strings = LockedValue<Set<UTF8Key>>([])

    public init() {}

    /// The pool's string equal (byte for byte) to `string`, which becomes it when there is none.
    public func intern(_ string: String) -> String {
        guard string.utf8.count > 15 else { return string }  // stored inline, not allocated
        let key = UTF8Key(string)
        var interned = string
        strings.update { interned = $0.insert(key).memberAfterInsert.string }
        return interned
    }
}

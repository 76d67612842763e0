import BulletinModel

/// Breaks text into lines by display width, after the Chinese line-breaking rules (禁则): no line starts with
/// closing punctuation or ends with opening punctuation, a number stays with its unit (`27093户`,
/// `19.4万小时`), and Latin words and URLs are never split. A token wider than a line stands alone on it.
public enum LineBreaker {
    /// The lines of `text` at most `width` columns wide, the first starting with `firstPrefix`, the others
    /// with `restPrefix`. `\n` in the text forces a break. No line has trailing spaces.
    public static func wrap(_ text: String, width: Int, firstPrefix: String = "", restPrefix: String = "") -> [String] {
        let scalars = Array(text.unicodeScalars)
        var lines: [String] = []
        // The line is built as UTF-8 bytes: appending scalars to a `String.UnicodeScalarView` was a third of
        // the text edition's time.
        var line: [UInt8] = Array(firstPrefix.utf8)
        line.reserveCapacity(4 * width)
        var lineWidth = DisplayWidth.of(firstPrefix)
        var hasContent = false
        func finishLine() {
            while line.last == UInt8(ascii: " ") { line.removeLast() }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        func flush(next prefix: String) {
            finishLine()
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: prefix.utf8)
            lineWidth = DisplayWidth.of(prefix)
            hasContent = false
        }
        for atom in atoms(of: scalars) {
            if atom.isHardBreak {
                flush(next: restPrefix)
                continue
            }
            var needsSpace = atom.spaceBefore && hasContent
            if hasContent && lineWidth + (needsSpace ? 1 : 0) + atom.width > width {
                flush(next: restPrefix)
                needsSpace = false
            }
            if needsSpace {
                line.append(UInt8(ascii: " "))
                lineWidth += 1
            }
            append(scalars[atom.range], to: &line)
            lineWidth += atom.width
            hasContent = true
        }
        if hasContent || lines.isEmpty {
            finishLine()
        }
        return lines
    }

    /// Appends an atom's scalars as UTF-8, each run of white space inside it (a glued `( x`) as one space.
    private static func append(_ scalars: ArraySlice<Unicode.Scalar>, to line: inout [UInt8]) {
        var inSpace = false
        for scalar in scalars {
            if scalar == " " || scalar == "\t" {
                if !inSpace { line.append(UInt8(ascii: " ")) }
                inSpace = true
            } else {
                UTF8.encode(scalar) { line.append($0) }
                inSpace = false
            }
        }
    }

    /// An unbreakable piece of text: a range of the scalars.
    struct Atom {
        var range: Range<Int>
        var width: Int
        /// Whether white space stood before it (a break opportunity that is dropped at a line end).
        var spaceBefore: Bool
        var isHardBreak = false
    }

    /// Characters that may not start a line.
    static let closing: Set<Unicode.Scalar> = Set("，。、；：？！）》」』】〕〉｝］〗〙〛｠…—–”’％‰·・〃々」』»›:;,.!?)]}%".unicodeScalars)
    /// Characters that may not end a line.
    static let opening: Set<Unicode.Scalar> = Set("（《「『【〔〈｛［“‘〖〘〚｟«‹([{".unicodeScalars)
    /// What may stand between a number and its unit.
    private static let magnitudes: Set<Unicode.Scalar> = Set("万亿千百余多".unicodeScalars)
    /// Units of measure, longest first so `小时` wins over shorter matches.
    private static let units: [[Unicode.Scalar]] = [
        "平方公里", "平方米", "小时", "人次", "公里", "千米", "公斤", "万元", "户", "名", "个", "篇", "册", "次", "项", "家",
        "支", "人", "元", "年", "月", "日", "天", "岁", "米", "倍", "期", "届", "批", "件", "场", "所", "座", "辆", "位",
        "条", "台", "套", "株", "棵", "部", "本", "份", "周", "季", "点", "分", "秒", "号", "种", "类", "处", "间", "张",
        "块", "吨", "斤", "亩", "％", "%", "‰", "°",
    ].map { Array($0.unicodeScalars) }

    /// Whether a line may not start with the scalar; ideographs, the bulk of the text, are answered without
    /// hashing.
    static func isClosing(_ scalar: Unicode.Scalar) -> Bool {
        !(0x4E00...0x9FFF).contains(scalar.value) && closing.contains(scalar)
    }

    /// Whether a line may not end with the scalar.
    static func isOpening(_ scalar: Unicode.Scalar) -> Bool {
        !(0x4E00...0x9FFF).contains(scalar.value) && opening.contains(scalar)
    }

    /// Splits text into atoms: Latin words and numbers with their units whole, each CJK character alone,
    /// then glues closing punctuation to what precedes it and opening punctuation to what follows.
    static func atoms(of text: String) -> [Atom] { atoms(of: Array(text.unicodeScalars)) }

    static func atoms(of scalars: [Unicode.Scalar]) -> [Atom] {
        var atoms: [Atom] = []
        atoms.reserveCapacity(scalars.count)
        var index = 0
        var pendingSpace = false
        func push(_ atom: Atom) {
            if let last = atoms.last, !last.isHardBreak,
               isClosing(scalars[atom.range.lowerBound]) || isOpening(scalars[last.range.upperBound - 1]) {
                atoms[atoms.count - 1].range = last.range.lowerBound..<atom.range.upperBound
                atoms[atoms.count - 1].width += atom.width + (atom.spaceBefore ? 1 : 0)
            } else {
                atoms.append(atom)
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                atoms.append(Atom(range: index..<index + 1, width: 0, spaceBefore: false, isHardBreak: true))
                pendingSpace = false
                index += 1
                continue
            }
            if scalar == " " || scalar == "\t" {
                pendingSpace = true
                index += 1
                continue
            }
            let width = DisplayWidth.of(scalar)
            if width == 0 || (index > 0 && scalars[index - 1] == "\u{200D}"), let last = atoms.last, !last.isHardBreak,
               last.range.upperBound == index {
                atoms[atoms.count - 1].range = last.range.lowerBound..<index + 1
                atoms[atoms.count - 1].width += width
                index += 1
                continue
            }
            var end = index + 1
            var atomWidth = width
            if width == 1 {
                while end < scalars.count, scalars[end] != " ", scalars[end] != "\t", scalars[end] != "\n" {
                    let next = DisplayWidth.of(scalars[end])
                    guard next <= 1 else { break }
                    atomWidth += next
                    end += 1
                }
                if ("0"..."9").contains(scalars[end - 1]) {
                    let unit = unitEnd(scalars, from: end)
                    for scalar in scalars[end..<unit] { atomWidth += DisplayWidth.of(scalar) }
                    end = unit
                }
            }
            push(Atom(range: index..<end, width: atomWidth, spaceBefore: pendingSpace))
            pendingSpace = false
            index = end
        }
        return atoms
    }

    /// Where a number's magnitude words and unit end (`19.4` + `万小时`), starting just after its last digit.
    private static func unitEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        while end < scalars.count && magnitudes.contains(scalars[end]) { end += 1 }
        for unit in units where end + unit.count <= scalars.count && scalars[end..<(end + unit.count)].elementsEqual(unit) {
            return end + unit.count
        }
        return end
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        guard utf8.last == UInt8(ascii: " ") else { return self }
        var result = self
        while result.utf8.last == UInt8(ascii: " ") { result.removeLast() }
        return result
    }
}

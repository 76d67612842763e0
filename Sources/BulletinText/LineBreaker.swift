import BulletinModel

/// Breaks text into lines by display width, after the Chinese line-breaking rules (禁则): no line starts with
/// closing punctuation or ends with opening punctuation, a number stays with its unit (`27093户`,
/// `19.4万小时`), and Latin words and URLs are never split. A token wider than a line stands alone on it.
public enum LineBreaker {
    /// The lines of `text` at most `width` columns wide, the first starting with `firstPrefix`, the others
    /// with `restPrefix`. `\n` in the text forces a break. No line has trailing spaces.
    public static func wrap(_ text: String, width: Int, firstPrefix: String = "", restPrefix: String = "") -> [String] {
        var lines: [String] = []
        var line = firstPrefix
        var lineWidth = DisplayWidth.of(firstPrefix)
        var hasContent = false
        func flush(next prefix: String) {
            lines.append(line.trimmingTrailingSpaces())
            line = prefix
            lineWidth = DisplayWidth.of(prefix)
            hasContent = false
        }
        for atom in atoms(of: text) {
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
                line += " "
                lineWidth += 1
            }
            line += atom.text
            lineWidth += atom.width
            hasContent = true
        }
        if hasContent || lines.isEmpty { lines.append(line.trimmingTrailingSpaces()) }
        return lines
    }

    /// An unbreakable piece of text.
    struct Atom {
        var text: String
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

    /// Splits text into atoms: Latin words and numbers with their units whole, each CJK character alone,
    /// then glues closing punctuation to what precedes it and opening punctuation to what follows.
    static func atoms(of text: String) -> [Atom] {
        let scalars = Array(text.unicodeScalars)
        var raw: [Atom] = []
        var index = 0
        var pendingSpace = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                raw.append(Atom(text: "", width: 0, spaceBefore: false, isHardBreak: true))
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
            if width == 0 || (index > 0 && scalars[index - 1] == "\u{200D}"), !raw.isEmpty, !raw[raw.count - 1].isHardBreak {
                raw[raw.count - 1].text.unicodeScalars.append(scalar)
                raw[raw.count - 1].width += width
                index += 1
                continue
            }
            var end = index + 1
            if width == 1 {
                while end < scalars.count, scalars[end] != " ", scalars[end] != "\t", scalars[end] != "\n",
                      DisplayWidth.of(scalars[end]) <= 1 {
                    end += 1
                }
                if ("0"..."9").contains(scalars[end - 1]) { end = unitEnd(scalars, from: end) }
            }
            let piece = String(String.UnicodeScalarView(scalars[index..<end]))
            raw.append(Atom(text: piece, width: DisplayWidth.of(piece), spaceBefore: pendingSpace))
            pendingSpace = false
            index = end
        }
        var atoms: [Atom] = []
        for atom in raw {
            if let last = atoms.last, !last.isHardBreak, !atom.isHardBreak,
               closing.contains(atom.text.unicodeScalars.first!) || opening.contains(last.text.unicodeScalars.last!) {
                let space = atom.spaceBefore ? " " : ""
                atoms[atoms.count - 1].text += space + atom.text
                atoms[atoms.count - 1].width += space.count + atom.width
            } else {
                atoms.append(atom)
            }
        }
        return atoms
    }

    /// Where a number's magnitude words and unit end (`19.4` + `万小时`), starting just after its last digit.
    private static func unitEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        while end < scalars.count && magnitudes.contains(scalars[end]) { end += 1 }
        for unit in units where end + unit.count <= scalars.count && Array(scalars[end..<(end + unit.count)]) == unit {
            return end + unit.count
        }
        return end
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}

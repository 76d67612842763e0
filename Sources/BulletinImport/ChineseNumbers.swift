/// Chinese numerals as written in mastheads and dates.
enum ChineseNumbers {
    static let digits: [Character: Int] = [
        "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    ]

    /// `305`, `３０５`, `十二`, `二十一`, `一百零五`; nil for anything else.
    static func value(_ text: String) -> Int? {
        let folded = String(text.map { character -> Character in
            guard let scalar = character.unicodeScalars.first, (0xFF10...0xFF19).contains(scalar.value) else { return character }
            return Character(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
        })
        if let number = Int(folded) { return number }
        var total = 0, current = 0
        for character in folded {
            if let digit = digits[character] {
                current = digit
            } else if character == "十" {
                total += (current == 0 ? 1 : current) * 10
                current = 0
            } else if character == "百" {
                total += (current == 0 ? 1 : current) * 100
                current = 0
            } else {
                return nil
            }
        }
        let result = total + current
        return folded.isEmpty ? nil : result
    }

    /// A year written digit by digit: `二〇一七` → 2017.
    static func year(_ text: String) -> Int? {
        if let number = Int(text) { return number }
        var year = 0
        for character in text {
            guard let digit = digits[character] else { return nil }
            year = year * 10 + digit
        }
        return text.count == 4 ? year : nil
    }
}

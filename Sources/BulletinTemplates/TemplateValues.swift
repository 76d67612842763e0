import Mustache

/// A context as swift-mustache reads it fastest: every dictionary as a `TemplateNode`, every string as a
/// `TemplateText`, other values as they are. The engine asks each value it meets whether it conforms to several
/// of its protocols; for `[String: Any]` (a conditional conformance) and for `String` (printed through
/// `String(describing:)`) those questions were a third of rendering a page, and two workers asking at once
/// contend in the runtime's conformance cache. The output is the same.
enum TemplateValues {
    /// `value` with its dictionaries and strings, at any depth, in the engine's fast representation.
    static func prepared(_ value: Any) -> Any {
        switch value {
        case let text as String: TemplateText(text)
        case let dictionary as [String: Any]: TemplateNode(dictionary.mapValues(prepared))
        case let texts as [String]: texts.map(TemplateText.init)  // still sortable
        case let dictionaries as [[String: Any]]: dictionaries.map { TemplateNode($0.mapValues(prepared)) }
        case let array as [Any] where type(of: value) == [Any].self: array.map(prepared)
        default: value
        }
    }
}

/// A dictionary of a context: found by the engine as a `MustacheParent`, with the dictionary's transforms
/// (`count`, `empty`, `enumerated`, `sorted`).
struct TemplateNode: MustacheParent, MustacheTransformable {
    let values: [String: Any]

    init(_ values: [String: Any]) {
        self.values = values
    }

    func child(named name: String) -> Any? { values[name] }

    func transform(_ name: String) -> Any? { values.transform(name) }
}

/// A string of a context: printed as it is (escaped where the template escapes), with the string's transforms
/// (`uppercased`, `empty`…) and ordered as strings are, so that a list of them can be `sorted`. A section on a
/// string puts it on the context stack: as a parent without children, names inside the section are looked up
/// below it at once (a `String` was looked into through `Mirror` first, and had nothing either).
struct TemplateText: MustacheCustomRenderable, MustacheTransformable, MustacheParent, Comparable {
    let renderText: String

    init(_ text: String) {
        renderText = text
    }

    var isNull: Bool { false }

    func child(named name: String) -> Any? { nil }

    func transform(_ name: String) -> Any? { renderText.transform(name).map(TemplateValues.prepared) }

    static func < (left: TemplateText, right: TemplateText) -> Bool { left.renderText < right.renderText }
}

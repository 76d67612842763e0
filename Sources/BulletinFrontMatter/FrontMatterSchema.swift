import Foundation

/// A JSON Schema (draft 2020-12) of bulletin front matter, published as `data/schema.json` for archivists'
/// tools. Numbers that may be written with 万/亿 or separators are strings or numbers.
public enum FrontMatterSchema {
    /// The schema as pretty-printed JSON with sorted keys.
    public static var json: String {
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static var text: [String: Any] { ["type": "string", "minLength": 1] }
    static var textList: [String: Any] { ["oneOf": [text, ["type": "array", "items": text]]] }
    static var date: [String: Any] {
        ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, a real calendar date"]
    }
    static var positiveInteger: [String: Any] {
        ["oneOf": [["type": "integer", "minimum": 1], ["type": "string", "pattern": "^[0-9０-９]+$"]]]
    }
    static var number: [String: Any] {
        [
            "description": "A number; thousands separators and a 万 or 亿 suffix are accepted: 27093, \"27,093\", 989258.5, 19.4万",
            "oneOf": [["type": "number"], ["type": "string", "pattern": "^-?([0-9０-９]{1,3}(,[0-9０-９]{3})+|[0-9０-９]+)([.．][0-9０-９]+)?[万亿]?$"]],
        ]
    }

    static var document: [String: Any] {
        let stat: [String: Any] = [
            "type": "object",
            "required": ["key", "label", "value", "unit"],
            "properties": [
                "key": ["type": "string", "pattern": "^[a-z0-9_]+$", "description": "the same key means the same measure in every bulletin"],
                "label": text, "value": number, "unit": text, "as_of": date, "scope": text,
            ] as [String: Any],
        ]
        let exemplar: [String: Any] = [
            "type": "object",
            "required": ["name", "kind", "honor"],
            "properties": [
                "name": text, "kind": ["enum": ["organization", "project", "community", "person"]], "honor": text,
                "program": text, "conferred_by": text, "year": positiveInteger, "district": text,
            ] as [String: Any],
        ]
        let properties: [String: Any] = [
            "title": text, "series": text,
            "issue": positiveInteger.merging(["description": "第 N 期 within the year of date"]) { $1 },
            "serial": positiveInteger.merging(["description": "总第 N 期, unique within a series"]) { $1 },
            "date": date, "publishers": textList, "summary": text, "tags": textList, "districts": textList,
            "stats": ["type": "array", "items": stat],
            "exemplars": ["type": "array", "items": exemplar],
            "distribution": ["type": "object", "properties": ["report_to": textList, "send_to": textList, "issue_to": textList]],
            "draft": ["type": "boolean"],
            "attachments": ["type": "array", "items": [
                "type": "object", "required": ["file", "title"],
                "properties": ["file": text.merging(["description": "path of the file beside the bulletin"]) { $1 }, "title": text],
            ] as [String: Any]],
        ]
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Bulletin front matter",
            "type": "object",
            "required": ["title", "issue", "date"],
            "description": "series and publishers are required unless content/site.yaml sets defaults",
            "properties": properties,
        ]
    }
}

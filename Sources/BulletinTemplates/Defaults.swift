import Foundation
public enum DefaultTemplatesProbe { public static var all: [String] { embeddedTemplateFiles.map { $0.path + ":" + String(decoding: Data(base64Encoded: $0.base64)!, as: UTF8.self) } } }

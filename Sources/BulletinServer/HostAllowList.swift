/// The names the preview answers to, checked against each request's `Host` header (the port ignored).
///
/// A web page the editor visits can rebind its own name (`evil.example`) to 127.0.0.1 and then read the preview
/// as same-origin, drafts included (DNS rebinding: webpack-dev-server's CVE-2018-14732, Vite's CVE-2025-24010).
/// The browser still sends `Host: evil.example`, so answering only names known to be this machine stops it.
public struct HostAllowList: Sendable, Equatable {
    /// The loopback names always allowed.
    public static let loopback = ["localhost", "127.0.0.1", "[::1]"]

    /// Allowed names, lower-cased, IPv6 addresses in brackets.
    public let names: Set<String>

    /// `localhost`, `127.0.0.1`, `[::1]`, the address the server listens on and `extra`; entries that are not a
    /// host name or address (see `hostName`) are left out.
    public init(listeningOn host: String, extra: [String] = []) {
        names = Set(Self.loopback + ([host] + extra).compactMap(Self.hostName))
    }

    /// The name a `--host` or `--allowed-host` value allows (`Preview.Example:8080` → `preview.example`, `::1` →
    /// `[::1]`); nil when the value is not a host name or address.
    public static func hostName(_ entry: String) -> String? {
        name(entry) ?? name("[\(entry)]")
    }

    /// Whether a request with this `Host` header (nil when it has none) may be answered.
    public func allows(host header: String?) -> Bool {
        guard let header, let name = Self.name(header) else { return false }
        return names.contains(name)
    }

    /// The host of a `Host` header value (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased; nil when the
    /// value is not of that form (a path, a user, spaces, two hosts, a bare IPv6 address, an empty name).
    static func name(_ value: String) -> String? {
        let lowered = value.lowercased()
        let host: Substring, rest: Substring
        if lowered.hasPrefix("[") {
            guard let close = lowered.firstIndex(of: "]") else { return nil }
            host = lowered[...close]
            rest = lowered[lowered.index(after: close)...]
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), host.count > 2 else { return nil }
        } else {
            let colon = lowered.firstIndex(of: ":") ?? lowered.endIndex
            host = lowered[..<colon]
            rest = lowered[colon...]
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "." || c == "_") }
            guard !host.isEmpty, host.allSatisfy(allowed) else { return nil }
        }
        guard rest.isEmpty || rest.first == ":" && rest.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(host)
    }

    /// The plain-text body of the 403 answer to a request for `header` (nil: no `Host` header).
    static func refusal(host header: String?) -> String {
        let given = header.map { value in
            "'" + String(value.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.prefix(100).map(Character.init)) + "'"
        } ?? "no Host header"
        return """
            403 Forbidden: this preview answers only requests addressed to localhost, 127.0.0.1, [::1], the \
            --host it listens on or a name given with --allowed-host; this request was for \(given).
            To open the preview under another name, start it with: bulletin serve --allowed-host NAME

            """
    }
}

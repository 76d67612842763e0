/// The Content-Security-Policy of every page: only the site's own scripts, styles, images (and `data:` images)
/// and fonts, no plugins, no `<base>` or form elsewhere. A bulletin built with `unsafe_html: true` cannot run
/// inline script, inline event handlers or `javascript:` URLs, nor load anything from another origin. The
/// default `layout` template carries this `<meta>` (a test keeps the two equal); `frame-ancestors` is left out,
/// since browsers ignore it in a `<meta>`.
public enum ContentSecurityPolicy {
    public static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"

    /// The policy as the `<meta>` element pages carry at the top of their `<head>`.
    public static let meta = "<meta http-equiv=\"Content-Security-Policy\" content=\"\(policy)\">"
}

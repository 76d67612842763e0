// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Bulletin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bulletin", targets: ["bulletin"]),
        .library(name: "BulletinSite", targets: ["BulletinSite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // libcmark from Debian's libcmark-dev; only BulletinMarkdown imports it.
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // Support code: file bytes and stamps, stable digests, the parallel map, a locked value, HTML escaping. No dependencies.
        .target(name: "BulletinSupport"),
        // Domain values and diagnostics.
        .target(name: "BulletinModel", dependencies: ["BulletinSupport"]),
        // The memo around the build's stages: what one build keeps for the next, keyed by the inputs' digests.
        .target(name: "BulletinMemo", dependencies: ["BulletinSupport"]),
        // Splitting files into front matter and body; YAML to typed values (only importer of Yams).
        .target(
            name: "BulletinFrontMatter",
            dependencies: ["BulletinModel", "BulletinSupport", .product(name: "Yams", package: "Yams")]
        ),
        // Table blocks' rows: CSV and TSV, UTF-8 or GB18030 files (only importer of CSV.swift).
        .target(name: "BulletinTables", dependencies: ["BulletinModel", .product(name: "CSV", package: "CSV.swift")]),
        // Markdown to HTML and a Swift syntax tree (only importer of libcmark).
        .target(name: "BulletinMarkdown", dependencies: ["BulletinModel", "BulletinSupport", "BulletinTables", "CCmark"]),
        // What the bulletins say together: stats over time, exemplars, taxonomies, continuity.
        .target(name: "BulletinAggregates", dependencies: ["BulletinModel"]),
        // SVG charts drawn at build time.
        .target(name: "BulletinCharts", dependencies: ["BulletinModel", "BulletinSupport"]),
        // The plain-text edition: CJK line breaking and the printed layout in text.
        .target(name: "BulletinText", dependencies: ["BulletinModel", "BulletinMarkdown"]),
        // The static full-text search index and its tokenizer (the search page's script follows the same rules).
        .target(name: "BulletinSearch", dependencies: ["BulletinModel", "BulletinSupport"]),
        // View models and template rendering (only importer of swift-mustache); ships the default templates.
        .target(
            name: "BulletinTemplates",
            dependencies: ["BulletinModel", "BulletinSupport", .product(name: "Mustache", package: "swift-mustache")],
            plugins: ["EmbedTemplatesPlugin"]
        ),
        // Build-time embedding of `templates/` (the one copy of the defaults) into BulletinTemplates.
        .executableTarget(name: "TemplateEmbedder", path: "Sources/TemplateEmbedder"),
        .plugin(
            name: "EmbedTemplatesPlugin",
            capability: .buildTool(),
            dependencies: ["TemplateEmbedder"],
            path: "Sources/EmbedTemplatesPlugin"
        ),
        // libvips from Debian's libvips-dev; only BulletinVipsShim includes it.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        // Non-variadic C wrappers around the few libvips calls BulletinImages needs (Swift cannot call variadic C).
        .target(name: "BulletinVipsShim", dependencies: ["CVips"]),
        // Responsive, metadata-free image variants (only importer of BulletinVipsShim).
        .target(name: "BulletinImages", dependencies: ["BulletinVipsShim"]),
        // qpdf from Debian's libqpdf-dev: PDFs rewritten with their document information, reproducibly.
        .systemLibrary(name: "CQPDF", pkgConfig: "libqpdf", providers: [.apt(["libqpdf-dev"])]),
        // poppler from Debian's libpoppler-glib-dev: where text lies on a printed page.
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        // The print edition: pages printed to PDF by headless Chromium over the DevTools protocol, read back by
        // poppler, finished by qpdf.
        .target(name: "BulletinPrint", dependencies: ["BulletinModel", "BulletinSupport", "CQPDF", "CPoppler"]),
        // renameat2(RENAME_EXCHANGE), which glibc declares only under _GNU_SOURCE: the atomic swap of the output.
        .target(name: "BulletinFileShim"),
        // Loading, validating, rendering and writing a whole site (SHA-256 of published files from swift-crypto).
        .target(
            name: "BulletinSite",
            dependencies: [
                "BulletinSupport", "BulletinModel", "BulletinFrontMatter", "BulletinMarkdown", "BulletinText", "BulletinAggregates",
                "BulletinCharts", "BulletinTemplates", "BulletinSearch", "BulletinMemo", "BulletinImages", "BulletinPrint",
                "BulletinFileShim", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Importing bulletins from text, PDF (poppler; Tesseract for scans) and Word files (only importer of
        // ZIPFoundation).
        .target(
            name: "BulletinImport",
            dependencies: ["BulletinModel", "BulletinSupport", "CPoppler", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        // The live preview server (only importer of FlyingFox).
        .target(
            name: "BulletinServer",
            dependencies: [
                "BulletinModel", "BulletinSupport", "BulletinSite",
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        // Command-line interface (only importer of swift-argument-parser).
        .target(
            name: "BulletinCLI",
            dependencies: [
                "BulletinSupport", "BulletinSite", "BulletinServer", "BulletinImport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "bulletin", dependencies: ["BulletinCLI"]),
        // What each fuzz target does with one input, shared by the fuzzers and the regression tests.
        .target(
            name: "BulletinFuzzing",
            dependencies: [
                "BulletinModel", "BulletinFrontMatter", "BulletinAggregates", "BulletinImport", "BulletinServer", "BulletinSite",
                "BulletinSearch", "BulletinTables",
            ]
        ),
    ]
        // libFuzzer targets: `scripts/fuzz` builds them with `--sanitize=fuzzer -Xswiftc -DFUZZING`; otherwise
        // they replay the input files given as arguments.
        + ["FuzzFrontMatter", "FuzzRender", "FuzzTable", "FuzzImport", "FuzzDOCX", "FuzzPaths", "FuzzServerPath"].map { name in
            .executableTarget(name: name, dependencies: ["BulletinFuzzing"])
        }
        + [
        .testTarget(
            name: "BulletinTests",
            dependencies: [
                "BulletinSupport", "BulletinModel", "BulletinFrontMatter", "BulletinTables", "BulletinMarkdown", "BulletinText",
                "BulletinAggregates", "BulletinCharts", "BulletinTemplates", "BulletinSearch", "BulletinMemo", "BulletinImages",
                "BulletinVipsShim", "BulletinPrint", "BulletinSite", "BulletinServer", "BulletinImport", "BulletinCLI", "BulletinFuzzing", "bulletin",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Fixtures", "Golden"]
        ),
    ]
)

#!/usr/bin/env python3
"""Bulletin's search index against Pagefind on the same generated archive (a benchmark, not a test).

usage: Benchmarks/search_pagefind.py [--bulletins N] [--work DIR]

Generates N bulletins (default 10,000) with ../shared/bench/gen_corpus.py, builds them with the release
`bulletin`, indexes the bulletin pages of that output with Pagefind (`pagefind-bin` from PyPI), serves the
site on 127.0.0.1 and runs the queries in headless Chromium (Selenium), each with a cold index:
- total index bytes of both;
- for 30 substring queries (names, places and phrases of two to six characters): bulletins found by ours,
  by a brute-force scan of the sources and by Pagefind, and bytes each fetched for the query;
- every distinct two-character CJK substring of the archive: the bulletins ours finds against the scan.
Ours must equal the scan; Pagefind's counts are reported. Prints a table and exits 1 if ours differs.
"""
import argparse
import functools
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from browser_check import QuietHandler, browser  # noqa: E402

SERVED = []  # (path, bytes) of every file served, for what a query fetched (Pagefind's worker included)


class CountingHandler(QuietHandler):
    def do_GET(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            SERVED.append((self.path.split("?")[0], os.path.getsize(path)))
        super().do_GET()


def serve(directory):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CountingHandler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server

QUERIES = ["青荷", "小青荷", "家庭志愿者", "志愿服务", "雷锋", "微笑亭", "公羊会", "快乐直通车", "河小二", "三原色",
           "北干一苑", "兴安社区", "垃圾分类", "文化礼堂", "最美杭州人", "道德模范", "西湖区", "拱墅区", "支付宝",
           "留守儿童", "杭州模式", "志愿汇", "尼泊尔", "厄瓜多尔", "英语角", "雷锋列车", "银龄互助", "护苗行动",
           "爱心暑托班", "施志平"]


def ensure_tools():
    try:
        import selenium  # noqa: F401
        import yaml  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "selenium", "pyyaml"], check=True)
    if subprocess.run([sys.executable, "-m", "pagefind_bin", "--version"], capture_output=True).returncode != 0:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pagefind-bin"], check=True)


def normalize(text):
    return "".join(c.lower() for c in unicodedata.normalize("NFKC", text))


def plain_body(markdown):
    """The body's text as the site renders it, for the scan: headings, list markers, emphasis and links stripped."""
    lines = []
    for line in markdown.splitlines():
        line = re.sub(r"^(#{1,6} |- |\d+\. )", "", line)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line).replace("**", "")
        lines.append(line)
    return "\n".join(lines)


def scan_corpus(corpus):
    """Each source bulletin's URL and its searchable texts, normalised, from the Markdown files themselves."""
    import yaml
    documents = {}
    for folder, _, files in os.walk(os.path.join(corpus, "content", "bulletins")):
        for name in files:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as file:
                _, front, body = file.read().split("---\n", 2)
            meta = yaml.safe_load(front)
            url = f"bulletins/{str(meta['date'])[:4]}/{meta.get('serial', meta['issue'])}/"
            texts = [meta["title"], plain_body(body)]
            for exemplar in meta.get("exemplars") or []:
                texts += [exemplar["name"], exemplar.get("honor", ""), exemplar.get("program", ""), exemplar.get("conferred_by", "")]
            for stat in meta.get("stats") or []:
                texts += [stat.get("label", ""), str(stat.get("value", "")) + stat.get("unit", ""), stat.get("scope", "")]
            texts += (meta.get("tags") or []) + (meta.get("districts") or [])
            documents[url] = [normalize(str(text)) for text in texts if text]
    return documents


def is_cjk(character):
    code = ord(character)
    return (0x3005 <= code <= 0x3007 or 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x323AF)


def checksum(ids):
    return [len(ids), sum((i * 2654435761) % 4294967296 for i in ids) % 4294967296]


def folder_bytes(path, skip=(), only=None):
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            if name not in skip and (only is None or re.search(only, name)):
                total += os.path.getsize(os.path.join(folder, name))
    return total


def files_in(path):
    return sum(len(files) for _, _, files in os.walk(path))


OURS = """
const [query, done] = arguments;
const index = new BulletinSearch.Index('/search/');
index.search(query).then(r => done({ids: r.results.map(x => x.id), bytes: index.bytesFetched}),
                         e => done({error: String(e)}));
"""

ALL_BIGRAMS = """
const [bigrams, done] = arguments;
const index = new BulletinSearch.Index('/search/');
(async () => {
  const sums = {};
  for (const bigram of bigrams) {
    const ids = (await index.search(bigram)).results.map(x => x.id).sort((a, b) => a - b);
    let sum = 0;
    for (const id of ids) sum = (sum + Number((BigInt(id) * 2654435761n) % 4294967296n)) % 4294967296;
    sums[bigram] = [ids.length, sum];
  }
  return sums;
})().then(done, e => done({error: String(e)}));
"""

PAGEFIND = """
const [query, done] = arguments;
import('/pagefind/pagefind.js').then(async pagefind => {
  await pagefind.init();
  const search = await pagefind.search(query);
  done({count: search.results.length});
}, e => done({error: String(e)}));
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bulletins", type=int, default=10000)
    parser.add_argument("--work", default="/dev/shm/bulletin-search-bench")
    args = parser.parse_args()
    ensure_tools()
    corpus, site = os.path.join(args.work, "corpus"), os.path.join(args.work, "site")
    os.makedirs(args.work, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py"), corpus, str(args.bulletins)],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(corpus, "content", "site.yaml"), "a", encoding="utf-8") as file:
        file.write("stat_conflicts: warning\n")  # the generator repeats key/scope/date with other values
    subprocess.run(["swift", "build", "-c", "release", "--product", "bulletin"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    started = time.monotonic()
    subprocess.run([os.path.join(ROOT, ".build", "release", "bulletin"), "build", "--source", corpus, "--destination", site],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_build = time.monotonic() - started
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "pagefind_bin", "--site", site, "--glob", "bulletins/*/*/index.html", "--quiet"],
                   check=True)
    pagefind_build = time.monotonic() - started

    documents = scan_corpus(corpus)
    urls = {}
    for name in os.listdir(os.path.join(site, "search", "docs")):
        chunk = int(name.split(".")[0])
        with open(os.path.join(site, "search", "docs", name), encoding="utf-8") as file:
            for offset, entry in enumerate(json.load(file)):
                urls[entry["url"]] = chunk * 50 + offset
    assert set(urls) == set(documents), "the index and the sources list different bulletins"

    def scan(query):
        needle = normalize(query)
        return sorted(urls[url] for url, texts in documents.items() if any(needle in text for text in texts))

    bigram_sets = {}
    for url, texts in documents.items():
        for text in texts:
            for a, b in zip(text, text[1:]):
                if is_cjk(a) and is_cjk(b):
                    bigram_sets.setdefault(a + b, set()).add(urls[url])

    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = browser()
    driver.set_script_timeout(1800)
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    rows, failures = [], 0
    try:
        for query in QUERIES:
            driver.get(base + "search/")
            ours = driver.execute_async_script(OURS, query)
            driver.get(base + "search/")
            driver.execute_cdp_cmd("Network.clearBrowserCache", {})  # Pagefind's worker fetches past the page's cache setting
            SERVED.clear()
            theirs = driver.execute_async_script(PAGEFIND, query)
            fetched = [(path, size) for path, size in SERVED if path.startswith("/pagefind/")]
            theirs["index"] = sum(size for path, size in fetched if not re.search(r"\.js$|wasm", path))
            expected = scan(query)
            if "error" in ours or "error" in theirs:
                raise SystemExit(f"{query}: {ours.get('error') or theirs.get('error')}")
            same = sorted(ours["ids"]) == expected
            failures += not same
            rows.append((query, len(ours["ids"]), len(expected), theirs["count"], ours["bytes"], theirs["index"], same))
        driver.get(base + "search/")
        bigrams = sorted(bigram_sets)
        sums = driver.execute_async_script(ALL_BIGRAMS, bigrams)
        if "error" in sums:
            raise SystemExit(sums["error"])
        wrong = [b for b in bigrams if sums[b] != checksum(sorted(bigram_sets[b]))]
    finally:
        driver.quit()
        server.shutdown()

    ours_total = folder_bytes(os.path.join(site, "search"), skip=("index.html",))
    pagefind_total = folder_bytes(os.path.join(site, "pagefind"))
    print(f"{args.bulletins} bulletins; bulletin build {ours_build:.1f} s (whole site), Pagefind indexing {pagefind_build:.1f} s")
    pagefind_code = folder_bytes(os.path.join(site, "pagefind"), only=r"^pagefind(-worker)?\.js$|^wasm\.")
    print(f"index size: ours {ours_total / 1e6:.1f} MB in {files_in(os.path.join(site, 'search')) - 1} files; Pagefind "
          f"{(pagefind_total - pagefind_code) / 1e6:.1f} MB in {files_in(os.path.join(site, 'pagefind'))} files, "
          f"plus {pagefind_code / 1024:.0f} KB of JavaScript and WebAssembly a first query also loads")
    print()
    print("bulletins found and index bytes fetched by each query, cold (Pagefind: index files, not its code)")
    print(f"{'query':<8} {'ours':>6} {'scan':>6} {'Pagefind':>8} {'ours KB':>8} {'Pagefind KB':>11}")
    for query, ours, expected, theirs, ours_bytes, theirs_index, same in rows:
        mark = "" if same else "  <- differs from the scan"
        print(f"{query:<8} {ours:>6} {expected:>6} {theirs:>8} {ours_bytes / 1024:>8.0f} {theirs_index / 1024:>11.0f}{mark}")
    ours_bytes = [row[4] for row in rows]
    theirs_bytes = [row[5] for row in rows]
    print()
    print(f"index bytes per query: ours median {statistics.median(ours_bytes) / 1024:.0f} KB, largest "
          f"{max(ours_bytes) / 1024:.0f} KB; Pagefind median {statistics.median(theirs_bytes) / 1024:.0f} KB, largest "
          f"{max(theirs_bytes) / 1024:.0f} KB")
    two = [row for row in rows if len(row[0]) == 2]
    print(f"two-character queries: ours {statistics.median([r[4] for r in two]) / 1024:.0f} KB median, "
          f"Pagefind {statistics.median([r[5] for r in two]) / 1024:.0f} KB")
    print(f"queries equal to the scan: ours {len(rows) - failures}/{len(rows)}, Pagefind "
          f"{sum(1 for r in rows if r[3] == r[2])}/{len(rows)}")
    print(f"every two-character CJK substring ({len(bigrams)}): ours equals the scan for {len(bigrams) - len(wrong)}"
          + (f"; differs for {wrong[:10]}" if wrong else ""))
    return 1 if failures or wrong else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Scores `bulletin import` against the genre fixtures.

    python3 scripts/import_check.py [--binary .build/debug/bulletin]
        [--fixtures Tests/BulletinTests/Fixtures/import/genres] [--min 0.9] [--min-chars 0.85] [--verbose]
        [--genre NAME]

For every genre folder (one holding expected.yaml) and every source in it (source.txt, source.docx,
source.pdf) it runs `BINARY import --dry-run FILE` in an empty temporary folder (so no content/site.yaml there
lends a default series), reads the Markdown printed on standard output and counts decisions against
expected.yaml (see the README.md beside the fixtures for the format):

  fields        each of title, series, issue, serial, date, publishers: equal (a null one: the key is absent)
  distribution  each expected 版记 key equal; each unexpected key present is one more wrong decision
  headings      each expected [level, text] found as a `##`/`###` line, in order
  run_in        each lead phrase opens some paragraph in bold: `**phrase。**…` or `**phrase**。…`
  paragraphs    each 12-character opening starts some body paragraph (`**` and whitespace removed)
  not_in_body   each string absent from the body (HTML comments are not body)
  tables        each table equal to some ```table block (rows read as CSV, or TSV when the first has a tab)
  stats_absent  each figure is no `value:` of the front matter's stats

Strings are compared with whitespace removed (spacing is not scored). A folder holding truth.txt also gets a
character accuracy for its PDF: 1 − Levenshtein(body, truth) / len(truth), over headings and paragraphs with
whitespace, `#`, `**` and comments removed. An import that exits non-zero scores 0 and its stderr is printed.
Exit status 1 when some file is below --min (or its character accuracy below --min-chars).

With --roundtrip BULLETIN.md it also prints the bulletin as its print edition (`BINARY render --format pdf`,
which needs chromium), imports that PDF and requires the fields the page shows (title, series, issue, serial,
date, publishers, distribution) and every body block (paragraphs, headings, tables) to come back exactly.

Hidden, for checking this script: `--markdown FILE --genre NAME [--variant txt|docx|pdf]` scores a Markdown
file instead of running the binary.
"""

import argparse
import csv
import datetime
import os
import re
import subprocess
import sys
import tempfile

import yaml

SOURCES = ["source.txt", "source.docx", "source.pdf"]
FIELD_KEYS = ["title", "series", "issue", "serial", "date", "publishers"]
DISTRIBUTION_KEYS = ["report_to", "send_to", "issue_to"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ------------------------------------------------------------------------------------------------ reading

def nospace(text):
    return re.sub(r"\s+", "", str(text))


def load_expected(folder, variant):
    with open(os.path.join(folder, "expected.yaml"), encoding="utf-8") as handle:
        expected = yaml.safe_load(handle) or {}
    override = (expected.pop("variants", None) or {}).get(variant) or {}
    for key, value in override.items():
        if key == "fields":
            expected["fields"] = {**(expected.get("fields") or {}), **(value or {})}
        else:
            expected[key] = value
    return expected


def split_markdown(markdown):
    """(front matter as a dict, body text, problem or None)."""
    text = markdown.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, "no front matter (the output does not start with ---)"
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            front_text = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:])
            try:
                front = yaml.safe_load(front_text) or {}
            except yaml.YAMLError as error:
                return {}, body, f"front matter is not YAML: {error}".replace("\n", " ")
            if not isinstance(front, dict):
                return {}, body, "front matter is not a mapping"
            return front, body, None
    return {}, text, "front matter has no closing ---"


FENCE = re.compile(r"^(`{3,}|~{3,})\s*(.*)$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)


def parse_body(body):
    """Blocks of the body: dicts with kind heading (level, text), paragraph (text), table (rows, info),
    code, comment, image."""
    blocks, current = [], []
    lines = body.split("\n")

    def flush():
        if current:
            text = "".join(line.strip() for line in current)
            text = COMMENT.sub("", text).strip()
            if text:
                kind = "image" if re.fullmatch(r"(!\[[^\]]*\]\([^)]*\)\s*)+", text) else "paragraph"
                blocks.append({"kind": kind, "text": text})
            current.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        fence = FENCE.match(stripped)
        if fence:
            flush()
            marker, info = fence.group(1), fence.group(2).strip()
            content = []
            index += 1
            while index < len(lines) and not (lines[index].strip().startswith(marker[0] * len(marker))
                                              and lines[index].strip().strip(marker[0]) == ""):
                content.append(lines[index])
                index += 1
            index += 1
            if info.startswith("table"):
                blocks.append({"kind": "table", "info": info, "rows": table_rows(content)})
            else:
                blocks.append({"kind": "code", "text": "\n".join(content)})
            continue
        if stripped.startswith("<!--"):
            flush()
            comment = [line]
            while "-->" not in lines[index] and index + 1 < len(lines):
                index += 1
                comment.append(lines[index])
            blocks.append({"kind": "comment", "text": "\n".join(comment)})
            index += 1
            continue
        if not stripped:
            flush()
        elif HEADING.match(stripped):
            flush()
            match = HEADING.match(stripped)
            blocks.append({"kind": "heading", "level": len(match.group(1)), "text": match.group(2)})
        else:
            current.append(line)
        index += 1
    flush()
    return blocks


def table_rows(content):
    lines = [line for line in content if line.strip()]
    if not lines:
        return []
    delimiter = "\t" if "\t" in lines[0] else ","
    return [row for row in csv.reader(lines, delimiter=delimiter)]


def scalar(value):
    """A front-matter value as the string it compares as."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, bool):
        return str(value).lower()
    return nospace(value)


def stat_number(value):
    text = nospace(value).strip("\"'").replace(",", "").rstrip("%")
    try:
        return float(text)
    except ValueError:
        return text


# ------------------------------------------------------------------------------------------------ scoring

class Decision:
    def __init__(self, ok, what, expected, got):
        self.ok, self.what, self.expected, self.got = ok, what, expected, got

    def __str__(self):
        return f"{self.what}: expected {self.expected}, got {self.got}"


def show(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    return repr(value)


def short(text, length=40):
    text = str(text)
    return text if len(text) <= length else text[:length] + "…"


def score(expected, markdown):
    front, body, problem = split_markdown(markdown)
    blocks = parse_body(body)
    decisions = []

    # fields
    fields = expected.get("fields") or {}
    for key in FIELD_KEYS:
        if key not in fields:
            continue
        want = fields[key]
        if want is None:
            ok = key not in front
            decisions.append(Decision(ok, f"field {key}", "absent", "absent" if ok else show(front.get(key))))
            continue
        got = front.get(key)
        if isinstance(want, list):
            ok = isinstance(got, list) and [scalar(x) for x in got] == [scalar(x) for x in want]
        else:
            ok = got is not None and not isinstance(got, (list, dict)) and scalar(got) == scalar(want)
        decisions.append(Decision(ok, f"field {key}", show(want), "absent" if key not in front else show(got)))

    # distribution
    want_distribution = expected.get("distribution") or {}
    got_distribution = front.get("distribution")
    if not isinstance(got_distribution, dict):
        got_distribution = {}
    for key, want in want_distribution.items():
        got = got_distribution.get(key)
        ok = isinstance(got, list) and [nospace(x) for x in got] == [nospace(x) for x in want]
        decisions.append(Decision(ok, f"distribution {key}", want, got if key in got_distribution else "absent"))
    for key, got in got_distribution.items():
        if key not in want_distribution:
            decisions.append(Decision(False, f"distribution {key}", "absent", got))

    # headings, in order
    headings = [(b["level"], nospace(b["text"].replace("**", ""))) for b in blocks if b["kind"] == "heading"]
    position = 0
    for level, text in expected.get("headings") or []:
        want = (int(level), nospace(text))
        found = next((j for j in range(position, len(headings)) if headings[j] == want), None)
        if found is not None:
            position = found + 1
            decisions.append(Decision(True, f"heading {'#' * want[0]} {text}", "", ""))
            continue
        same_text = [h for h in headings if h[1] == want[1]]
        if same_text and same_text[0][0] != want[0]:
            got = f"level {same_text[0][0]}"
        elif same_text:
            got = "out of order"
        else:
            inside = [b for b in blocks if b["kind"] == "paragraph" and want[1] in nospace(b["text"].replace("**", ""))]
            got = f"inside paragraph “{short(inside[0]['text'], 20)}”" if inside else "no such heading"
        decisions.append(Decision(False, f"heading {'#' * want[0]} {text}", "a heading", got))

    paragraphs = [b["text"] for b in blocks if b["kind"] == "paragraph"]
    flat_paragraphs = [nospace(p.replace("**", "")) for p in paragraphs]

    # run-in lead phrases
    for phrase in expected.get("run_in") or []:
        lead = re.escape(nospace(phrase))
        pattern = re.compile(r"^\*\*" + lead + r"(?:[。！？]\*\*|\*\*[。！？])")
        ok = any(pattern.match(nospace(p)) for p in paragraphs)
        got = ""
        if not ok:
            starts = [p for p in paragraphs if nospace(p.replace("**", "")).startswith(nospace(phrase))]
            got = f"“{short(starts[0], 30)}”" if starts else "no paragraph starting with it"
        decisions.append(Decision(ok, f"run-in **{phrase}。**", "bold lead", got))

    # paragraph openings
    for opening in expected.get("paragraphs") or []:
        want = nospace(opening)
        ok = any(p.startswith(want) for p in flat_paragraphs)
        got = ""
        if not ok:
            inside = [p for p in flat_paragraphs if want in p]
            heading = [h for h in headings if h[1].startswith(want) or want in h[1]]
            if inside:
                got = f"inside paragraph “{short(inside[0], 16)}”"
            elif heading:
                got = f"a heading ({'#' * heading[0][0]})"
            else:
                got = "not found"
        decisions.append(Decision(ok, f"paragraph “{opening}”", "a paragraph starting so", got))

    # strings that are not body
    visible = nospace(COMMENT.sub("", body))
    for text in expected.get("not_in_body") or []:
        where = visible.find(nospace(text))
        ok = where < 0
        decisions.append(Decision(ok, f"not in body “{text}”", "absent",
                                  "" if ok else f"present: …{visible[max(0, where - 8):where + len(nospace(text)) + 8]}…"))

    # tables
    tables = [b["rows"] for b in blocks if b["kind"] == "table"]
    for number, want in enumerate(expected.get("tables") or [], 1):
        want_rows = [[nospace(cell) for cell in row] for row in want]
        ok = any([[nospace(cell) for cell in row] for row in rows] == want_rows for rows in tables)
        got = ""
        if not ok:
            got = f"{len(tables)} table(s) in the body" + (
                f", the first: {tables[0][:2]}…" if tables else "")
        decisions.append(Decision(ok, f"table {number} ({want[0]})", f"{len(want)} rows", got))

    # figures that are not stats
    stats = front.get("stats") if isinstance(front.get("stats"), list) else []
    for figure in expected.get("stats_absent") or []:
        want = stat_number(figure)
        hits = [s for s in stats if isinstance(s, dict) and "value" in s and stat_number(s["value"]) == want]
        decisions.append(Decision(not hits, f"not a stat {figure}", "no stat",
                                  "" if not hits else f"stat {hits[0].get('key')} = {hits[0].get('value')}"
                                                      f" {hits[0].get('unit', '')}"))
    return decisions, problem, blocks


def levenshtein(a, b):
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def character_accuracy(blocks, truth):
    text = "".join(b["text"] for b in blocks if b["kind"] in ("heading", "paragraph"))
    text = nospace(COMMENT.sub("", text).replace("**", "").replace("#", ""))
    truth = nospace(truth)
    if not truth:
        return 1.0
    return max(0.0, 1 - levenshtein(text, truth) / len(truth))


# ------------------------------------------------------------------------------------------------ running

def run_import(binary, path, timeout):
    """(markdown or None, stderr)."""
    with tempfile.TemporaryDirectory() as empty:
        try:
            result = subprocess.run([binary, "import", "--dry-run", path], cwd=empty, capture_output=True,
                                    timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout} s"
        except OSError as error:
            return None, str(error)
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        return None, f"exit status {result.returncode}\n{stderr}"
    return result.stdout.decode("utf-8", "replace"), stderr


def roundtrip(binary, source, timeout):
    """The print edition of `source` imported: one decision per shown field, one per body block."""
    with open(source, encoding="utf-8") as handle:
        original = handle.read()
    with tempfile.TemporaryDirectory() as scratch:
        pdf = os.path.join(scratch, "bulletin.pdf")
        printed = subprocess.run([binary, "render", source, "--format", "pdf", "--output", pdf], capture_output=True,
                                 timeout=timeout)
        if printed.returncode != 0:
            label = f"roundtrip {os.path.basename(source)}"
            return Result(label, [Decision(False, "print", "a PDF", "none")], failure=printed.stderr.decode("utf-8", "replace"))
        markdown, stderr = run_import(binary, pdf, timeout)
    label = f"roundtrip {os.path.relpath(source, ROOT)} → PDF"
    if markdown is None:
        return Result(label, [Decision(False, "import", "a bulletin", "none")], failure=stderr)
    want_front, want_body, _ = split_markdown(original)
    got_front, got_body, problem = split_markdown(markdown)
    decisions = []
    for key in ["title", "series", "issue", "serial", "date", "publishers", "distribution"]:
        want, got = want_front.get(key), got_front.get(key)
        decisions.append(Decision(show(want) == show(got), f"field {key}", show(want), show(got)))

    def blocks(body):
        return [block.strip() for block in body.split("\n\n") if block.strip() and not block.strip().startswith("<!--")]

    want_blocks, got_blocks = blocks(want_body), blocks(got_body)
    for index, want in enumerate(want_blocks):
        got = got_blocks[index] if index < len(got_blocks) else "nothing"
        decisions.append(Decision(want == got, f"body block {index + 1}", want[:40] + "…", got[:40] + "…"))
    if len(got_blocks) > len(want_blocks):
        decisions.append(Decision(False, "body blocks", len(want_blocks), len(got_blocks)))
    result = Result(label, decisions, problem)
    result.exact = True
    return result


class Result:
    def __init__(self, label, decisions, problem=None, accuracy=None, failure=None):
        self.label, self.decisions, self.problem, self.accuracy, self.failure = \
            label, decisions, problem, accuracy, failure
        self.total = len(decisions)
        self.right = 0 if failure else sum(d.ok for d in decisions)
        self.ratio = self.right / self.total if self.total else 1.0
        self.exact = False  # a round trip passes only when every decision is right

    def passed(self, minimum, min_chars):
        if self.exact:
            return self.ratio == 1.0
        return self.ratio >= minimum and (self.accuracy is None or self.accuracy >= min_chars)


def evaluate(label, expected, markdown, truth, failure=None):
    decisions, problem, blocks = score(expected, "" if markdown is None else markdown)
    accuracy = None
    if truth is not None:
        accuracy = 0.0 if failure else character_accuracy(blocks, truth)
    return Result(label, decisions, problem, accuracy, failure)


def report(result, minimum, min_chars, verbose, width):
    line = f"{result.label:<{width}} {result.right}/{result.total} decisions right ({100 * result.ratio:.1f}%)"
    if result.accuracy is not None:
        line += f", characters {100 * result.accuracy:.1f}%"
    passed = result.passed(minimum, min_chars)
    print(line + ("" if passed else "  BELOW MINIMUM"))
    if result.failure:
        print("    import failed: " + result.failure.rstrip().replace("\n", "\n    "))
        return
    if verbose or not passed:
        if result.problem:
            print(f"    ! {result.problem}")
        for decision in result.decisions:
            if not decision.ok:
                print(f"    ✗ {decision}")


def genre_folders(fixtures, only):
    names = sorted(name for name in os.listdir(fixtures)
                   if os.path.isfile(os.path.join(fixtures, name, "expected.yaml")))
    if only:
        missing = [name for name in only if name not in names]
        if missing:
            sys.exit(f"import_check: no genre {', '.join(missing)} in {fixtures}")
        names = [name for name in names if name in only]
    return names


def read_truth(folder):
    path = os.path.join(folder, "truth.txt")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Score `bulletin import` against the genre fixtures.")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/bulletin"))
    parser.add_argument("--fixtures", default=os.path.join(ROOT, "Tests/BulletinTests/Fixtures/import/genres"))
    parser.add_argument("--min", type=float, default=0.9, help="least share of right decisions per file")
    parser.add_argument("--min-chars", type=float, default=0.85, help="least character accuracy of a scan")
    parser.add_argument("--verbose", action="store_true", help="list the wrong decisions of every file")
    parser.add_argument("--genre", action="append", help="only this genre (repeatable)")
    parser.add_argument("--roundtrip", metavar="BULLETIN.md", help="also print this bulletin to PDF and import it back")
    parser.add_argument("--timeout", type=float, default=300, help=argparse.SUPPRESS)
    parser.add_argument("--markdown", help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=["txt", "docx", "pdf"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    fixtures = os.path.abspath(args.fixtures)

    results = []
    if args.markdown:
        if not args.genre or len(args.genre) != 1:
            parser.error("--markdown needs one --genre")
        folder = os.path.join(fixtures, args.genre[0])
        expected = load_expected(folder, args.variant)
        if not os.path.isfile(os.path.join(folder, "expected.yaml")):
            sys.exit(f"import_check: no genre {args.genre[0]} in {fixtures}")
        try:
            with open(args.markdown, encoding="utf-8") as handle:
                markdown = handle.read()
        except OSError as error:
            sys.exit(f"import_check: {error}")
        truth = read_truth(folder)
        label = f"{args.genre[0]}/{os.path.basename(args.markdown)}" + (f" [{args.variant}]" if args.variant else "")
        results.append(evaluate(label, expected, markdown, truth))
    else:
        binary = os.path.abspath(args.binary)
        if not os.access(binary, os.X_OK):
            sys.exit(f"import_check: no executable {binary} (build it, or pass --binary)")
        for name in genre_folders(fixtures, args.genre):
            folder = os.path.join(fixtures, name)
            truth = read_truth(folder)
            for source in SOURCES:
                path = os.path.join(folder, source)
                if not os.path.isfile(path):
                    continue
                variant = source.rsplit(".", 1)[1]
                expected = load_expected(folder, variant)
                markdown, stderr = run_import(binary, path, args.timeout)
                failure = stderr if markdown is None else None
                results.append(evaluate(f"{name}/{source}", expected, markdown, truth, failure))
        if args.roundtrip:
            trip = roundtrip(binary, os.path.abspath(args.roundtrip), args.timeout)
            results.append(trip)

    width = max(len(r.label) for r in results) if results else 0
    for result in results:
        report(result, args.min, args.min_chars, args.verbose, width)
    passed = sum(r.passed(args.min, args.min_chars) for r in results)
    at_min = sum(r.ratio >= args.min for r in results)
    mean = 100 * sum(r.ratio for r in results) / len(results) if results else 0.0
    print(f"import check: {len(results)} files, {at_min} at or above {100 * args.min:g}%, mean {mean:.1f}%")
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())

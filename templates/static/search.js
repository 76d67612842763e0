/* Bulletin site search: reads the static index in search/ (built by `bulletin build`) and runs in the page.
   The tokenizer follows the same rules as Sources/BulletinSearch/SearchTokenizer.swift; both are tested
   against Tests/BulletinTests/Fixtures/search/tokenizer-vectors.json. No framework, nothing from outside. */
(function () {
  "use strict";

  // ---- Tokenizer -------------------------------------------------------------------------------------

  var CJK_RANGES = [[0x3005, 0x3007], [0x3040, 0x309F], [0x30A0, 0x30FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF],
    [0xAC00, 0xD7AF], [0xF900, 0xFAFF], [0x20000, 0x323AF]];
  var WORD = /^[\p{L}\p{Nd}\p{M}]$/u;

  function isCJK(character) {
    var code = character.codePointAt(0);
    for (var i = 0; i < CJK_RANGES.length; i++) {
      if (code >= CJK_RANGES[i][0] && code <= CJK_RANGES[i][1]) return true;
    }
    return false;
  }
  function isWord(character) { return WORD.test(character); }
  function isDigit(character) { return character !== undefined && character.length === 1 && character >= "0" && character <= "9"; }

  /** NFKC, then lower case character by character (no context rules, as in Swift). */
  function normalize(text) {
    return Array.from(text.normalize("NFKC"), function (c) { return c.toLowerCase(); }).join("");
  }

  function canonicalNumber(integer, fraction) {
    var whole = integer.replace(/^0+/, "");
    var decimals = fraction.replace(/0+$/, "");
    var head = whole === "" ? "0" : whole;
    return decimals === "" ? head : head + "." + decimals;
  }

  function scaled(integer, fraction, zeros) {
    var padded = fraction.length < zeros ? fraction + "0".repeat(zeros - fraction.length) : fraction;
    return canonicalNumber(integer + padded.slice(0, zeros), padded.slice(zeros));
  }

  function scanNumber(chars, start) {
    var end = start, integer = "", fraction = "";
    while (end < chars.length && isDigit(chars[end])) integer += chars[end++];
    while (end + 3 < chars.length && chars[end] === "," && isDigit(chars[end + 1]) && isDigit(chars[end + 2]) &&
           isDigit(chars[end + 3]) && (end + 4 === chars.length || !isDigit(chars[end + 4]))) {
      integer += chars[end + 1] + chars[end + 2] + chars[end + 3];
      end += 4;
    }
    if (end + 1 < chars.length && chars[end] === "." && isDigit(chars[end + 1])) {
      end++;
      while (end < chars.length && isDigit(chars[end])) fraction += chars[end++];
    }
    if (end < chars.length && isWord(chars[end]) && !isCJK(chars[end])) return null;
    var plain = null;
    if (chars[end] === "万") plain = scaled(integer, fraction, 4);
    else if (chars[end] === "亿") plain = scaled(integer, fraction, 8);
    return { canonical: canonicalNumber(integer, fraction), plain: plain, end: end };
  }

  /** The tokens of a text: {type: "cjk", text, position} | {type: "word", text} | {type: "number", text, plain}. */
  function tokenize(text) {
    var chars = Array.from(normalize(text));
    var tokens = [];
    var position = 0, inRun = false, index = 0;
    while (index < chars.length) {
      var character = chars[index];
      if (isCJK(character)) {
        tokens.push({ type: "cjk", text: character, position: position });
        position++;
        inRun = true;
        index++;
        continue;
      }
      if (inRun) { position++; inRun = false; }
      if (isDigit(character)) {
        var number = scanNumber(chars, index);
        if (number) {
          tokens.push({ type: "number", text: number.canonical, plain: number.plain });
          index = number.end;
          continue;
        }
      }
      if (isWord(character)) {
        var end = index, word = "";
        while (end < chars.length && isWord(chars[end]) && !isCJK(chars[end])) word += chars[end++];
        tokens.push({ type: "word", text: word });
        index = end;
        continue;
      }
      index++;
    }
    return tokens;
  }

  /** Tokens written as in the shared test vectors: `c:字@0`, `w:word`, `n:19.4=194000`. */
  function tokenStrings(text) {
    return tokenize(text).map(function (token) {
      if (token.type === "cjk") return "c:" + token.text + "@" + token.position;
      if (token.type === "word") return "w:" + token.text;
      return "n:" + token.text + (token.plain !== null && token.plain !== undefined ? "=" + token.plain : "");
    });
  }

  /** A query's terms: each run of CJK characters (matched as a substring) and each word or number. */
  function parseQuery(query) {
    var terms = [], seen = {}, run = [];
    function add(term) {
      var key = term.kind + ":" + term.text;
      if (!seen[key] && term.text !== "") { seen[key] = true; terms.push(term); }
    }
    function flush() {
      if (run.length) add({ kind: "cjk", text: run.map(function (t) { return t.text; }).join(""), chars: run.map(function (t) { return t.text; }) });
      run = [];
    }
    var magnitudeNext = false;
    tokenize(query).forEach(function (token) {
      if (token.type === "cjk") {
        // The 万 of 19.4万 is part of the number's plain value, so 19.4万 also finds 194,000.
        var skip = magnitudeNext && (token.text === "万" || token.text === "亿");
        magnitudeNext = false;
        if (run.length && run[run.length - 1].position !== token.position - 1) flush();
        if (skip) flush();
        else run.push(token);
        return;
      }
      flush();
      magnitudeNext = token.type === "number" && !!token.plain;
      if (token.type === "word") add({ kind: "word", text: token.text });
      else add({ kind: "word", text: token.plain || token.text, display: token.text });
    });
    flush();
    return terms;
  }

  // ---- Index -----------------------------------------------------------------------------------------

  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function fnv1a(bytes) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  function Reader(bytes, offset) { this.bytes = bytes; this.offset = offset || 0; }
  Reader.prototype.varint = function () {
    var value = 0, multiplier = 1, byte;
    do {
      byte = this.bytes[this.offset++];
      value += (byte & 0x7f) * multiplier;
      multiplier *= 128;
    } while (byte >= 0x80);
    return value;
  };

  function Index(base) {
    this.base = base;
    this.files = new Map();
    this.shards = new Map();
    this.bytesFetched = 0;
  }

  Index.prototype.fetchFile = function (path, type) {
    var self = this;
    if (!this.files.has(path)) {
      var url = this.base + path + (this.manifest ? "?v=" + this.manifest.version : "");
      this.files.set(path, fetch(url, path === "index.json" ? { cache: "no-cache" } : {}).then(function (response) {
        if (!response.ok) throw new Error(path + ": HTTP " + response.status);
        return response.arrayBuffer();
      }).then(function (buffer) {
        self.bytesFetched += buffer.byteLength;
        return type === "json" ? JSON.parse(decoder.decode(buffer)) : new Uint8Array(buffer);
      }).catch(function (error) {
        self.files.delete(path);  // a failed fetch is tried again by the next query
        throw error;
      }));
    }
    return this.files.get(path);
  };

  Index.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.fetchFile("index.json", "json").then(function (manifest) {
        self.manifest = manifest;
        return self.fetchFile("meta.bin");
      }).then(function (bytes) {
        var reader = new Reader(bytes), documents = [];
        for (var id = 0; id < self.manifest.documents; id++) {
          var doc = { length: reader.varint(), headEnd: reader.varint(), year: self.manifest.years[reader.varint()], tags: [], districts: [] };
          for (var t = reader.varint(); t > 0; t--) doc.tags.push(self.manifest.tags[reader.varint()]);
          for (var d = reader.varint(); d > 0; d--) doc.districts.push(self.manifest.districts[reader.varint()]);
          documents.push(doc);
        }
        self.documents = documents;
        return self;
      }).catch(function (error) {
        self.ready = null;
        throw error;
      });
    }
    return this.ready;
  };

  /** The record of a token in its term or position shard: {folder, token, count, size, own, bytes, offset, end}, or
      null. A record marked `own` keeps its postings in a file of its own, fetched by `data`. */
  Index.prototype.record = function (folder, token) {
    var self = this;
    var tokenBytes = encoder.encode(token);
    var shardCount = folder === "terms" ? this.manifest.termShards : this.manifest.positionShards;
    var path = folder + "/" + (fnv1a(tokenBytes) % shardCount) + ".bin";
    if (!this.shards.has(path)) {
      this.shards.set(path, this.fetchFile(path).then(function (bytes) {
        var records = new Map(), reader = new Reader(bytes);
        while (reader.offset < bytes.length) {
          var length = reader.varint();
          var name = decoder.decode(bytes.subarray(reader.offset, reader.offset + length));
          reader.offset += length;
          var count = reader.varint(), packed = reader.varint();
          var size = Math.floor(packed / 2), own = packed % 2 === 1;
          records.set(name, { folder: folder, token: name, count: count, size: size, own: own, bytes: bytes,
                              offset: reader.offset, end: reader.offset + (own ? 0 : size) });
          if (!own) reader.offset += size;
        }
        return records;
      }).catch(function (error) {
        self.shards.delete(path);
        throw error;
      }));
    }
    return this.shards.get(path).then(function (records) { return records.get(token) || null; });
  };

  /** The postings of a record: a Reader over them and where they end. */
  Index.prototype.data = function (record) {
    if (!record.own) return Promise.resolve({ reader: new Reader(record.bytes, record.offset), end: record.end });
    var hex = Array.from(encoder.encode(record.token), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return this.fetchFile(record.folder + "/x/" + hex + ".bin").then(function (bytes) {
      return { reader: new Reader(bytes, 0), end: bytes.length };
    });
  };

  /** Documents with a token: Map id → {count, head}. */
  Index.prototype.postings = function (token) {
    var self = this;
    return this.record("terms", token).then(function (record) {
      return record ? self.data(record) : null;
    }).then(function (data) {
      var result = new Map();
      if (!data) return result;
      var reader = data.reader, id = 0;
      while (reader.offset < data.end) {
        id += reader.varint();
        var value = reader.varint();
        result.set(id, { count: Math.floor(value / 2), head: value % 2 === 1 });
      }
      return result;
    });
  };

  /** Positions of a CJK bigram from its record: Map id → Set of positions. */
  Index.prototype.positions = function (record) {
    return this.data(record).then(function (data) {
      var result = new Map();
      var reader = data.reader, id = 0;
      while (reader.offset < data.end) {
        id += reader.varint();
        var set = new Set(), position = 0;
        for (var n = reader.varint(); n > 0; n--) { position += reader.varint(); set.add(position); }
        result.set(id, set);
      }
      return result;
    });
  };

  /** Documents containing a run of three or more CJK characters. Reads the records of all its bigrams (their
      shards are small), picks the bigrams that cover every character with the fewest bytes to fetch, and checks
      that they occur at consecutive positions. */
  Index.prototype.phrase = function (chars) {
    var self = this;
    var bigrams = [];
    for (var o = 0; o + 1 < chars.length; o++) bigrams.push(chars[o] + chars[o + 1]);
    return Promise.all(bigrams.map(function (bigram) { return self.record("positions", bigram); })).then(function (records) {
      if (records.some(function (record) { return !record; })) return [];
      // cheapest[o]: bytes to fetch for a cover of characters 0…o+1 that uses bigram o; covers may skip one bigram.
      var cheapest = [], previous = [];
      records.forEach(function (record, o) {
        var cost = record.own ? record.size : 0;
        if (o === 0) { cheapest.push(cost); previous.push(-1); return; }
        var from = o >= 2 && cheapest[o - 2] < cheapest[o - 1] ? o - 2 : o - 1;
        cheapest.push(cost + cheapest[from]);
        previous.push(from);
      });
      var offsets = [];
      for (var at = records.length - 1; at >= 0; at = previous[at]) offsets.unshift(at);
      return Promise.all(offsets.map(function (offset) { return self.positions(records[offset]); })).then(function (lists) {
        return [offsets, lists];
      });
    }).then(function (found) {
      var result = new Map();
      if (!found.length) return result;
      var offsets = found[0], lists = found[1];
      lists[0].forEach(function (starts, id) {
        var count = 0, head = false;
        for (var i = 1; i < lists.length; i++) if (!lists[i].has(id)) return;
        starts.forEach(function (start) {
          for (var i = 1; i < lists.length; i++) if (!lists[i].get(id).has(start + offsets[i])) return;
          count++;
          if (start < self.documents[id].headEnd) head = true;
        });
        if (count > 0) result.set(id, { count: count, head: head });
      });
      return result;
    });
  };

  /** Matches of one query term: Map id → {count, head}. */
  Index.prototype.term = function (term) {
    if (term.kind === "cjk" && term.chars.length >= 3) return this.phrase(term.chars);
    return this.postings(term.text);
  };

  /** Every document matching all terms, ranked: head matches (title, exemplar names) first, then BM25, then newest. */
  Index.prototype.search = function (query) {
    var self = this;
    var terms = parseQuery(query);
    return this.load().then(function () {
      if (!terms.length) return { terms: terms, results: [] };
      return Promise.all(terms.map(function (term) { return self.term(term); })).then(function (matches) {
        var total = self.manifest.documents, average = self.manifest.averageLength || 1;
        var smallest = matches.reduce(function (a, b) { return a.size <= b.size ? a : b; });
        var idfs = matches.map(function (match) { return Math.log(1 + (total - match.size + 0.5) / (match.size + 0.5)); });
        var results = [];
        smallest.forEach(function (_, id) {
          var score = 0, heads = 0;
          var norm = 1.2 * (0.25 + 0.75 * self.documents[id].length / average);
          for (var i = 0; i < matches.length; i++) {
            var match = matches[i].get(id);
            if (!match) return;
            score += idfs[i] * match.count * 2.2 / (match.count + norm);
            if (match.head) heads++;
          }
          results.push({ id: id, score: score, heads: heads });
        });
        results.sort(function (a, b) { return b.heads - a.heads || b.score - a.score || a.id - b.id; });
        return { terms: terms, results: results };
      });
    });
  };

  /** Title, date, issue and links of a document. */
  Index.prototype.document = function (id) {
    var chunk = this.manifest.documentChunk;
    return this.fetchFile("docs/" + Math.floor(id / chunk) + ".json", "json").then(function (list) { return list[id % chunk]; });
  };

  // ---- Snippets --------------------------------------------------------------------------------------

  /** The text edition joined back into running text: wrapped lines rejoined, rules and indentation dropped. */
  function unwrap(text) {
    var out = "";
    text.split("\n").forEach(function (line) {
      var paragraph = /^[\u3000 ]{2}/.test(line);
      var trimmed = line.replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
      if (trimmed === "" || /^[━─=\-]+$/.test(trimmed)) { if (out && !/ $/.test(out)) out += " "; return; }
      if (paragraph && out && !/ $/.test(out)) out += " ";
      else if (out && /[A-Za-z0-9]$/.test(out) && /^[A-Za-z0-9]/.test(trimmed)) out += " ";
      out += trimmed;
    });
    return out.trim();
  }

  /** Normalised characters of a text, each with the index of the original character it came from. */
  function mapped(text) {
    var chars = [], origins = [];
    Array.from(text).forEach(function (character, index) {
      Array.from(normalize(character)).forEach(function (n) { chars.push(n); origins.push(index); });
    });
    return { chars: chars, origins: origins, original: Array.from(text) };
  }

  function findAll(haystack, needle) {
    var found = [];
    if (!needle.length) return found;
    outer: for (var i = 0; i + needle.length <= haystack.length; i++) {
      for (var j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
      found.push(i);
    }
    return found;
  }

  /** Ranges [start, end) of the original text where any term occurs. */
  function highlights(text, terms) {
    var map = mapped(text), ranges = [];
    terms.forEach(function (term) {
      var needle = Array.from(term.kind === "cjk" ? term.text : (term.display || term.text));
      findAll(map.chars, needle).forEach(function (at) {
        var start = map.origins[at], end = map.origins[at + needle.length - 1] + 1;
        if (term.kind === "word") {
          var before = map.chars[at - 1], after = map.chars[at + needle.length];
          if ((before && isWord(before) && !isCJK(before)) || (after && isWord(after) && !isCJK(after))) return;
        }
        ranges.push([start, end]);
      });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range.slice());
    });
    return { chars: map.original, ranges: merged };
  }

  /** Appends text to an element with the ranges marked. */
  function appendMarked(element, chars, ranges, from, to) {
    var cursor = from;
    ranges.forEach(function (range) {
      var start = Math.max(range[0], from), end = Math.min(range[1], to);
      if (end <= start) return;
      if (start > cursor) element.appendChild(document.createTextNode(chars.slice(cursor, start).join("")));
      var mark = document.createElement("mark");
      mark.textContent = chars.slice(start, end).join("");
      element.appendChild(mark);
      cursor = end;
    });
    if (cursor < to) element.appendChild(document.createTextNode(chars.slice(cursor, to).join("")));
  }

  function fillSnippet(element, text, terms) {
    var found = highlights(unwrap(text), terms);
    var first = found.ranges.length ? found.ranges[0][0] : 0;
    var from = Math.max(0, first - 40), to = Math.min(found.chars.length, first + 80);
    if (from > 0) element.appendChild(document.createTextNode("…"));
    appendMarked(element, found.chars, found.ranges, from, to);
    if (to < found.chars.length) element.appendChild(document.createTextNode("…"));
  }

  // ---- Page ------------------------------------------------------------------------------------------

  var PAGE_SIZE = 10;

  function formatDate(iso) {
    var parts = iso.split("-");
    return parts[0] + "年" + Number(parts[1]) + "月" + Number(parts[2]) + "日";
  }

  function startPage(script) {
    var form = document.getElementById("search-form");
    if (!form) return;
    var root = script.getAttribute("data-root") || "../";
    var index = new Index(script.getAttribute("data-index") || "./");
    var input = document.getElementById("search-query");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var filters = document.getElementById("search-filters");
    var selects = { year: document.getElementById("search-year"), tag: document.getElementById("search-tag"), district: document.getElementById("search-district") };
    var current = null, shown = 0, generation = 0, timer = null;

    function stateFromURL() {
      var params = new URLSearchParams(location.search);
      input.value = params.get("q") || "";
      Object.keys(selects).forEach(function (name) { selects[name].dataset.wanted = params.get(name) || ""; });
    }

    function updateURL(push) {
      var params = new URLSearchParams();
      if (input.value.trim()) params.set("q", input.value.trim());
      Object.keys(selects).forEach(function (name) { if (selects[name].value) params.set(name, selects[name].value); });
      var url = location.pathname + (params.toString() ? "?" + params.toString() : "");
      if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
    }

    function fillOptions(select, counts, sorter) {
      var wanted = select.dataset.wanted !== undefined ? select.dataset.wanted : select.value;
      delete select.dataset.wanted;
      while (select.options.length > 1) select.remove(1);
      Object.keys(counts).sort(sorter).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value + "（" + counts[value] + "）";
        select.appendChild(option);
      });
      if (wanted && !counts[wanted]) {
        var missing = document.createElement("option");
        missing.value = wanted;
        missing.textContent = wanted + "（0）";
        select.appendChild(missing);
      }
      select.value = wanted || "";
      select.parentElement.hidden = select.options.length <= 1;
    }

    function facetCounts(results) {
      var counts = { year: {}, tag: {}, district: {} };
      results.forEach(function (result) {
        var doc = index.documents[result.id];
        counts.year[doc.year] = (counts.year[doc.year] || 0) + 1;
        doc.tags.forEach(function (tag) { counts.tag[tag] = (counts.tag[tag] || 0) + 1; });
        doc.districts.forEach(function (district) { counts.district[district] = (counts.district[district] || 0) + 1; });
      });
      return counts;
    }

    function passes(result) {
      var doc = index.documents[result.id];
      return (!selects.year.value || String(doc.year) === selects.year.value) &&
        (!selects.tag.value || doc.tags.indexOf(selects.tag.value) >= 0) &&
        (!selects.district.value || doc.districts.indexOf(selects.district.value) >= 0);
    }

    function renderResult(result, terms) {
      var item = document.createElement("li");
      item.className = "search-result";
      list.appendChild(item);
      return index.document(result.id).then(function (doc) {
        var meta = document.createElement("p");
        meta.className = "entry-meta";
        var issue = document.createElement("span");
        issue.className = "entry-issue";
        issue.textContent = doc.issue;
        var time = document.createElement("time");
        time.dateTime = doc.date;
        time.textContent = formatDate(doc.date);
        meta.append(issue, " ", time);
        var heading = document.createElement("h2");
        heading.className = "entry-title";
        var link = document.createElement("a");
        link.href = root + doc.url;
        var title = highlights(doc.title, terms);
        appendMarked(link, title.chars, title.ranges, 0, title.chars.length);
        heading.appendChild(link);
        var snippet = document.createElement("p");
        snippet.className = "search-snippet";
        item.append(meta, heading, snippet);
        return fetch(root + doc.text).then(function (response) { return response.ok ? response.text() : ""; })
          .catch(function () { return ""; })
          .then(function (text) { if (text) fillSnippet(snippet, text, terms); });
      });
    }

    function showMore() {
      var filtered = current.results.filter(passes);
      var page = filtered.slice(shown, shown + PAGE_SIZE);
      shown += page.length;
      more.hidden = shown >= filtered.length;
      var mine = generation;
      return Promise.all(page.map(function (result) { return renderResult(result, current.terms); })).then(function () {
        if (mine === generation) list.setAttribute("aria-busy", "false");
      });
    }

    function display() {
      list.textContent = "";
      shown = 0;
      var counts = facetCounts(current.results);
      fillOptions(selects.year, counts.year, function (a, b) { return b - a; });
      fillOptions(selects.tag, counts.tag);
      fillOptions(selects.district, counts.district);
      filters.hidden = current.results.length === 0;
      var filtered = current.results.filter(passes);
      var query = input.value.trim();
      if (!query) {
        status.textContent = "输入人名、社区、项目或任意词语（至少一个字）搜索全部简报。";
      } else if (!current.terms.length) {
        status.textContent = "“" + query + "”中没有可以搜索的文字。";
      } else if (!current.results.length) {
        status.textContent = "没有找到包含“" + query + "”的简报。请换一个词，或减少搜索的字数。";
      } else if (!filtered.length) {
        status.textContent = "找到 " + current.results.length + " 篇包含“" + query + "”的简报，但没有符合所选条件的。";
      } else {
        status.textContent = "找到 " + filtered.length + " 篇包含“" + query + "”的简报" +
          (filtered.length < current.results.length ? "（共 " + current.results.length + " 篇，已按条件筛选）" : "") + "。";
      }
      list.setAttribute("aria-busy", "true");
      more.hidden = true;
      return showMore();
    }

    function run(push) {
      var mine = ++generation;
      var query = input.value;
      status.textContent = query.trim() ? "正在搜索…" : "";
      return index.search(query).then(function (found) {
        if (mine !== generation) return;
        current = found;
        updateURL(push);
        return display();
      }).catch(function (error) {
        if (mine !== generation) return;
        status.textContent = "搜索索引无法载入（" + error.message + "）。";
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      run(true);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(false); }, 150);
    });
    Object.keys(selects).forEach(function (name) {
      selects[name].addEventListener("change", function () {
        if (!current) return;
        updateURL(false);
        display();
      });
    });
    more.addEventListener("click", function () {
      var first = list.children.length;
      showMore().then(function () {
        var link = list.children[first] && list.children[first].querySelector("a");
        if (link) link.focus();
      });
    });
    window.addEventListener("popstate", function () { stateFromURL(); run(false); });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
      if (event.key === "/" && !typing) {
        event.preventDefault();
        input.focus();
        input.select();
        return;
      }
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll(".entry-title a"));
      var at = links.indexOf(target);
      if (target === input && event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[0].focus();
      } else if (at >= 0) {
        event.preventDefault();
        if (event.key === "ArrowDown" && at + 1 < links.length) links[at + 1].focus();
        else if (event.key === "ArrowUp") (at > 0 ? links[at - 1] : input).focus();
      }
    });

    stateFromURL();
    run(false);
  }

  window.BulletinSearch = {
    tokenStrings: tokenStrings,
    parseQuery: parseQuery,
    normalize: normalize,
    Index: Index,
    unwrap: unwrap,
  };
  var script = document.currentScript;
  if (script) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { startPage(script); });
    else startPage(script);
  }
})();

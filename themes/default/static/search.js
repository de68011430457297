// Search UI (issue 9): results as you type from the header box on every page and on
// /search/, fetched piece by piece from the static index that `src/search/` writes
// (layout: src/search/mod.rs). No framework, no eval, no inline styles: it runs under a
// strict CSP, offline and under any base path (the form's data-search-root).
//
// The text analysis below mirrors src/search/text.rs exactly (tokenize, fold, and the
// Snowball stemmers of rust-stemmers for English and German); tests/search_browser.rs
// checks both sides on the tables in tests/fixtures/search/.
(function () {
  "use strict";

  // ---------------------------------------------------------------- text analysis --
  var MAX_TERM = 40;
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]/u;
  var LETTER = /\p{Alphabetic}/u;
  var MARKS = /\p{M}/gu;
  var APOS = /['\u2019\u02BC]/;

  function isCjk(c) {
    var n = c.codePointAt(0);
    return (n >= 0x1100 && n <= 0x11FF) || (n >= 0x2E80 && n <= 0x2FDF) || n === 0x3005 ||
      n === 0x3007 || (n >= 0x3021 && n <= 0x3029) || (n >= 0x3038 && n <= 0x303B) ||
      (n >= 0x3040 && n <= 0x30FF) || (n >= 0x3130 && n <= 0x318F) ||
      (n >= 0x31F0 && n <= 0x31FF) || (n >= 0x3400 && n <= 0x4DBF) ||
      (n >= 0x4E00 && n <= 0x9FFF) || (n >= 0xAC00 && n <= 0xD7AF) ||
      (n >= 0xF900 && n <= 0xFAFF) || (n >= 0xFF66 && n <= 0xFF9F) ||
      (n >= 0x20000 && n <= 0x3FFFF);
  }
  function isLetter(c) { return !!c && LETTER.test(c) && !isCjk(c); }

  var FOLD = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ς": "σ" };
  function fold(w) {
    if (/^[\x00-\x7f]*$/.test(w)) return w.toLowerCase();
    return w.toLowerCase().normalize("NFD").replace(MARKS, "")
      .replace(/[ßæœøđðþłıς]/g, function (c) { return FOLD[c]; });
  }

  // Tokens of `text` with their place in it: {w: folded word} or {c: CJK run}.
  function tokenize(text) {
    var out = [], chars = Array.from(text), pos = [], at = 0, i;
    for (i = 0; i < chars.length; i++) { pos.push(at); at += chars[i].length; }
    pos.push(at);
    var ws = -1, cs = -1, word = "";
    function endWord(i) {
      if (ws < 0) return;
      var f = fold(word);
      if (f && Array.from(f).length <= MAX_TERM) out.push({ w: f, s: pos[ws], e: pos[i] });
      ws = -1; word = "";
    }
    function endCjk(i) {
      if (cs < 0) return;
      out.push({ c: chars.slice(cs, i).join(""), s: pos[cs], e: pos[i] });
      cs = -1;
    }
    for (i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (isCjk(c)) { endWord(i); if (cs < 0) cs = i; }
      else if (WORD.test(c)) { endCjk(i); if (ws < 0) ws = i; word += c; }
      else if (APOS.test(c) && ws >= 0 && isLetter(chars[i - 1]) && isLetter(chars[i + 1])) { /* joined */ }
      else { endWord(i); endCjk(i); }
    }
    endWord(chars.length); endCjk(chars.length);
    return out;
  }

  function bigrams(run) {
    var ch = Array.from(run), out = [];
    if (ch.length < 2) return [run];
    for (var i = 0; i + 1 < ch.length; i++) out.push(ch[i] + ch[i + 1]);
    return out;
  }

  // --- Porter2 (Snowball "english"), as rust-stemmers implements it ---------------------
  function dict(o) { var d = Object.create(null); for (var key in o) d[key] = o[key]; return d; }
  var EXC1 = dict({ skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl",
    gently: "gentl", ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky",
    news: "news", howe: "howe", atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes" });
  var EXC2 = dict({ inning: 1, outing: 1, canning: 1, herring: 1, earring: 1, proceed: 1, exceed: 1, succeed: 1 });
  function isV(c) { return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y"; }
  function shortv(w, end) {
    if (end >= 3 && !isV(w[end - 1]) && "wxY".indexOf(w[end - 1]) < 0 && isV(w[end - 2]) && !isV(w[end - 3])) return true;
    return end === 2 && !isV(w[1]) && isV(w[0]);
  }
  function longest(w, list) {
    var best = "";
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (s.length > best.length && w.length >= s.length && w.slice(w.length - s.length) === s) best = s;
    }
    return best;
  }
  var S1B = ["eed", "eedly", "ed", "edly", "ing", "ingly"];
  var S2 = { tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize",
    ization: "ize", ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al", alli: "al",
    fulness: "ful", ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive", biliti: "ble",
    bli: "ble", ogi: "og", fulli: "ful", lessli: "less", li: "" };
  var S2K = Object.keys(S2);
  var S3 = { tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic", ful: "", ness: "", ative: "" };
  var S3K = Object.keys(S3);
  var S4K = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion"];

  function porter2(word) {
    if (EXC1[word]) return EXC1[word];
    if (word.length < 3) return word;
    var w = word, i, s, p1, p2, n;
    // prelude
    if (w[0] === "y") w = "Y" + w.slice(1);
    for (i = 1; i < w.length; i++) if (w[i] === "y" && isV(w[i - 1])) w = w.slice(0, i) + "Y" + w.slice(i + 1);
    // regions
    p1 = w.length; p2 = w.length;
    var m = /^(gener|commun|arsen)/.exec(w), r = /[aeiouy][^aeiouy]/.exec(w);
    if (m || r) {
      p1 = m ? m[1].length : r.index + 2;
      r = /[aeiouy][^aeiouy]/.exec(w.slice(p1));
      if (r) p2 = p1 + r.index + 2;
    }
    // Step 1a
    s = longest(w, ["sses", "ied", "ies", "s", "us", "ss"]);
    if (s === "sses") w = w.slice(0, -2);
    else if (s === "ied" || s === "ies") w = w.slice(0, -3) + (w.length - 3 >= 2 ? "i" : "ie");
    else if (s === "s") { if (/[aeiouy]/.test(w.slice(0, -2))) w = w.slice(0, -1); }
    if (!EXC2[w]) {
      // Step 1b
      s = longest(w, S1B);
      if (s === "eed" || s === "eedly") {
        if (w.length - s.length >= p1) w = w.slice(0, -s.length) + "ee";
      } else if (s && /[aeiouy]/.test(w.slice(0, -s.length))) {
        w = w.slice(0, -s.length);
        if (/(at|bl|iz)$/.test(w)) w += "e";
        else if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
        else if (p1 === w.length && shortv(w, w.length)) w += "e";
      }
      // Step 1c
      n = w.length;
      if (n >= 3 && (w[n - 1] === "y" || w[n - 1] === "Y") && !isV(w[n - 2])) w = w.slice(0, -1) + "i";
      // Step 2
      s = longest(w, S2K);
      if (s && w.length - s.length >= p1) {
        var before = w[w.length - s.length - 1];
        if (s === "ogi") { if (before === "l") w = w.slice(0, -3) + "og"; }
        else if (s === "li") { if (before && "cdeghkmnrt".indexOf(before) >= 0) w = w.slice(0, -2); }
        else w = w.slice(0, -s.length) + S2[s];
      }
      // Step 3
      s = longest(w, S3K);
      if (s && w.length - s.length >= p1) {
        if (s === "ative") { if (w.length - 5 >= p2) w = w.slice(0, -5); }
        else w = w.slice(0, -s.length) + S3[s];
      }
      // Step 4
      s = longest(w, S4K);
      if (s && w.length - s.length >= p2) {
        if (s === "ion") { if (/[st]ion$/.test(w)) w = w.slice(0, -3); }
        else w = w.slice(0, -s.length);
      }
      // Step 5
      n = w.length;
      if (w[n - 1] === "e") {
        if (n - 1 >= p2 || (n - 1 >= p1 && !shortv(w, n - 1))) w = w.slice(0, -1);
      } else if (w[n - 1] === "l") {
        if (n - 1 >= p2 && w[n - 2] === "l") w = w.slice(0, -1);
      }
    }
    return w.replace(/Y/g, "y");
  }

  // --- German (Snowball "german", as rust-stemmers implements it) ----------------------
  var DE_V = /[aeiouyäöü][^aeiouyäöü]/;
  function isDeV(c) { return !!c && "aeiouyäöü".indexOf(c) >= 0; }
  function german(word) {
    var w = word.replace(/ß/g, "ss"), i, s, m, n, p1, p2;
    for (i = 1; i + 1 < w.length; i++) {
      if (isDeV(w[i - 1]) && (w[i] === "u" || w[i] === "y") && isDeV(w[i + 1])) w = w.slice(0, i) + w[i].toUpperCase() + w.slice(i + 1);
    }
    n = w.length; p1 = n; p2 = n;
    m = n >= 3 && DE_V.exec(w);
    if (m) {
      var at = m.index + 2;
      p1 = Math.max(at, 3);
      m = DE_V.exec(w.slice(at));
      if (m) p2 = at + m.index + 2;
    }
    s = longest(w, ["e", "em", "en", "ern", "er", "s", "es"]);
    if (s && w.length - s.length >= p1) {
      if (s === "s") { if ("bdfghklmnrt".indexOf(w[w.length - 2]) >= 0) w = w.slice(0, -1); }
      else {
        w = w.slice(0, -s.length);
        if ((s === "e" || s === "en" || s === "es") && /niss$/.test(w)) w = w.slice(0, -1);
      }
    }
    s = longest(w, ["en", "er", "st", "est"]);
    if (s && w.length - s.length >= p1) {
      if (s !== "st") w = w.slice(0, -s.length);
      else if ("bdfghklmnt".indexOf(w[w.length - 3]) >= 0 && w.length - 3 >= 3) w = w.slice(0, -2);
    }
    s = longest(w, ["end", "ung", "ig", "ik", "isch", "lich", "heit", "keit"]);
    if (s && w.length - s.length >= p2) {
      var before = w[w.length - s.length - 1];
      if (s === "end" || s === "ung") {
        w = w.slice(0, -s.length);
        if (/ig$/.test(w) && w[w.length - 3] !== "e" && w.length - 2 >= p2) w = w.slice(0, -2);
      } else if (s === "ig" || s === "ik" || s === "isch") {
        if (before !== "e") w = w.slice(0, -s.length);
      } else if (s === "lich" || s === "heit") {
        w = w.slice(0, -s.length);
        if (/e[rn]$/.test(w) && w.length - 2 >= p1) w = w.slice(0, -2);
      } else {
        w = w.slice(0, -4);
        var s2 = longest(w, ["lich", "ig"]);
        if (s2 && w.length - s2.length >= p2) w = w.slice(0, -s2.length);
      }
    }
    return w.replace(/[YUäöü]/g, function (c) { return { Y: "y", U: "u", "ä": "a", "ö": "o", "ü": "u" }[c]; });
  }

  var STEMMERS = { en: porter2, de: german };
  var stemmer = null;
  function stem(w) { return stemmer && /^[a-z]{3,}$/.test(w) ? stemmer(w) : w; }

  // The index terms of `text` (the same as playbook::search::analyze).
  function analyze(text) {
    var out = [];
    tokenize(text).forEach(function (t) {
      if (t.w !== undefined) out.push(stem(t.w));
      else out.push.apply(out, bigrams(t.c));
    });
    return out;
  }

  // ------------------------------------------------------------------- encodings --
  var ALPHA = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var VAL = Object.create(null);
  for (var k = 0; k < 64; k++) VAL[ALPHA[k]] = k;
  // Joins the two terms of a title pair (PAIR_JOIN in src/search/index.rs).
  var PAIR_JOIN = "!";
  function cmp(a, b) { // code point order, as Rust sorts strings
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xFFFF ? 2 : 1; j += y > 0xFFFF ? 2 : 1;
    }
    return i < a.length ? 1 : j < b.length ? -1 : 0;
  }
  function unfront(prev, line) { // → [term, rest]
    var n = VAL[line[0]], sp = line.indexOf(" ");
    return [Array.from(prev).slice(0, n).join("") + line.slice(1, sp), line.slice(sp + 1)];
  }
  function readNum(s, at) { // → [value, next]
    var v = 0, d;
    for (;;) {
      d = VAL[s[at++]];
      if (d === undefined) return [v, s.length];
      if (d < 32) return [v * 32 + d, at];
      v = v * 32 + d - 32;
    }
  }
  function impact(level) { return Math.pow(2, (level - 63) / 8); }
  function reverse(s) { return Array.from(s).reverse().join(""); }
  function fileOf(firsts, term) { // the last file whose first term is <= term
    var lo = 0, hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (cmp(firsts[mid], term) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // ------------------------------------------------------------------ the index --
  function Index(root) {
    this.root = root;
    this.cache = Object.create(null);
    this.parsed = Object.create(null);
    this.manifest = null;
  }
  Index.prototype.get = function (path) {
    var c = this.cache;
    if (!c[path]) {
      c[path] = fetch(this.root + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
      c[path].catch(function () { delete c[path]; });
    }
    return c[path];
  };
  Index.prototype.load = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.get("manifest.json").then(function (m) {
        self.manifest = m;
        stemmer = STEMMERS[m.stem] || null;
        return m;
      });
    }
    return this.ready;
  };
  // A postings file as {terms: [...], map: {term: {df, p (encoded), list (decoded)}}}.
  Index.prototype.shard = function (i) {
    var key = "p/" + i + ".json", self = this;
    if (self.parsed[key]) return Promise.resolve(self.parsed[key]);
    return this.get(key).then(function (lines) {
      if (self.parsed[key]) return self.parsed[key];
      var prev = "", terms = [], map = dict();
      lines.forEach(function (l) {
        var tr = unfront(prev, l), d = readNum(tr[1], 0);
        prev = tr[0];
        terms.push(prev);
        map[prev] = { df: d[0], p: tr[1].slice(d[1]) };
      });
      return (self.parsed[key] = { terms: terms, map: map });
    });
  };
  Index.prototype.typos = function (i) {
    var key = "t/" + i + ".json", self = this;
    if (self.parsed[key]) return Promise.resolve(self.parsed[key]);
    return this.get(key).then(function (lines) {
      var prev = "", map = dict();
      lines.forEach(function (l) {
        var tr = unfront(prev, l), d = readNum(tr[1], 0);
        prev = tr[0];
        map[reverse(prev)] = { df: d[0], imp: VAL[tr[1][d[1]]] };
      });
      return (self.parsed[key] = map);
    });
  };
  // A term's postings as a flat list of (page id, impact level), STRIDE entries a page.
  var STRIDE = 2;
  function postings(entry) {
    if (!entry.list) {
      var s = entry.p, at = 0, id = -1, list = [], d;
      while (at < s.length) {
        d = readNum(s, at);
        id = id < 0 ? d[0] : id + d[0] + 1;
        at = d[1] + 1;
        list.push(id, VAL[s[d[1]]]);
      }
      entry.list = list;
      var max = 0;
      for (var i = 1; i < list.length; i += STRIDE) if (list[i] > max) max = list[i];
      entry.max = max;
    }
    return entry.list;
  }

  // One-edit variants of `w` (deletions, transpositions, substitutions, insertions).
  function edits(w) {
    var ch = Array.from(w), out = dict(), i, j, letters = "abcdefghijklmnopqrstuvwxyz";
    ch.forEach(function (c) { if (letters.indexOf(c) < 0) letters += c; });
    for (i = 0; i <= ch.length; i++) {
      var a = ch.slice(0, i).join(""), b = ch.slice(i).join(""), b1 = ch.slice(i + 1).join("");
      if (i < ch.length) out[a + b1] = 1;
      if (i + 1 < ch.length) out[a + ch[i + 1] + ch[i] + ch.slice(i + 2).join("")] = 1;
      for (j = 0; j < letters.length; j++) {
        if (i < ch.length) out[a + letters[j] + b1] = 1;
        out[a + letters[j] + b] = 1;
      }
    }
    delete out[w];
    return Object.keys(out);
  }

  // Runs a query: {ids (ranked), pages: {id: [matched, score, title pairs, cut title pairs]},
  // terms (to highlight)}.
  // `eager`: fetch everything the query needs. Otherwise a short word still being typed
  // (under 4 letters) uses only files already here, and the result says `pending`:
  // fetching a file per keystroke for "s", "st", "sta" would cost more than the query.
  Index.prototype.search = function (query, eager) {
    var self = this, pending = false, pairKeys;
    return this.load().then(function (m) {
      var toks = tokenize(query), words = [];
      toks.forEach(function (t, i) {
        if (t.w !== undefined) words.push({ raw: t.w, stem: stem(t.w), last: i === toks.length - 1 });
        else bigrams(t.c).forEach(function (b) {
          words.push({ raw: b, stem: b, cjk: true, last: i === toks.length - 1 && Array.from(t.c).length === 1 });
        });
      });
      var prefix = words.length > 0 && !/\s$/.test(query) && words[words.length - 1].last;
      if (!words.length) return { ids: [], pages: dict(), terms: dict(), words: 0 };
      var need = dict();
      // One letter is not worth a fetch yet (CJK characters are words of their own).
      if (words.length === 1 && prefix && !words[0].cjk && Array.from(words[0].raw).length < 2) {
        return { ids: [], pages: dict(), terms: dict(), words: 0, short: true };
      }
      words.forEach(function (w, i) {
        w.shards = [fileOf(m.p, w.stem)];
        var len = Array.from(w.raw).length;
        // The word being typed: the terms it begins (3+ letters), from the file where
        // they start (one file: a further one costs more bytes than it finds).
        if (prefix && i === words.length - 1 && (w.cjk || len >= 3)) {
          w.prefix = true;
          w.shards.push(fileOf(m.p, w.raw));
        }
        if (!eager && prefix && i === words.length - 1 && !w.cjk && len < 4) {
          w.shards = w.shards.filter(function (s) {
            var have = self.cache["p/" + s + ".json"];
            if (!have) pending = true;
            return have;
          });
        }
        w.shards.forEach(function (s) { need[s] = 1; });
      });
      return Promise.all(Object.keys(need).map(function (s) { return self.shard(+s); })).then(function () {
        return Promise.all(words.map(function (w) { return self.alternatives(w, eager, words); }));
      }).then(function () {
        self.correct(words);
        // The files of the title pairs the words may form (beside their first word's
        // terms, so mostly loaded already).
        var files = dict();
        pairKeys = self.pairs(words);
        pairKeys.forEach(function (keys) {
          keys.forEach(function (k) {
            var s = fileOf(m.p, k);
            if (!self.parsed["p/" + s + ".json"]) files[s] = 1;
          });
        });
        files = Object.keys(files);
        if (!eager && files.length) { pending = true; files = []; }
        return Promise.all(files.map(function (s) { return self.shard(+s); }));
      }).then(function () {
        var r = self.rank(words, pairKeys);
        r.pending = pending || words.some(function (w) { return w.pending; });
        return r;
      });
    });
  };

  // The terms a query word stands for, with weights: the exact stem; for the word being
  // typed, the terms it begins; for a misspelled word, the likeliest correction. The
  // word being typed looks for a typo only when nothing begins with it or no page holds
  // it with the other `words`, and only once typing pauses (`eager`): every keystroke
  // would read another typo file. The other words' terms are known when it is asked
  // (it is the last).
  Index.prototype.alternatives = function (w, eager, words) {
    var self = this, m = this.manifest, alts = [], seen = dict();
    function entryOf(term) {
      var sh = self.parsed["p/" + fileOf(m.p, term) + ".json"];
      return sh && sh.map[term];
    }
    var exact = entryOf(w.stem);
    if (exact) { alts.push({ term: w.stem, e: exact, weight: 1 }); seen[w.stem] = 1; }
    if (w.prefix) alts = alts.concat(this.completions(w, exact, 0.9));
    w.alts = alts;
    // A word of 5+ letters with one letter missing has 4.
    var letters = /^\p{L}+$/u.test(w.raw) && Array.from(w.raw).length >= 4;
    var rare = exact && exact.df <= 20;
    if (w.cjk || !letters || !m.t.length || (exact && !rare)) return Promise.resolve();
    // A word typed to its end may extend a stem by chance ("mallloc" → mall): only
    // terms it begins make a typo unlikely, and only if a page holds them with the other
    // words ("rtmon listenf" begins ListenFIFO, which no page holds beside rtmon).
    if (w.prefix && alts.some(function (a) { return a.begins; }) && !(eager && !together(words))) {
      return Promise.resolve();
    }
    if (w.prefix && !eager) { w.pending = true; return Promise.resolve(); }
    // Typo lists hold words as written, by reversed spelling: a word misspelled near
    // its start sorts beside the right one there. A misspelling near its end sorts
    // beside the right term in the postings files already loaded.
    var file = fileOf(m.t, reverse(w.raw));
    return this.typos(file).then(function (typo) {
      var found = dict();
      function consider(term, df, imp, surface) {
        if (term === w.stem || Array.from(term).length < 3) return;
        var score = df * (1 + imp / 32);
        if (!found[term] || found[term].score < score) found[term] = { term: term, score: score, df: df, surface: surface };
      }
      edits(w.raw).forEach(function (v) {
        var t = typo[v], sv = stem(v);
        if (t) consider(sv, t.df, t.imp, v);
        var e = entryOf(sv);
        if (e) { postings(e); consider(sv, e.df, e.max, v); }
      });
      var cands = Object.keys(found).map(function (k) { return found[k]; })
        .filter(function (c) { return !rare || c.df >= 10 * exact.df; })
        .sort(function (a, b) { return b.score - a.score || cmp(a.term, b.term); })
        .slice(0, 3);
      w.cands = cands;
      w.rare = rare;
      return Promise.all(cands.map(function (c) { return self.shard(fileOf(m.p, c.term)); }));
    });
  };

  // The terms `w.raw` begins, from the loaded files of `w.shards`, commonest first; only
  // if there are none, the stems it extends ("retrospecti" → retrospect). None when
  // `exact` is commoner than all of them (a finished word stands for itself; a word
  // still being typed, for its completions). Marked `begins` when `w.raw` begins them.
  Index.prototype.completions = function (w, exact, weight) {
    var self = this, comp = [], ext = [], seen = dict(), rawLen = Array.from(w.raw).length;
    w.shards.forEach(function (s) {
      var sh = self.parsed["p/" + s + ".json"];
      if (!sh) return;
      sh.terms.forEach(function (t) {
        if (seen[t] || sh.map[t] === exact || t.indexOf(PAIR_JOIN) >= 0) return;
        if (t.indexOf(w.raw) === 0) {
          seen[t] = 1;
          comp.push({ term: t, e: sh.map[t], weight: weight, begins: true });
        } else if (!w.cjk && w.raw.indexOf(t) === 0 && Array.from(t).length >= Math.max(4, rawLen - 3)) {
          seen[t] = 1;
          ext.push({ term: t, e: sh.map[t], weight: weight });
        }
      });
    });
    if (!comp.length) comp = ext;
    comp.sort(function (a, b) { return b.e.df - a.e.df; });
    comp = comp.slice(0, 30);
    return exact && comp.length && exact.df >= comp[0].e.df ? [] : comp;
  };

  // A query word's pages: for each, the best weighted impact of the word's alternatives.
  function wordPages(alts) {
    var best = dict();
    alts.forEach(function (a) {
      var list = postings(a.e);
      for (var i = 0; i < list.length; i += STRIDE) {
        var v = a.weight * impact(list[i + 1]);
        if (!(best[list[i]] >= v)) best[list[i]] = v;
      }
    });
    return best;
  }

  // Whether a word's postings were cut to its best pages (CAP in src/search/index.rs):
  // then a page without it may still hold it.
  function cut(w) {
    return w.alts.some(function (a) { return isCut(a.e); });
  }

  // Whether a term's postings (a word's or a title pair's) were cut to its best pages.
  function isCut(e) {
    return e.df > postings(e).length / STRIDE;
  }

  // Whether some page holds all the query words that can tell (found, not cut).
  function together(words) {
    var common = null, n = 0;
    words.forEach(function (w) {
      if (!w.alts || !w.alts.length || cut(w)) return;
      var pages = wordPages(w.alts), next = dict();
      n++;
      for (var id in pages) if (!common || common[id]) next[id] = 1;
      common = next;
    });
    return n < 2 || Object.keys(common).length > 0;
  }

  // Picks each misspelled word's correction: of its likeliest candidates, the one that
  // gives the best first result with the other words (context), else the commonest.
  Index.prototype.correct = function (words) {
    var self = this, m = this.manifest;
    words.forEach(function (w, wi) {
      if (!w.cands || !w.cands.length) return;
      var others = dict(), n = 0;
      words.forEach(function (o, oi) {
        if (oi === wi || !o.alts.length) return;
        n++;
        var best = wordPages(o.alts);
        for (var id in best) {
          var p = others[id] || (others[id] = [0, 0]);
          p[0]++; p[1] += best[id];
        }
      });
      var pick = null;
      w.cands.forEach(function (c) {
        var sh = self.parsed["p/" + fileOf(m.p, c.term) + ".json"], e = sh && sh.map[c.term];
        if (!e) return;
        var top = [0, 0], list = postings(e);
        for (var i = 0; i < list.length; i += STRIDE) {
          var o = others[list[i]] || [0, 0], t = [o[0] + 1, o[1] + impact(list[i + 1])];
          if (t[0] > top[0] || (t[0] === top[0] && t[1] > top[1])) top = t;
        }
        // The likeliest word gives the best first result with the other words; between
        // equals, a commoner word is the likelier one meant (√df as a prior).
        top[1] *= Math.sqrt(c.df);
        if (!pick || top[0] > pick.top[0] || (top[0] === pick.top[0] && top[1] > pick.top[1])) pick = { c: c, e: e, top: top };
      });
      if (!pick) return;
      var weight = w.rare ? 0.8 : 1;
      // Stems the misspelled word extended by chance ("googce" → goog) give way.
      if (!w.rare) w.alts = w.alts.filter(function (a) { return a.begins; });
      w.alts.push({ term: pick.c.term, e: pick.e, weight: weight, typo: true });
      // The word being typed: what the corrected word begins too, as if typed right.
      if (w.prefix) {
        self.completions({ raw: pick.c.surface, shards: [fileOf(m.p, pick.c.surface)] }, pick.e, weight)
          .forEach(function (c) { if (c.term !== pick.c.term) w.alts.push(c); });
      }
    });
  };

  // For each two consecutive query words, the title pairs they may stand for (see
  // title_pairs in src/search/index.rs): each term of the first (as typed or corrected)
  // before each term of the second, of whose completions only the commonest few.
  Index.prototype.pairs = function (words) {
    var out = [];
    for (var i = 0; i + 1 < words.length; i++) {
      var a = words[i].alts.filter(function (x) { return !x.begins; });
      var b = words[i + 1].alts.filter(function (x) { return !x.begins; })
        .concat(words[i + 1].alts.filter(function (x) { return x.begins; }).slice(0, PAIR_COMPLETIONS));
      var keys = [];
      a.forEach(function (x) { b.forEach(function (y) { keys.push(x.term + PAIR_JOIN + y.term); }); });
      out.push(keys);
    }
    return out;
  };
  var PAIR_COMPLETIONS = 5;

  // A pair whose postings were cut to its best pages cannot tell a title without it: it
  // lifts the score of those it kept by this share, and ranks nothing.
  var PAIR_LIFT = 0.15;

  // Ranks pages by the query words they hold, then by the pairs of consecutive query
  // words their titles hold side by side and in order ("sprint review" in "Sprint Review
  // Checklist", not in "Review of the sprint"), then by impact (the words' and pairs').
  // `pairKeys`: the title pairs each two consecutive words may stand for (`pairs`).
  Index.prototype.rank = function (words, pairKeys) {
    var self = this, m = this.manifest, pages = dict(), terms = dict();
    function page(id) { return pages[id] || (pages[id] = [0, 0, 0, 0]); }
    words.forEach(function (w) {
      // A word so common that its postings were cut to the best pages cannot tell a
      // page without it: it adds to the score only.
      var soft = cut(w);
      w.alts.forEach(function (a) { terms[a.term] = 1; });
      var best = wordPages(w.alts);
      for (var id in best) {
        var p = page(id);
        if (!soft) p[0]++;
        p[1] += best[id];
      }
    });
    pairKeys.forEach(function (keys) {
      var held = dict(), soft = false;
      keys.forEach(function (k) {
        var sh = self.parsed["p/" + fileOf(m.p, k) + ".json"], e = sh && sh.map[k];
        if (!e) return;
        var list = postings(e);
        if (isCut(e)) soft = true;
        for (var i = 0; i < list.length; i += STRIDE) {
          var v = impact(list[i + 1]);
          if (!(held[list[i]] >= v)) held[list[i]] = v;
        }
      });
      // A pair held adds its impact (a shorter title holds it more) to the score.
      for (var id in held) {
        var p = page(id);
        if (soft) p[3]++;
        else { p[2]++; p[1] += held[id]; }
      }
    });
    var ids = Object.keys(pages).map(Number);
    ids.forEach(function (id) { var p = pages[id]; p[1] *= 1 + PAIR_LIFT * p[3]; });
    ids.sort(function (a, b) {
      var x = pages[a], y = pages[b];
      return y[0] - x[0] || y[2] - x[2] || y[1] - x[1] || a - b;
    });
    var prefixWord = words.length && words[words.length - 1].prefix ? words[words.length - 1].raw : null;
    return { ids: ids, pages: pages, terms: terms, prefix: prefixWord, words: words.length };
  };

  Index.prototype.kindOf = function (id) {
    var k = this.manifest.kinds, kind = k.length ? k[0][0] : "page";
    for (var i = 0; i < k.length && k[i][1] <= id; i++) kind = k[i][0];
    return kind;
  };
  Index.prototype.record = function (id) {
    var m = this.manifest, self = this;
    return this.get("r/" + Math.floor(id / m.rg) + ".json").then(function (g) {
      var r = g[id % m.rg];
      return { id: id, url: m.base + r[0], title: r[1], summary: r[2], kind: self.kindOf(id) };
    });
  };
  // Facets of pages {id: {role: [...], event: [...], tag: [...]}} for the blocks `ids` fall in.
  Index.prototype.facets = function (ids) {
    var m = this.manifest, self = this, blocks = {};
    ids.forEach(function (id) { blocks[Math.floor(id / m.fb)] = 1; });
    return Promise.all(Object.keys(blocks).map(function (b) {
      return self.get("f/" + b + ".json").then(function (list) { return [+b, list]; });
    })).then(function (parts) {
      var out = {};
      parts.forEach(function (p) { out[p[0]] = p[1]; });
      return function facetOf(id) {
        var s = (out[Math.floor(id / m.fb)] || [])[id % m.fb] || "..", f = s.split("."), res = {};
        [["role", m.roles, 0], ["event", m.events, 1], ["tag", m.tags, 2]].forEach(function (d) {
          var w = m.fw[d[2]], str = f[d[2]] || "", names = [];
          for (var i = 0; i + w <= str.length; i += w) {
            var v = 0;
            for (var j = 0; j < w; j++) v = v * 64 + VAL[str[i + j]];
            names.push(d[1][v]);
          }
          res[d[0]] = names;
        });
        return res;
      };
    });
  };

  // ---------------------------------------------------------------- highlighting --
  function esc(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function highlight(text, res) {
    var marks = [];
    tokenize(text).forEach(function (t) {
      if (t.w !== undefined) {
        if (res.terms[stem(t.w)] || (res.prefix && t.w.indexOf(res.prefix) === 0)) marks.push([t.s, t.e]);
      } else {
        var ch = Array.from(t.c), at = t.s, pos = [];
        ch.forEach(function (c) { pos.push(at); at += c.length; });
        pos.push(at);
        var hit = [];
        if (ch.length === 1) { if (res.terms[t.c] || res.prefix === t.c) hit[0] = 1; }
        for (var i = 0; i + 1 < ch.length; i++) {
          var b = ch[i] + ch[i + 1];
          if (res.terms[b] || (res.prefix && b.indexOf(res.prefix) === 0)) { hit[i] = 1; hit[i + 1] = 1; }
        }
        for (var j = 0; j < ch.length; j++) if (hit[j]) marks.push([pos[j], pos[j + 1]]);
      }
    });
    var out = "", last = 0;
    marks.forEach(function (mk) {
      if (mk[0] < last) return;
      out += esc(text.slice(last, mk[0])) + "<mark>" + esc(text.slice(mk[0], mk[1])) + "</mark>";
      last = mk[1];
    });
    return (out + esc(text.slice(last))).replace(/<\/mark><mark>/g, "");
  }

  // ------------------------------------------------------------------------- UI --
  var LABELS = { prompt: "Prompt", tool: "Tool", takeaway: "Takeaway", story: "Story", playbook: "Playbook", page: "Page" };
  var DIMS = ["kind", "role", "event", "tag"];
  var DIM_LABEL = { kind: "Kind", role: "Role", event: "Event", tag: "Tag" };
  var PAGE = 10;
  var uid = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function nice(name) { return name.replace(/-/g, " "); }

  // One search view: a status line, filter chips, a result list. Used by the header
  // panel and by the /search/ page.
  function View(index, container, opts) {
    this.index = index;
    this.opts = opts;
    this.filters = opts.filters || {};
    this.seq = 0;
    this.shown = PAGE;
    var id = "search-" + (++uid);
    this.status = el("p", "search-status");
    this.status.id = id + "-status";
    this.status.setAttribute("role", "status");
    this.chips = el("div", "search-chips");
    this.list = el("ol", "search-results");
    this.list.id = id + "-results";
    this.list.setAttribute("aria-labelledby", this.status.id);
    this.more = el("button", "search-more", "Show more results");
    this.more.type = "button";
    this.more.hidden = true;
    container.appendChild(this.status);
    container.appendChild(this.chips);
    container.appendChild(this.list);
    container.appendChild(this.more);
    var self = this;
    this.more.addEventListener("click", function () {
      self.shown += PAGE;
      self.render(true);
    });
    this.chips.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-dim]");
      if (!b) return;
      var d = b.getAttribute("data-dim"), v = b.getAttribute("data-value");
      self.filters[d] = self.filters[d] === v ? "" : v;
      self.shown = PAGE;
      self.render(false, d + "=" + v);
      if (self.opts.onFilters) self.opts.onFilters(self.filters);
    });
  }
  View.prototype.clear = function () {
    this.seq++;
    clearTimeout(this.timer);
    this.res = null;
    this.status.textContent = "";
    this.chips.textContent = "";
    this.list.textContent = "";
    this.more.hidden = true;
  };
  View.prototype.run = function (query, eager) {
    var self = this, seq = ++this.seq;
    this.query = query;
    this.shown = PAGE;
    clearTimeout(this.timer);
    if (!query.trim()) { this.clear(); return Promise.resolve(); }
    if (!this.res) this.status.textContent = "Searching…";
    this.list.setAttribute("aria-busy", "true");
    return this.index.search(query, eager).then(function (res) {
      if (seq !== self.seq) return;
      self.res = res;
      self.facetOf = null;
      self.list.toggleAttribute("data-pending", !!res.pending);
      if (res.pending) {
        // Typing paused on a short word: fetch what it needs.
        self.timer = setTimeout(function () { if (seq === self.seq) self.run(query, true); }, 150);
      }
      return self.render(false).then(function () {
        // Role, event and tag counts (the /search/ page) come after the results, off
        // the critical path; they cost a file per 4,096 pages.
        if (self.opts.facets && !res.pending && seq === self.seq && res.ids.length) {
          return self.index.facets(res.ids).then(function (f) {
            if (seq !== self.seq) return;
            self.facetOf = f;
            return self.render(false);
          });
        }
      });
    }).catch(function (err) {
      if (seq !== self.seq) return;
      self.status.textContent = "Search is not available right now.";
      self.list.removeAttribute("aria-busy");
      if (window.console) console.error(err);
    });
  };
  // Pages that pass every filter but `skip`'s.
  View.prototype.filtered = function (skip) {
    var f = this.filters, idx = this.index, facetOf = this.facetOf;
    var need = DIMS.filter(function (d) { return d !== skip && f[d]; });
    if (!need.length) return this.res.ids;
    return this.res.ids.filter(function (id) {
      return need.every(function (d) {
        if (d === "kind") return idx.kindOf(id) === f.kind;
        if (!facetOf) return true;
        return facetOf(id)[d].indexOf(f[d]) >= 0;
      });
    });
  };
  View.prototype.render = function (append, focusChip) {
    var self = this, res = this.res, seq = this.seq;
    if (!res) return Promise.resolve();
    this.list.setAttribute("aria-busy", "true");
    if (res.short) {
      this.list.textContent = "";
      this.chips.textContent = "";
      this.more.hidden = true;
      this.list.removeAttribute("aria-busy");
      this.status.textContent = "Type one more letter to search.";
      return Promise.resolve();
    }
    var f = this.filters;
    var needFacets = (f.role || f.event || f.tag) && !this.facetOf;
    var ready = needFacets
      ? this.index.facets(res.ids).then(function (fo) { self.facetOf = fo; })
      : Promise.resolve();
    return ready.then(function () {
      if (seq !== self.seq) return;
      var ids = self.filtered(null);
      var top = ids.slice(append ? self.list.children.length : 0, self.shown);
      return Promise.all(top.map(function (id) { return self.index.record(id); })).then(function (recs) {
        if (seq !== self.seq) return;
        self.renderChips(focusChip);
        if (!append) self.list.textContent = "";
        var firstNew = null;
        recs.forEach(function (r) {
          var li = el("li", "search-hit kind-" + r.kind);
          var a = el("a");
          a.href = r.url;
          var badge = el("span", "kind-badge", LABELS[r.kind] || r.kind);
          var title = el("span", "search-hit-title");
          title.innerHTML = highlight(r.title, res);
          var summary = el("span", "search-hit-summary");
          summary.innerHTML = highlight(r.summary, res);
          a.appendChild(badge);
          a.appendChild(title);
          a.appendChild(summary);
          li.appendChild(a);
          self.list.appendChild(li);
          if (!firstNew) firstNew = a;
        });
        if (append && firstNew) firstNew.focus();
        var n = ids.length, q = self.query.trim();
        if (!n && res.pending) {
          // Nothing yet, and a file or typo list is still to come once typing pauses:
          // not an empty state.
          self.status.textContent = "Searching…";
          return;
        }
        self.list.removeAttribute("aria-busy");
        var active = DIMS.filter(function (d) { return f[d]; }).map(function (d) { return nice(f[d]); });
        var where = active.length ? " (filtered: " + active.join(", ") + ")" : "";
        self.status.textContent = n === 0
          ? "No results for “" + q + "”" + where + ". Check the spelling, try fewer words" + (active.length ? " or remove a filter." : ".")
          : n + (n === 1 ? " result" : " results") + " for “" + q + "”" + where;
        self.more.hidden = ids.length <= self.shown;
        if (self.opts.onResults) self.opts.onResults(n);
      });
    });
  };
  View.prototype.renderChips = function (focusChip) {
    var self = this, res = this.res, f = this.filters, idx = this.index;
    this.chips.textContent = "";
    if (!res.ids.length) return;
    DIMS.forEach(function (d) {
      if (d !== "kind" && !self.facetOf) return;
      var counts = dict();
      self.filtered(d).forEach(function (id) {
        var vals = d === "kind" ? [idx.kindOf(id)] : self.facetOf(id)[d];
        vals.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      var vals = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a] || cmp(a, b); });
      if (d === "tag") vals = vals.slice(0, 12);
      if (f[d] && vals.indexOf(f[d]) < 0) vals.unshift(f[d]);
      if (vals.length < 2 && !f[d]) return;
      var group = el("div", "search-chip-group");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Filter by " + DIM_LABEL[d].toLowerCase());
      group.appendChild(el("span", "search-chip-label", DIM_LABEL[d]));
      vals.forEach(function (v) {
        var b = el("button", "chip");
        b.type = "button";
        b.setAttribute("data-dim", d);
        b.setAttribute("data-value", v);
        b.setAttribute("aria-pressed", f[d] === v ? "true" : "false");
        b.appendChild(document.createTextNode(d === "kind" ? (LABELS[v] || v) : nice(v)));
        b.appendChild(el("span", "count", String(counts[v] || 0)));
        group.appendChild(b);
        if (focusChip === d + "=" + v) setTimeout(function () { b.focus(); }, 0);
      });
      self.chips.appendChild(group);
    });
  };

  // Arrow keys move between the results and chips of `box`; Escape calls `close`.
  function keyboard(box, input, close) {
    box.addEventListener("keydown", function (e) {
      var items = [].concat.apply([], [".search-results a", ".search-more:not([hidden])", ".search-all", ".search-chips button"]
        .map(function (sel) { return Array.prototype.slice.call(box.querySelectorAll(sel)); }));
      var i = items.indexOf(document.activeElement);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (i < 0 && e.target !== input) return;
        e.preventDefault();
        var next = e.key === "ArrowDown" ? i + 1 : i - 1;
        if (next < 0) input.focus();
        else if (next < items.length) items[next].focus();
      } else if (e.key === "Escape" && close) {
        e.preventDefault();
        close();
        input.focus();
      }
    });
  }

  function headerSearch(index, form) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var panel = el("div", "search-panel");
    panel.id = "search-panel";
    panel.hidden = true;
    var all = el("a", "search-all", "All results on the search page");
    var view = new View(index, panel, {
      onResults: function () { panel.appendChild(all); }
    });
    form.appendChild(panel);
    input.setAttribute("aria-controls", panel.id);
    var refocus = false;
    function open() { panel.hidden = false; }
    function close() { panel.hidden = true; refocus = true; setTimeout(function () { refocus = false; }, 0); }
    input.addEventListener("input", function () {
      var q = input.value;
      all.href = form.getAttribute("action") + "?q=" + encodeURIComponent(q.trim());
      if (!q.trim()) { view.clear(); close(); return; }
      open();
      view.run(q);
    });
    input.addEventListener("focus", function () {
      if (input.value.trim() && view.res && !refocus) open();
      index.load().catch(function () { /* shown when searching */ });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !panel.hidden) {
        var first = panel.querySelector(".search-results a") || panel.querySelector(".search-chips button");
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === "Escape") {
        if (!panel.hidden) { e.preventDefault(); close(); }
        else if (input.value) { input.value = ""; view.clear(); }
      }
    });
    keyboard(panel, input, close);
    form.addEventListener("focusout", function (e) {
      if (!e.relatedTarget || !form.contains(e.relatedTarget)) {
        setTimeout(function () { if (!form.contains(document.activeElement)) close(); }, 0);
      }
    });
    document.addEventListener("pointerdown", function (e) { if (!form.contains(e.target)) close(); });
  }

  function pageSearch(index, box) {
    var form = box.querySelector("form.search-page-form");
    var input = form && form.querySelector("input[name=q]");
    var out = box.querySelector(".search-page-results");
    if (!input || !out) return;
    var params = new URLSearchParams(location.search);
    var filters = {};
    DIMS.forEach(function (d) { filters[d] = params.get(d) || ""; });
    function sync() {
      var p = new URLSearchParams();
      if (input.value) p.set("q", input.value);
      DIMS.forEach(function (d) { if (view.filters[d]) p.set(d, view.filters[d]); });
      var s = p.toString();
      history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
    }
    var view = new View(index, out, { filters: filters, onFilters: sync, facets: true });
    input.value = params.get("q") || "";
    out.hidden = false;
    // A query submitted or opened from the URL is complete: fetch all it needs at once.
    form.addEventListener("submit", function (e) { e.preventDefault(); sync(); view.run(input.value, true); });
    input.addEventListener("input", function () { sync(); view.run(input.value); });
    keyboard(out, input, null);
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var first = out.querySelector(".search-results a") || out.querySelector(".search-chips button");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    if (input.value) view.run(input.value, true);
  }

  function init() {
    // For the tests: the same analysis as the index, and the engine.
    var api = window.playbookSearch = {
      tokenize: function (s) { return tokenize(s).map(function (t) { return t.w !== undefined ? t.w : "cjk:" + t.c; }); },
      fold: fold,
      porter2: porter2,
      german: german,
      analyze: function (s, lang) {
        var keep = stemmer;
        stemmer = STEMMERS[lang] || null;
        try { return analyze(s); } finally { stemmer = keep; }
      }
    };
    var form = document.querySelector("form.search-form[data-search-root]");
    if (!form) return;
    var index = new Index(form.getAttribute("data-search-root"));
    api.search = function (q) {
      return index.search(q, true).then(function (r) {
        return Promise.all(r.ids.slice(0, 10).map(function (id) { return index.record(id); }));
      });
    };
    api.index = index;
    headerSearch(index, form);
    var page = document.querySelector(".search-page");
    if (page) pageSearch(index, page);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

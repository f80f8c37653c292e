/* kb's own search page: ranks entries over api/search.json with the same normalization
   as `kb search` (a port of kb/normalize.py: normalize() and tokens()). Entry text is
   only ever set as textContent. */
(function () {
  "use strict";

  // The site root, from this script's own URL (assets/kb-search.js).
  var SITE_ROOT = new URL("../", document.currentScript ? document.currentScript.src : location.href);

  // The kb.normalize.NORMALIZER_VERSION this port follows; a test fails when they differ.
  var NORMALIZER_VERSION = 2;

  var QUOTES = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "`": "'", "\u00a0": " " };
  var RULES = [
    [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, "<ts>"],
    [/\b\d{4}-\d{2}-\d{2}\b/g, "<date>"],
    [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, "<time>"],
    [/\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b/g, "<uuid>"],
    [/\b0x[0-9a-fA-F]+\b/g, "<addr>"],
    [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b/g, "<hash>"],
    [/\bline \d+/g, "line <n>"],
    [/\b\d+(?:\.\d+)+(?:[a-z]+\d*)?\b/g, "<v>"],
    [/(?<![\w<])\d+\b/g, "<n>"]
  ];
  var TOKEN = /<[a-z]+>|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|\d+/g;
  var CAMEL = /[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+/g;
  var QUOTED = /'([^'\n]+)'|"([^"\n]+)"/g;

  function quotes(text) {
    return text.replace(/[\u2018\u2019\u201c\u201d`\u00a0]/g, function (c) { return QUOTES[c]; });
  }

  // A path-like token: starts where a token starts and contains a slash or a backslash.
  var PATH_TOKEN = /(?<![^\s"'<>(),=\[])[^\s"'<>(),\[\]]*[\\/][^\s"'<>(),\[\]]*/g;
  var PYTHON_DIR = /^python\d(?:\.\d+)?$/;

  // A path down to what follows site-packages, else what follows pythonX.Y, else the file
  // name of an absolute path (kb/normalize.py: _strip_path).
  function stripPath(token) {
    var parts = token.replace(/\\/g, "/").split("/");
    var i;
    for (i = parts.length - 1; i >= 0; i--) {
      if (parts[i] === "site-packages" || parts[i] === "dist-packages") return parts.slice(i + 1).join("/");
    }
    var absolute = parts[0] === "" || (parts[0].length === 2 && parts[0].charAt(1) === ":");
    if (!absolute) return token;
    for (i = parts.length - 2; i > 0; i--) {
      if (PYTHON_DIR.test(parts[i])) return parts.slice(i + 1).join("/");
    }
    var last = parts[parts.length - 1];
    if (parts.length > 2 && last.replace(/^\.+|\.+$/g, "").indexOf(".") >= 0) return last;
    return token;
  }

  function normalize(text) {
    var out = quotes(text).replace(PATH_TOKEN, stripPath);
    for (var i = 0; i < RULES.length; i++) out = out.replace(RULES[i][0], RULES[i][1]);
    return out.replace(/\s+/g, " ").trim().toLowerCase();
  }

  function expand(word, out) {
    out.push(word.toLowerCase());
    if (word.indexOf(".") >= 0) {
      word.split(".").forEach(function (p) { if (p) expand(p, out); });
      return;
    }
    var parts = word.split("_").filter(function (p) { return p; });
    if (parts.length > 1 || (parts.length && parts[0] !== word)) {
      parts.forEach(function (p) { expand(p, out); });
      return;
    }
    var camel = word.match(CAMEL) || [];
    if (camel.length > 1) camel.forEach(function (p) { out.push(p.toLowerCase()); });
  }

  function tokens(text) {
    var out = [];
    var words = quotes(text).match(TOKEN) || [];
    words.forEach(function (w) { if (w.charAt(0) !== "<") expand(w, out); });
    return out;
  }

  function unique(list) {
    var seen = new Set();
    return list.filter(function (x) { if (seen.has(x)) return false; seen.add(x); return true; });
  }

  function prepare(index) {
    var df = new Map();
    index.docs.forEach(function (doc) {
      Object.keys(doc.w).forEach(function (t) { df.set(t, (df.get(t) || 0) + 1); });
      doc.sigs.forEach(function (sig) {
        sig.key = [];
        var m;
        QUOTED.lastIndex = 0;
        while ((m = QUOTED.exec(sig.n)) !== null) sig.key = sig.key.concat(tokens(m[1] || m[2]));
        sig.regex = null;
        if (sig.re) {
          try { sig.regex = new RegExp(sig.re); } catch (e) { sig.regex = null; }
        }
      });
    });
    index.df = df;
    return index;
  }

  function rank(index, query, limit) {
    var n = Math.max(index.docs.length, 1);
    var norm = normalize(query);
    var terms = unique(tokens(norm));
    var termSet = new Set(terms);
    function idf(t) { return Math.log(1 + n / (1 + (index.df.get(t) || 0))); }
    var qWeight = terms.reduce(function (s, t) { return s + idf(t); }, 0);
    var hits = [];
    var topWeighted = 0;
    index.docs.forEach(function (doc) {
      var exact = 0;
      var sigCov = 0;
      doc.sigs.forEach(function (sig) {
        if ((sig.n && norm.indexOf(sig.n) >= 0) || (sig.regex && sig.regex.test(query))) {
          exact = Math.max(exact, 1 + sig.n.length / 10000);
        }
        if (!sig.key.every(function (k) { return termSet.has(k); })) return;
        var total = 0, got = 0;
        sig.t.forEach(function (t) { var w = idf(t); total += w; if (termSet.has(t)) got += w; });
        if (total) sigCov = Math.max(sigCov, got / total);
      });
      var cov = 0, weighted = 0;
      terms.forEach(function (t) {
        var w = doc.w[t];
        if (w) { cov += idf(t); weighted += idf(t) * w; }
      });
      if (!exact && !weighted) return;
      topWeighted = Math.max(topWeighted, weighted);
      hits.push({ doc: doc, exact: exact, sigCov: sigCov, cov: qWeight ? cov / qWeight : 0, weighted: weighted });
    });
    hits.forEach(function (h) {
      h.score = h.exact || 0.6 * h.sigCov + 0.3 * h.cov + 0.1 * (topWeighted ? h.weighted / topWeighted : 0);
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.doc.id < b.doc.id ? -1 : 1); });
    // Entries that share only a few common words with the query are noise next to the best.
    var floor = hits.length ? hits[0].score * 0.2 : 0;
    return hits.filter(function (h) { return h.score >= floor; }).slice(0, limit);
  }

  function show(root, base, hits, status, query) {
    root.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = new URL(h.doc.url, base).href;
      a.textContent = h.doc.title;
      var meta = document.createElement("span");
      meta.className = "kb-result-meta";
      meta.textContent = " " + h.doc.package + " · " + (h.doc.status === "wont-fix" ? "won't fix" : h.doc.status.replace(/-/g, " ")) +
        (h.exact ? " · signature match" : "");
      li.appendChild(a);
      li.appendChild(meta);
      root.appendChild(li);
    });
    status.textContent = query.trim() ? hits.length + (hits.length === 1 ? " entry" : " entries") + " found" : "";
  }

  function start() {
    var root = document.getElementById("kb-results");
    if (!root) return;
    var box = document.getElementById("kb-q");
    var status = document.getElementById("kb-status");
    var indexUrl = new URL(root.getAttribute("data-index"), document.baseURI);
    var siteBase = new URL(root.getAttribute("data-root"), document.baseURI);
    var index = null;
    var timer = null;
    function run() {
      if (!index) return;
      show(root, siteBase, box.value.trim() ? rank(index, box.value, 20) : [], status, box.value);
    }
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 150); });
    document.getElementById("kb-search-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      run();
    });
    var q = new URLSearchParams(location.search).get("text");
    if (q) box.value = q;
    status.textContent = "Loading the index…";
    fetch(indexUrl).then(function (r) { return r.json(); }).then(function (data) {
      index = prepare(data);
      status.textContent = data.normalizer_version === NORMALIZER_VERSION ? "" :
        "This page normalizes text differently from the index; results may be off.";
      root.setAttribute("data-ready", "true");
      run();
    }).catch(function () { status.textContent = "The search index could not be loaded."; });
  }

  // Enter in the theme's search box takes its text to this search page, which ranks
  // pasted error text better than the theme's word index (see bench/README.md).
  function hookHeader() {
    var input = document.querySelector("input.md-search__input");
    if (!input) return;
    input.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || !input.value.trim()) return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      location.href = new URL("find/?text=" + encodeURIComponent(input.value), SITE_ROOT).href;
    }, true);
  }

  function init() { hookHeader(); start(); }

  window.kbSearch = {
    normalize: normalize, tokens: tokens, rank: rank, prepare: prepare,
    normalizerVersion: NORMALIZER_VERSION
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

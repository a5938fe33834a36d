/* policy-reader search worker.
 *
 * Material for MkDocs runs its search in a web worker and lets a site supply
 * its own (the page's config names the worker script). This one speaks the
 * same four messages (0 setup, 1 ready, 2 query, 3 result) but reads the
 * prebuilt, sharded index in search/shards/ (see scripts/policy_reader/
 * search_shards.py) instead of building a lunr index in the browser, so it is
 * ready as soon as the small manifest has arrived, and a query fetches only
 * the term bundles of its own words and the shards of the documents it returns.
 */
"use strict";

var BASE = new URL("../search/shards/", self.location.href);
var manifest = null;
var cache = {};
var MAX_DOCS = 24;  /* documents fetched and shown per query: the best ones */

function load(name) {
  if (!cache[name]) {
    cache[name] = fetch(new URL(name, BASE).href).then(function (r) {
      if (!r.ok) throw new Error(name + ": " + r.status);
      return r.json();
    });
  }
  return cache[name];
}

function terms(text) {
  var plain = text.toLowerCase().replace(/[’']/g, "");
  var found = plain.match(/[0-9a-z\u00c0-\u024f]+/g) || [];
  var stop = manifest ? manifest.stopwords : [];
  return found.filter(function (t) { return stop.indexOf(t) < 0; });
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/* Results are shown as HTML by Material, so what the worker returns is made safe here,
 * whatever the index holds: the index's strings are HTML text (words escaped by the
 * build, scripts/policy_reader/site/search/index.py). A title or heading is shown as text
 * (every tag dropped, any stray angle bracket escaped); a text keeps only bare formatting
 * tags (no attributes), any other "<" or ">" becomes a character. */
var SAFE_TAG = /^<\/?(?:code|em|strong|b|i|sub|sup|kbd|p|ul|ol|li|pre)>$/i;

function escapeBrackets(s) {
  return s.replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function asText(html) {
  return escapeBrackets(String(html || "").replace(/<[^<>]*>/g, ""));
}

function asSafeHtml(html) {
  return String(html || "").split(/(<[^<>]*>)/).map(function (part) {
    return SAFE_TAG.test(part) ? part : escapeBrackets(part);
  }).join("");
}

/* Wrap the query's words in <mark>, outside of HTML tags and character references only. */
function highlight(html, words) {
  if (!words.length) return html;
  var re = new RegExp("(^|[^0-9a-z\\u00c0-\\u024f])(" + words.map(escapeRegExp).join("|") +
    ")", "gi");
  return html.split(/(<[^>]*>|&#?[0-9a-z]+;)/i).map(function (part) {
    if (part.charAt(0) === "<" || (part.charAt(0) === "&" && part.length > 2)) return part;  /* tags, entities */
    return part.replace(re, function (_, before, word) {
      return before + "<mark data-md-highlight>" + word + "</mark>";
    });
  }).join("");
}

/* Postings of one query word: the word itself, or every indexed word it
 * begins (the last word, still being typed). Returns {doc: weight}. The terms
 * of a two-letter prefix are in one term bundle (manifest.termShards names it),
 * which holds {prefix: {term: [doc, weight, ...]}} for a run of prefixes. */
function postings(word, isPrefix) {
  var key = word.slice(0, 2);
  if (!Object.prototype.hasOwnProperty.call(manifest.termShards, key)) {
    return Promise.resolve({ hits: {}, forms: [] });
  }
  return load("t-" + manifest.termShards[key] + ".json").then(function (bundle) {
    var shard = Object.prototype.hasOwnProperty.call(bundle, key) ? bundle[key] : {};
    var hits = {}, forms = [];
    Object.keys(shard).forEach(function (term) {
      if (term === word || (isPrefix && word.length >= 2 && term.lastIndexOf(word, 0) === 0)) {
        forms.push(term);
        var flat = shard[term];
        for (var i = 0; i < flat.length; i += 2) hits[flat[i]] = (hits[flat[i]] || 0) + flat[i + 1];
      }
    });
    return { hits: hits, forms: forms };
  });
}

function docRecord(id) {
  var shard = Math.floor(id / manifest.docShard);
  return load("d" + shard + ".json").then(function (docs) {
    return docs[id - shard * manifest.docShard];
  });
}

/* Paragraphs, key takeaways and bios (their own permalinks) are what a reader looks
 * for; lists, the home page, topic pages and headings repeat or summarise their
 * words. So every paragraph ranks above every other kind of result, each kind by
 * its score. Reorders ``ranked`` in place; returns the records in the same order. */
var PARAGRAPH = /#(p-\d+|kt-\d+|bio)$/;
function rankParagraphsFirst(ranked, records) {
  var pairs = ranked.map(function (r, i) {
    return { r: r, rec: records[i], tier: PARAGRAPH.test(records[i][0]) ? 0 : 1 };
  });
  pairs.sort(function (a, b) { return a.tier - b.tier || b.r.score - a.r.score || a.r.id - b.r.id; });
  pairs.forEach(function (p, i) { ranked[i] = p.r; });
  return pairs.map(function (p) { return p.rec; });
}

function search(query) {
  var words = terms(query);
  if (!words.length) return Promise.resolve({ items: [] });
  var trailingSpace = /\s$/.test(query);
  return Promise.all(words.map(function (w, i) {
    return postings(w, i === words.length - 1 && !trailingSpace);
  })).then(function (lists) {
    var n = manifest.docs, scores = {}, matched = {};
    lists.forEach(function (list, i) {
      var docs = Object.keys(list.hits);
      var idf = Math.log(1 + n / (1 + docs.length));
      docs.forEach(function (d) {
        scores[d] = (scores[d] || 0) + idf * list.hits[d] / 100;  /* weights are BM25 tf parts */
        (matched[d] = matched[d] || {})[words[i]] = true;
      });
    });
    var ranked = Object.keys(scores).map(function (d) {
      var coverage = Object.keys(matched[d]).length / words.length;
      return { id: +d, score: scores[d] * coverage * coverage };
    }).sort(function (a, b) { return b.score - a.score || a.id - b.id; }).slice(0, MAX_DOCS);
    var forms = [];
    lists.forEach(function (l) { forms = forms.concat(l.forms); });
    var marks = words.concat(forms).filter(function (w, i, all) { return all.indexOf(w) === i; })
      .sort(function (a, b) { return b.length - a.length; });
    return Promise.all(ranked.map(function (r) { return docRecord(r.id); })).then(function (found) {
      var records = rankParagraphsFirst(ranked, found);
      var parents = [];
      records.forEach(function (rec) { if (rec[3] >= 0) parents.push(rec[3]); });
      return Promise.all(parents.map(docRecord)).then(function () {
        return Promise.all(records.map(function (rec) {
          return rec[3] >= 0 ? docRecord(rec[3]) : Promise.resolve(null);
        }));
      }).then(function (parentRecords) {
        var groups = [], byPage = {};
        records.forEach(function (rec, i) {
          var page = rec[3] >= 0 ? parentRecords[i] : rec;
          var key = page[0];
          var termsOf = {};
          words.forEach(function (w) { termsOf[w] = !!matched[ranked[i].id][w]; });
          var item = {
            location: rec[0], title: highlight(asText(rec[1]), marks), text: highlight(asSafeHtml(rec[2]), marks),
            score: ranked[i].score, terms: termsOf
          };
          if (!(key in byPage)) {
            byPage[key] = groups.length;
            groups.push(rec[3] >= 0
              ? [{ location: page[0], title: asText(page[1]), text: "", score: 0, terms: {} }]
              : []);
          }
          var group = groups[byPage[key]];
          if (rec[3] < 0) {
            group.unshift(item);                       /* the page itself leads its group */
            if (group[1] && group[1].location === item.location) group.splice(1, 1);
          } else {
            group.push(item);
          }
        });
        return { items: groups };
      });
    });
  });
}

addEventListener("message", function (ev) {
  var message = ev.data;
  if (message.type === 0) {
    load("manifest.json").then(function (m) {
      manifest = m;
      postMessage({ type: 1 });
    });
  } else if (message.type === 2) {
    var ready = manifest ? Promise.resolve() : load("manifest.json").then(function (m) { manifest = m; });
    ready.then(function () { return search(message.data); }).then(function (result) {
      postMessage({ type: 3, data: result });
    }, function (err) {
      console.warn("search failed: " + err);
      postMessage({ type: 3, data: { items: [] } });
    });
  }
});

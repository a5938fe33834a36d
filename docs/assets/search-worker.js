/* policy-reader search worker.
 *
 * Material for MkDocs runs its search in a web worker and lets a site supply
 * its own (the page's config names the worker script). This one speaks the
 * same four messages (0 setup, 1 ready, 2 query, 3 result) but reads the
 * prebuilt, sharded index in search/shards/ (see scripts/policy_reader/site/
 * search/shards.py) instead of building a lunr index in the browser, so it is
 * ready as soon as the small manifest has arrived. A query fetches in parallel
 * the postings of its words (a term bundle, or a frequent word's own file, whose
 * first tier carries the records of the word's best results), then, only for
 * results shown that no fetched file carries, their small record shards.
 */
"use strict";

var BASE = new URL("../search/shards/", self.location.href);
var manifest = null;
var cache = {};
var carried = {};  /* document id -> {term: record}, from the first tiers of the term files fetched so far */
var MAX_SHOWN = 10;   /* results shown per query (their records are fetched): the best ones */
var MAX_FORMS = 3;    /* a word still being typed also finds this many of its commonest completions */

/* Where a query's time goes (milliseconds, performance.now()): set per query, sent with
 * its result as data.timing (Material ignores it; dev/search_timing.py reads it). */
var clock = null;

function load(name) {
  if (!cache[name]) {
    var t0 = performance.now();
    cache[name] = fetch(new URL(name, BASE).href).then(function (r) {
      if (!r.ok) throw new Error(name + ": " + r.status);
      return r.text();
    }).then(function (text) {
      var t1 = performance.now();
      var value = JSON.parse(text);
      if (clock) {
        clock.fetches += 1; clock.fetchMs += t1 - t0; clock.parseMs += performance.now() - t1;
        clock.bytes += text.length;
      }
      return value;
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

/* Postings of one query word: the word itself, or (the last word, still being
 * typed) also up to MAX_FORMS of the commonest indexed words it begins. Returns
 * {hits: Map doc -> weight, df, forms: [terms], tails: [files], tailMax}. A frequent
 * term's postings are files of their own, in tiers by weight (manifest.ownFiles:
 * [df, [file, heaviest weight left after it among paragraphs, among the others], ...]):
 * the first tier is fetched, the next ones only while they could change what is
 * shown (needTails). The others are in the term bundle of
 * their key (bundleKey, manifest.termShards), {key: {term: postings}}.
 * Postings are [gap, weight, ...]; a document found by several forms counts once,
 * with its heaviest weight. */
function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

/* The term bundle key of a word: the longest of its prefixes (two characters or more, or
 * the word itself when shorter) that the manifest names. A two-letter prefix with many rare
 * words is cut into longer ones, so that each bundle stays small. */
function bundleKey(word) {
  for (var n = word.length; n >= Math.min(2, word.length); n--) {
    if (has(manifest.termShards, word.slice(0, n))) return word.slice(0, n);
  }
  return null;
}

/* `ahead`: the query has more than one word. The documents holding them all are then seldom
 * among each word's heaviest (its first tier), and the tails were fetched in a round of their
 * own after the first in nearly every such query at 1,000 papers; so the second tier of each
 * own file the word may use is fetched beside its first, and merged before the first ranking
 * (the results are the same: later tiers are still fetched while they could change them). */
function postings(word, isPrefix, ahead) {
  var key = bundleKey(word);
  var own = [];
  if (has(manifest.ownFiles, word)) own.push(word);
  /* the bundle holds the word (unless it has files of its own) and its rarer completions */
  var bundle = key !== null && (isPrefix || !own.length) ?
    load("t-" + manifest.termShards[key] + ".json") : Promise.resolve({});
  if (isPrefix && word.length >= 2) {
    own = own.concat(Object.keys(manifest.ownFiles).filter(function (t) {
      return t !== word && t.lastIndexOf(word, 0) === 0;
    }));
  }
  /* Fetched beside the bundle, not after it: the first tiers of the files of its own the
   * word may use (itself and its commonest completions with files of their own: the forms
   * below are picked among these, so no other own file is fetched after the bundle). */
  own.slice(own[0] === word ? 1 : 0).sort(function (a, b) {
    return manifest.ownFiles[b][0] - manifest.ownFiles[a][0] || (a < b ? -1 : 1);
  }).slice(0, MAX_FORMS).concat(own[0] === word ? [word] : []).forEach(function (t) {
    loadOwn(manifest.ownFiles[t][1][0], t).catch(function () {});  /* awaited below if used */
    if (ahead && manifest.ownFiles[t].length > 2) loadOwn(manifest.ownFiles[t][2][0], null).catch(function () {});
  });
  return bundle.then(function (b) {
    var shard = key !== null && has(b, key) ? b[key] : {};
    var forms = [];  /* [term, df, postings or null] */
    if (has(shard, word)) forms.push([word, shard[word].length / 2, shard[word]]);
    own.forEach(function (t) { forms.push([t, manifest.ownFiles[t][0], null]); });
    if (isPrefix && word.length >= 2) {
      /* rarer completions: in the word's own key and in longer keys of the same bundle */
      Object.keys(b).forEach(function (k) {
        if (k !== key && k.lastIndexOf(word, 0) !== 0) return;
        Object.keys(b[k]).forEach(function (t) {
          if (t !== word && t.lastIndexOf(word, 0) === 0) forms.push([t, b[k][t].length / 2, b[k][t]]);
        });
      });
    }
    /* the word itself, then its commonest completions */
    forms.sort(function (a, b) { return (b[0] === word) - (a[0] === word) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
    forms = forms.slice(0, (forms.length && forms[0][0] === word ? 1 : 0) + MAX_FORMS);
    var pending = [];  /* frequent forms with lighter tiers not fetched yet */
    forms.forEach(function (f) {
      if (!f[2] && manifest.ownFiles[f[0]].length > 2) pending.push({ tiers: manifest.ownFiles[f[0]].slice(1), next: 1 });
    });
    return Promise.all(forms.map(function (f) {
      return f[2] ? Promise.resolve(f[2]) : loadOwn(manifest.ownFiles[f[0]][1][0], f[0]);
    })).then(function (lists) {
      var hits = new Map(), df = 0;
      lists.forEach(function (flat, j) {
        addPostings(hits, flat);
        df = Math.max(df, forms[j][1]);
      });
      var list = settle({ hits: hits, df: df, forms: forms.map(function (f) { return f[0]; }), pending: pending });
      return ahead ? loadTails(list) : list;  /* second tiers: fetched beside the first (above) */
    });
  });
}

/* A term's tier file {postings, records}: its postings; the records it carries (the first
 * tier's: those of the term's heaviest documents, their text a window around the term) are
 * kept for docRecord, by document and term. */
function loadOwn(n, term) {
  return load("p-" + n + ".json").then(function (file) {
    for (var id in file.records) {
      if (!has(carried, id)) carried[id] = {};
      carried[id][term] = file.records[id];
    }
    return file.postings;
  });
}

function addPostings(hits, flat) {
  var doc = 0;
  for (var i = 0; i < flat.length; i += 2) {
    doc += flat[i];
    var had = hits.get(doc);
    if (had === undefined || had < flat[i + 1]) hits.set(doc, flat[i + 1]);
  }
}

/* A word's tails: the heaviest weight left unfetched, among paragraphs and among the others. */
function settle(list) {
  list.pending = list.pending.filter(function (p) { return p.next < p.tiers.length; });
  list.tails = list.pending.length > 0;
  list.tailMax = [0, 0];
  list.pending.forEach(function (p) {
    var left = p.tiers[p.next - 1];
    list.tailMax = [Math.max(list.tailMax[0], left[1]), Math.max(list.tailMax[1], left[2])];
  });
  return list;
}

/* Fetch the next tier of each of a word's frequent forms into its hits. */
function loadTails(list) {
  if (!list.tails) return Promise.resolve(list);
  return Promise.all(list.pending.map(function (p) { return loadOwn(p.tiers[p.next][0], null); })).then(function (flats) {
    flats.forEach(function (flat) { addPostings(list.hits, flat); });
    list.pending.forEach(function (p) { p.next += 1; });
    return settle(list);
  });
}

/* A result's record as carried by the file of one of the query's forms (`forms`: its words and
 * the completions it uses, in order), whose text is a window around that form; or null. A
 * record carried for another word (an earlier query's, or a completion the query does not use)
 * is not shown: its window may hold none of the query's words. */
function carriedRecord(id, forms) {
  if (!has(carried, id)) return null;
  for (var i = 0; i < forms.length; i++) if (has(carried[id], forms[i])) return carried[id][forms[i]];
  return null;
}

/* A result's record: carried by a term file already fetched (no fetch), or from its shard. */
function recordShard(id) { return "r" + Math.floor(id / manifest.recordShard) + ".json"; }

/* `early`: asked for before the results are final (a guess), not counted as a result's record. */
function docRecord(id, forms, early) {
  var rec = carriedRecord(id, forms);
  if (rec) return Promise.resolve(rec);
  if (clock && !early) clock.shardRecords += 1;
  var shard = Math.floor(id / manifest.recordShard);
  return load("r" + shard + ".json").then(function (docs) {
    return docs[id - shard * manifest.recordShard];
  });
}

/* Paragraphs, key takeaways and bios (their own permalinks) are what a reader looks
 * for; lists, the home page, topic pages and headings repeat or summarise their
 * words. So every paragraph ranks above every other kind of result, each kind by
 * its score. The index numbers the paragraphs first: documents 0 .. manifest.paragraphs - 1
 * are paragraphs, so the kind is known before any record is fetched. */
function tier(id) { return id < manifest.paragraphs ? 0 : 1; }

/* Score every document found: BM25 (idf times the stored tf parts) times the share
 * of the query's words it holds, squared. Returns [{id, score, mask}] ranked:
 * paragraphs first, then by score, then by id. */
function rank(lists) {
  var n = manifest.docs, W = lists.length, scores = new Float64Array(n), matched = new Int32Array(n), touched = [];
  lists.forEach(function (list, i) {
    list.idf = Math.log(1 + n / (1 + list.df));
    var idf = list.idf, bit = 1 << i;
    list.hits.forEach(function (weight, id) {
      if (!matched[id]) touched.push(id);
      scores[id] += idf * weight / 100;  /* weights are BM25 tf parts */
      matched[id] |= bit;
    });
  });
  var ranked = touched.map(function (id) {
    var m = matched[id], c = 0;
    while (m) { c += m & 1; m >>>= 1; }
    return { id: id, sum: scores[id], count: c, mask: matched[id], score: scores[id] * (c / W) * (c / W) };
  });
  ranked.sort(function (a, b) { return tier(a.id) - tier(b.id) || b.score - a.score || a.id - b.id; });
  return ranked;
}

/* Could a posting in a tail not yet fetched change the results shown or their order?
 * A document's score can grow only by words whose tail is missing and which it was
 * not found with, each by at most idf * the tail's heaviest weight; a document not
 * found at all may hold all those words. If no such bound reaches the last result
 * shown, nor any shown result's own bound the result above it, the tails stay away. */
function tailed(lists) {
  var out = [];
  lists.forEach(function (l, i) { if (l.tails) out.push(i); });
  return out;
}

/* The highest score a result (or, r null, a paragraph not found at all) could reach once every
 * tail of the words `tails` (indices into lists) is fetched. */
function scoreBound(lists, tails, r) {
  var W = lists.length, sum = r ? r.sum : 0, c = r ? r.count : 0, t = r ? tier(r.id) : 0;
  tails.forEach(function (i) {
    if (!r || !(r.mask & (1 << i))) { sum += lists[i].idf * lists[i].tailMax[t] / 100; c += 1; }
  });
  return sum * (c / W) * (c / W);
}

function needTails(lists, ranked) {
  var tails = tailed(lists);
  if (!tails.length) return false;
  if (ranked.length < MAX_SHOWN) return true;
  function bound(r) { return scoreBound(lists, tails, r); }
  var last = ranked[MAX_SHOWN - 1];
  if (tier(last.id) > 0 || bound(null) >= last.score) return true;  /* an unseen paragraph could enter */
  for (var k = 0; k < ranked.length; k++) {
    var r = ranked[k];
    if (k >= MAX_SHOWN && tier(r.id) > tier(last.id)) break;  /* a later kind cannot enter */
    var b = bound(r);
    if (b <= r.score) continue;                                 /* nothing of it is unknown */
    if (k >= MAX_SHOWN) { if (b >= last.score) return true; }   /* could enter */
    else if (k > 0 && tier(ranked[k - 1].id) === tier(r.id) && b >= ranked[k - 1].score) return true;  /* could move up */
  }
  return false;
}

/* The results shown now that stay shown whatever the tails not yet fetched hold: paragraphs
 * that no paragraph not found yet could reach, and that fewer than MAX_SHOWN others (those
 * above, and those below whose bound reaches them) could end above. Their records are
 * fetched beside the tails; those of results a tail could still push out are not (at 1,000
 * papers half the records fetched beside the tails of a two-word query went unshown). */
function shownForSure(lists, ranked) {
  var tails = tailed(lists), shown = ranked.slice(0, MAX_SHOWN);
  if (!tails.length) return shown;
  var unseen = scoreBound(lists, tails, null), bounds = [];
  for (var j = 0; j < ranked.length && tier(ranked[j].id) === 0; j++) bounds.push(scoreBound(lists, tails, ranked[j]));
  return shown.filter(function (r, k) {
    if (tier(r.id) > 0 || unseen >= r.score) return false;
    var above = k;
    for (var j = k + 1; j < bounds.length && above < MAX_SHOWN; j++) if (bounds[j] >= r.score) above += 1;
    return above < MAX_SHOWN;
  });
}

/* The terms a query's results were found with: each word's forms, in the query's order. */
function formsOf(lists) {
  var forms = [];
  lists.forEach(function (l) { forms = forms.concat(l.forms); });
  return forms;
}

function search(query) {
  var words = terms(query).slice(0, 30);
  if (!words.length) return Promise.resolve({ items: [] });
  var trailingSpace = /\s$/.test(query);
  return Promise.all(words.map(function (w, i) {
    return postings(w, i === words.length - 1 && !trailingSpace, words.length > 1);
  })).then(function (lists) {
    mark("postings");
    /* fetch lighter tiers, a round at a time, while they could change what is shown; the
     * records of the results shown so far that no tail can push out are fetched beside
     * them (so the records round after the last tails is short or not needed) */
    function deepen(ranked) {
      mark("rank");
      if (!needTails(lists, ranked)) return [lists, ranked];
      clock.rounds += 1;
      var tails = Promise.all(lists.map(loadTails));  /* asked for first: the browser serves them first */
      var forms = formsOf(lists);
      shownForSure(lists, ranked).forEach(function (r) { docRecord(r.id, forms, true).catch(function () {}); });
      return tails.then(function () { mark("tails"); return deepen(rank(lists)); });
    }
    return deepen(rank(lists));
  }).then(function (found) {
    var lists = found[0], ranked = found[1].slice(0, MAX_SHOWN);
    var forms = formsOf(lists);
    var marks = words.concat(forms).filter(function (w, i, all) { return all.indexOf(w) === i; })
      .sort(function (a, b) { return b.length - a.length; });
    /* a round of its own only for records not asked for already beside the tails */
    if (ranked.some(function (r) { return !carriedRecord(r.id, forms) && !has(cache, recordShard(r.id)); })) clock.rounds += 1;
    return Promise.all(ranked.map(function (r) { return docRecord(r.id, forms); })).then(function (records) {
      mark("records");
      var groups = [], byPage = {};
      records.forEach(function (rec, i) {
        var hasParent = rec[3] !== null;
        var key = hasParent ? rec[0].split("#")[0] : rec[0];
        var termsOf = {};
        words.forEach(function (w, j) { termsOf[w] = !!(ranked[i].mask & (1 << j)); });
        var item = {
          location: rec[0], title: highlight(asText(rec[1]), marks), text: highlight(asSafeHtml(rec[2]), marks),
          score: ranked[i].score, terms: termsOf
        };
        if (!has(byPage, key)) {
          byPage[key] = groups.length;
          groups.push(hasParent ? [{ location: key, title: asText(rec[3]), text: "", score: 0, terms: {} }] : []);
        }
        var group = groups[byPage[key]];
        if (!hasParent) {
          group.unshift(item);                       /* the page itself leads its group */
          if (group[1] && group[1].location === item.location) group.splice(1, 1);
        } else {
          group.push(item);
        }
      });
      mark("render");
      return { items: groups };
    });
  });
}

/* Queries are answered in the order they were asked, and only the newest: a query still
 * waiting for its files when the reader has typed on is dropped (its result would replace
 * the newer one's on arrival). */
var latest = 0;

function mark(phase) {
  var now = performance.now();
  clock.phases[phase] = (clock.phases[phase] || 0) + now - clock.last;
  clock.last = now;
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
    var started = performance.now(), seq = ++latest;
    ready.then(function () {
      clock = { phases: {}, last: performance.now(), rounds: 1, fetches: 0, fetchMs: 0, parseMs: 0, bytes: 0, shardRecords: 0 };
      return search(message.data);
    }).then(function (result) {
      if (seq !== latest) return;  /* a newer query came meanwhile: its result is the one to show */
      if (clock) { clock.totalMs = performance.now() - started; result.timing = clock; }
      postMessage({ type: 3, data: result });
    }, function (err) {
      if (seq !== latest) return;
      console.warn("search failed: " + err);
      postMessage({ type: 3, data: { items: [] } });
    });
  }
});

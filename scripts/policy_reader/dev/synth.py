"""Synthetic papers in the sources format, for benchmarks and generality tests.

Deterministic: paper ``i`` of seed ``s`` is always the same text (given the same
real papers). The prose is the real papers' own sentences (``docs/papers/*.md``)
recombined, with words swapped so that the vocabulary keeps growing as a real
library's does:

- a paper picks one or two focus topics (the topics the converter gave the
  real paragraphs) and draws most of its sentences from paragraphs of those
  topics, the rest from anywhere, so topic pages and searches have the skew of
  a real library;
- paragraphs have 1 to 9 sentences (geometric, mean about the real papers'),
  some joined at a comma from two sentences (new sentence shapes);
- about one content word in four (letters only, 4+ characters, not a stopword) is
  replaced by a word drawn from a Zipf distribution (rank ``r`` with weight
  ``1 / r**ZIPF_S``) over a lexicon of ``LEXICON`` words: first the real
  papers' content words by falling frequency, then coined words (syllables and
  an English ending). The common words stay common, and new rare words keep
  appearing, as Heaps' law describes for real text;
- briefs (even ``i``: ``# title``, byline of one to three authors, KEY
  TAKEAWAYS, ``##`` headings and bold run-in headings, ``<sup>n</sup>`` note
  marks and endnotes citing books, journals, reports and news) and op-eds (odd
  ``i``: title, byline, date line, paragraphs, "... is a columnist at ...");
  publishers, series, years 2004-2026 and authors vary; most authors have a
  surname of their own, every tenth paper one of 26 regulars.

``python -m policy_reader.dev.synth --stats`` prints the term statistics of the
real papers beside synthetic libraries (vocabulary against tokens and the fitted
Heaps exponent, the top terms' share and the Zipf slope, paragraph length,
postings per term).
"""

from __future__ import annotations

import argparse
import bisect
import functools
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the project (scripts/policy_reader/dev/synth.py)
SEED = 1
ZIPF_S = 1.0
LEXICON = 400_000
SUBSTITUTE = 0.25  # share of content words replaced by a Zipf draw

SURNAMES = "Adler Baker Castro Dunn Ellis Fischer Garcia Hayes Ito Jensen Kowalski Lin Moreau Novak Okafor Park Quinn Rossi Sato Tanaka Ueda Vance Weber Xu Young Zhou".split()
GIVEN = (
    "Alex Amara Anil Beatriz Blair Bo Casey Chioma Dana Daniel Elena Emery Farah Frances Gale Grace Hana "
    "Harper Hyun Indra Ines Jordan Jun Karim Kim Lars Lee Leila Marta Min Morgan Nadia Noor Olu Omar "
    "Parker Priya Rafael Reese Rosa Sam Seo Sofia Taylor Tomas Una Victor Wen Yara Yusuf Zoe"
).split()
SYLLABLES = "ba ko ri ten sul mar vo den lis ga nor pe hu stan fel dro mi ka ro sen tal bri cor es gun pla ver tho".split()
ENDINGS = ["", "s", "ed", "ing", "ion", "ment", "al", "ity", "ive", "er", "ance", "ism"]
BRIEF_PUBLISHERS = [
    ("The Example Institute", ["Issue Brief", "Backgrounder", "Special Report"]),
    ("Center for Allied Studies", ["Policy Analysis", "Working Paper"]),
    ("Northbridge Policy Forum", ["Policy Brief", "Occasional Paper"]),
    ("Harbor Council on Security", ["Report", "Issue Brief"]),
    ("Meridian Research Group", ["Research Note", "Working Paper"]),
    ("Institute for Peninsula Affairs", ["Analysis", "Commentary Paper"]),
]
OPED_PUBLISHERS = ["Example Review", "The Daily Example", "Atlas Monthly", "The Civic Ledger", "Policy Quarterly Online", "The Harbor Post", "Capital Observer"]
OUTLETS = ["The Example Times", "Daily Example", "Example Wire", "Atlas Monthly", "The Civic Ledger", "Harbor Post"]
JOURNALS = ["Journal of Example Studies", "Security Review", "Quarterly of Strategy", "Asian Affairs Letters"]
STOPWORDS = set(
    "a about above after again against all also am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have having "
    "he her here hers him his how i if in into is it its itself just may me might more most must my no nor not "
    "now of off on once only or other our ours out over own same she should so some such than that the their "
    "theirs them then there these they this those through to too under until up very was we were what when "
    "where which while who whom why will with would you your yet would shall upon".split()
)
ABBREVIATIONS = {"U.S.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "No.", "St.", "Jr.", "Sr.", "Gen.", "Lt.", "Col.", "Sen.", "Rep.", "vs.", "e.g.", "i.e."}
TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
WORD = re.compile(r"[A-Za-z]+")


def terms(text: str) -> list[str]:
    """Search terms of ``text``: lower-cased runs of letters and digits, apostrophes dropped
    (the rule of the search index, site/search/shards.py)."""
    return [t.replace("'", "").replace("’", "") for t in TOKEN.findall(text.lower())]


def _plain(markdown: str) -> str:
    text = re.sub(r"\[\^[^\]]*\]|\[@[^\]]*\]|<sup>\d+</sup>", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "").replace("\\", "")
    return " ".join(text.replace("*", "").split())


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])", text):
        piece = text[start:m.end()].strip()
        last = piece.split()[-1] if piece.split() else ""
        if last in ABBREVIATIONS or re.fullmatch(r"(?:[A-Z]\.)+", last):
            continue
        out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


@dataclass
class Corpus:
    paragraphs: list[str]  # the real papers' paragraphs, plain text
    by_topic: dict[str, list[str]]  # topic slug -> sentences of paragraphs with that topic
    sentences: list[str]
    lexicon_real: list[str]  # content words, most frequent first
    cumulative: list[float]  # Zipf weights over LEXICON ranks, cumulative

    def word(self, rank: int) -> str:
        if rank < len(self.lexicon_real):
            return self.lexicon_real[rank]
        return coined_word(rank - len(self.lexicon_real))


def coined_word(k: int) -> str:
    """Word ``k`` of the coined part of the lexicon: syllables and an English ending."""
    n = len(SYLLABLES)
    ending = ENDINGS[k % len(ENDINGS)]
    k //= len(ENDINGS)
    parts = [SYLLABLES[k % n], SYLLABLES[(k // n) % n]]
    k //= n * n
    while k:
        parts.append(SYLLABLES[k % n])
        k //= n
    return "".join(parts) + ending


def coined_name(k: int) -> str:
    n = len(SYLLABLES)
    return (SYLLABLES[k % n] + SYLLABLES[(k // n) % n] + SYLLABLES[(k // (n * n)) % n]).capitalize()


def _real_paragraphs(root: Path) -> list[tuple[str, tuple[str, ...]]]:
    from policy_reader.page.markdown import read_blocks

    out = []
    for md in sorted((root / "docs" / "papers").glob("*.md")):
        for b in read_blocks(md.read_text(encoding="utf-8")):
            if b.kind in ("para", "takeaway"):
                out.append((_plain(b.text), b.topics))
    return out


@functools.lru_cache(maxsize=4)
def corpus(root: Path = ROOT) -> Corpus:
    paras = _real_paragraphs(root)
    if not paras:
        raise SystemExit(f"synth: no paragraphs in {root / 'docs' / 'papers'}; run from the project")
    by_topic: dict[str, list[str]] = {}
    sentences: list[str] = []
    words: Counter[str] = Counter()
    for text, topics in paras:
        ss = [s for s in split_sentences(text) if len(s.split()) >= 4 and s[-1] in ".!?”\"’"]
        sentences += ss
        for t in topics:
            by_topic.setdefault(t, []).extend(ss)
        words.update(w.lower() for w in WORD.findall(text) if len(w) >= 4 and w.lower() not in STOPWORDS)
    lexicon = [w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))]
    total, cumulative = 0.0, []
    for r in range(1, LEXICON + 1):
        total += r ** -ZIPF_S
        cumulative.append(total)
    return Corpus([p for p, _ in paras], by_topic, sentences, lexicon, cumulative)


def _substitute(rng: random.Random, c: Corpus, sentence: str) -> str:
    def swap(m: re.Match) -> str:
        w = m[0]
        if len(w) < 4 or w.lower() in STOPWORDS or rng.random() >= SUBSTITUTE:
            return w
        rank = bisect.bisect_left(c.cumulative, rng.random() * c.cumulative[-1])
        new = c.word(rank)
        if w[0].isupper():
            new = new[:1].upper() + new[1:]
        return new

    return re.sub(r"(?<![\w'’-])[A-Za-z]+(?![\w'’-])", swap, sentence)


def _sentence(rng: random.Random, c: Corpus, pool: list[str]) -> str:
    s = rng.choice(pool if rng.random() < 0.75 else c.sentences)
    if rng.random() < 0.2:  # a new shape: the head of one sentence, the tail of another
        other = rng.choice(c.sentences)
        if ", " in s and ", " in other and not re.search(r"[\"“”]", s + other):
            s = s[: s.index(", ")] + other[other.index(", "):]
    return _substitute(rng, c, s)


def _paragraph(rng: random.Random, c: Corpus, pool: list[str], sentences: int | None = None) -> str:
    n = sentences or min(9, 1 + int(math.log(1 - rng.random()) / math.log(0.66)))  # geometric, mean ~3
    return " ".join(_sentence(rng, c, pool) for _ in range(n))


def _title(rng: random.Random, c: Corpus, i: int) -> str:
    s = _substitute(rng, c, rng.choice(c.sentences))
    words = [w.strip(",.;:“”\"’‘()") for w in s.split()]
    start = rng.randrange(max(1, len(words) - 5))
    phrase = " ".join(w[:1].upper() + w[1:] for w in words[start : start + rng.randint(3, 6)] if w)
    shape = rng.randrange(4)
    if shape == 0:
        return f"{phrase}, Part {i}"
    if shape == 1:
        return f"{phrase}: {rng.choice(['Options', 'Lessons', 'Risks', 'A Strategy', 'What Comes Next'])} ({i})"
    if shape == 2:
        return f"Why {phrase} Matters Now, No. {i}"
    return f"{phrase} and the Korean Peninsula, {i}"


def _author(rng: random.Random, i: int, k: int) -> str:
    # A library has many authors, a few of them prolific: most papers get a surname of their
    # own (coined from syllables), every tenth one of 26 regulars.
    surname = SURNAMES[(i + k) % len(SURNAMES)] if i % 10 == 0 else coined_name(i * 3 + k)
    return f"{rng.choice(GIVEN)} {surname}"


def _byline(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _endnote(rng: random.Random, c: Corpus, number: int, day: date) -> str:
    author = f"{rng.choice(GIVEN)} {coined_name(rng.randrange(20000))}"
    words = [w.strip(",.;:“”\"’‘()") for w in _substitute(rng, c, rng.choice(c.sentences)).split()]
    title = " ".join(w[:1].upper() + w[1:] for w in words[:rng.randint(4, 9)] if w)
    kind = rng.randrange(4)
    if kind == 0:
        return (f'{number}. {author}, "{title}," *{rng.choice(OUTLETS)}*, {day:%B} {day.day}, {day.year}, '
                f"<https://news.example.org/{day:%Y/%m/%d}/story-{number}-{rng.randrange(10**6)}> (accessed {day:%B} {day.day}, {day.year}).")
    if kind == 1:
        return f'{number}. {author}, "{title}," *{rng.choice(JOURNALS)}* {rng.randint(3, 60)}, no. {rng.randint(1, 4)} ({day.year}): {rng.randint(1, 300)}.'
    if kind == 2:
        return f'{number}. {author}, "{title}," in *{rng.choice(JOURNALS).replace("Journal of ", "Essays on ")}* (Example City: Example Press, {day.year}), {rng.randint(1, 400)}.'
    return (f'{number}. {author}, "{title}," {rng.choice(BRIEF_PUBLISHERS)[0]} Report No. {rng.randint(100, 9999)}, '
            f"{day:%B} {day.day}, {day.year}, <https://research.example.org/r/{rng.randrange(10**6)}>.")


def paper(i: int, paragraphs: int = 30, seed: int = SEED, root: Path = ROOT) -> tuple[str, str, str]:
    """Paper number ``i``: (file stem, source text, metadata YAML)."""
    c = corpus(root)
    rng = random.Random(seed * 1_000_003 + i)
    topics = sorted(c.by_topic)
    focus = rng.sample(topics, min(len(topics), rng.choice([1, 1, 2])))
    pool = [s for t in focus for s in c.by_topic[t]] or c.sentences
    names = [_author(rng, i, k) for k in range(rng.choice([1, 1, 1, 1, 2, 3]))]
    day = date(2004, 1, 1) + timedelta(days=rng.randrange(22 * 365))
    title = _title(rng, c, i)
    stem = f"synth-{i:05d}"
    surname = names[0].split()[-1]
    meta_common = f"summary: Synthetic paper {i} for benchmarks.\nslug: {surname.lower()}-{day.year}-synthetic-{i}\n"
    count = max(1, round(paragraphs * rng.uniform(0.6, 1.4)))
    if i % 2 == 0:
        publisher, series_names = rng.choice(BRIEF_PUBLISHERS)
        series = rng.choice(series_names)
        lines = [f"# {title}", "", f"*{_byline(names)}*", "", "## KEY TAKEAWAYS", ""]
        for _ in range(3):
            lines += [_paragraph(rng, c, pool, 1), ""]
        notes = rng.randint(0, min(count, 25))
        noted = sorted(rng.sample(range(count), notes))
        next_heading = rng.randint(2, 6)
        for p in range(count):
            text = _paragraph(rng, c, pool)
            if p == next_heading:
                head = _title(rng, c, i).split(",")[0].split(":")[0]
                if rng.random() < 0.5:
                    lines += [f"## {head}", ""]
                else:
                    text = f"**{head}.** " + text
                next_heading += rng.randint(3, 9)
            if p in noted:
                text += f"<sup>{noted.index(p) + 1}</sup>"
            lines += [text, ""]
        lines += [f"**{names[0]}** is a fellow at {publisher}.", ""]
        if notes:
            lines += ["## Endnotes", ""]
            lines += [_endnote(rng, c, n, day - timedelta(days=rng.randrange(2000))) for n in range(1, notes + 1)]
        meta = (
            f"publisher: {publisher}\nkind: report\nseries: {series}\ntakeaways: 3\n"
            f'number: "{i}"\ndate: {day.isoformat()}\n' + meta_common
        )
    else:
        publisher = rng.choice(OPED_PUBLISHERS)
        lines = [title, "", _byline(names), "", f"{day:%B} {day.day}, {day.year}", ""]
        for _ in range(count):
            lines += [_paragraph(rng, c, pool), ""]
        lines += [f"{names[0]} is a columnist at {publisher}."]
        meta = f"publisher: {publisher}\nkind: article\n" + meta_common
    return stem, "\n".join(lines) + "\n", meta


def write_library(sources: Path, count: int, paragraphs: int = 30, seed: int = SEED, root: Path = ROOT) -> list[Path]:
    sources.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(1, count + 1):
        stem, text, meta = paper(i, paragraphs, seed, root)
        (sources / f"{stem}.txt").write_text(text, encoding="utf-8")
        (sources / f"{stem}.yml").write_text(meta, encoding="utf-8")
        written.append(sources / f"{stem}.txt")
    return written


# --- term statistics -------------------------------------------------------------------------

def body_paragraphs(source_text: str) -> list[str]:
    """The prose paragraphs of a synthetic source (takeaways and body; not title, byline,
    date, headings, bio or endnotes), plain."""
    blocks = [b.strip() for b in source_text.split("\n\n") if b.strip()]
    out = []
    for b in blocks[2:]:
        if b.startswith("#") or re.match(r"^\d+\. ", b) or " is a columnist at " in b or " is a fellow at " in b:
            continue
        if re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", b):
            continue
        out.append(_plain(re.sub(r"^\*\*[^*]+\*\*\s+", "", b)))
    return out


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares ``y = a + b x``: (a, b)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return my - b * mx, b


def term_stats(paragraphs: list[str]) -> dict:
    """Vocabulary and postings statistics of ``paragraphs`` (each a search document)."""
    seen: set[str] = set()
    tokens = 0
    points: list[tuple[int, int]] = []
    freq: Counter[str] = Counter()
    postings: Counter[str] = Counter()
    step = 1
    for p in paragraphs:
        ts = terms(p)
        for t in ts:
            tokens += 1
            seen.add(t)
            if tokens == step:
                points.append((tokens, len(seen)))
                step = max(step + 1, int(step * 1.25))
        freq.update(ts)
        postings.update(set(ts))
    points.append((tokens, len(seen)))
    pts = [(n, v) for n, v in points if n >= 100]
    k, beta = _fit([math.log(n) for n, _ in pts], [math.log(v) for _, v in pts]) if len(pts) > 1 else (0.0, 0.0)
    ranked = [f for _, f in freq.most_common()]
    top = min(len(ranked), 1000)
    _, slope = _fit([math.log(r) for r in range(1, top + 1)], [math.log(f) for f in ranked[:top]]) if top > 1 else (0.0, 0.0)
    post = sorted(postings.values())
    return {
        "paragraphs": len(paragraphs),
        "tokens": tokens,
        "vocabulary": len(seen),
        "heaps_k": round(math.exp(k), 2),
        "heaps_beta": round(beta, 3),
        "top10_share": round(sum(ranked[:10]) / tokens, 3) if tokens else 0.0,
        "top10": [t for t, _ in freq.most_common(10)],
        "zipf_slope": round(slope, 3),
        "hapax_share": round(sum(1 for f in ranked if f == 1) / len(ranked), 3) if ranked else 0.0,
        "mean_paragraph_words": round(tokens / len(paragraphs), 1) if paragraphs else 0.0,
        "postings_mean": round(sum(post) / len(post), 2) if post else 0.0,
        "postings_median": post[len(post) // 2] if post else 0,
        "postings_max_share": round(post[-1] / len(paragraphs), 3) if post else 0.0,
    }


def stats_table(sizes: list[int], paragraphs: int = 30, seed: int = SEED, root: Path = ROOT) -> str:
    """A Markdown table: the real papers beside synthetic libraries of ``sizes`` papers."""
    rows = [("real papers (docs/papers)", term_stats(corpus(root).paragraphs))]
    for n in sizes:
        paras = [p for i in range(1, n + 1) for p in body_paragraphs(paper(i, paragraphs, seed, root)[1])]
        rows.append((f"synthetic, {n} papers", term_stats(paras)))
    real_tokens = rows[0][1]["tokens"]
    if sizes:  # the same number of tokens as the real papers: Heaps' law compared at equal size
        paras, acc, i = [], 0, 1
        while acc < real_tokens:
            for p in body_paragraphs(paper(i, paragraphs, seed, root)[1]):
                if acc < real_tokens:
                    paras.append(p)
                    acc += len(terms(p))
            i += 1
        rows.insert(1, (f"synthetic, first {acc} tokens", term_stats(paras)))
    cols = [("paragraphs", "paragraphs"), ("tokens", "tokens"), ("vocabulary", "vocabulary"),
            ("Heaps K", "heaps_k"), ("Heaps β", "heaps_beta"), ("top-10 share", "top10_share"),
            ("Zipf slope (top 1,000)", "zipf_slope"), ("hapax share", "hapax_share"),
            ("words / paragraph", "mean_paragraph_words"), ("postings / term mean", "postings_mean"),
            ("median", "postings_median"), ("max term in share of paragraphs", "postings_max_share")]
    out = ["| corpus | " + " | ".join(c for c, _ in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for label, s in rows:
        out.append(f"| {label} | " + " | ".join(str(s[k]) for _, k in cols) + " |")
    out.append("")
    for label, s in rows:
        out.append(f"- top terms, {label}: {', '.join(s['top10'])}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m policy_reader.dev.synth", description=__doc__.split("\n\n")[0])
    ap.add_argument("--stats", action="store_true", help="print term statistics, real papers vs synthetic")
    ap.add_argument("--sizes", default="10,100,1000", help="synthetic library sizes for --stats")
    ap.add_argument("--paragraphs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--root", default=str(ROOT), help="the project whose docs/papers are the real papers")
    ap.add_argument("--write", metavar="DIR", help="write a library of --count papers into DIR")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--show", type=int, metavar="I", help="print paper I's source text")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    if args.show is not None:
        stem, text, meta = paper(args.show, args.paragraphs, args.seed, root)
        print(f"# {stem}.yml\n{meta}\n# {stem}.txt\n{text}")
    if args.write:
        write_library(Path(args.write), args.count, args.paragraphs, args.seed, root)
    if args.stats:
        print(stats_table([int(x) for x in args.sizes.split(",") if x], args.paragraphs, args.seed, root))
    if not (args.stats or args.write or args.show is not None):
        ap.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

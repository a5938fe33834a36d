"""Synthetic papers in the sources format, for benchmarks and generality tests.

Deterministic (seeded): paper ``i`` is always the same text. Half are briefs
in the PDF-extraction shape (title, byline, KEY TAKEAWAYS, bold run-in
headings, <sup>n</sup> notes, page furniture, endnotes), half are op-eds
(title, byline, date line, paragraphs, bio). The prose is written for this
project: sentences about sanctions, exercises, missiles and diplomacy, mixed
so that every topic rule has work to do.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

SURNAMES = "Adler Baker Castro Dunn Ellis Fischer Garcia Hayes Ito Jensen Kowalski Lin Moreau Novak Okafor Park Quinn Rossi Sato Tanaka Ueda Vance Weber Xu Young Zhou".split()
GIVEN = "Alex Blair Casey Dana Emery Frances Gale Harper Indra Jordan Kim Lee Morgan Noor Olu Parker Reese Sam Taylor".split()
SUBJECTS = [
    "Sanctions Enforcement", "Alliance Readiness", "Missile Testing", "Diplomatic Channels",
    "Regional Deterrence", "Verification", "Economic Pressure", "Arms Control",
]
SENTENCES = [
    "Sanctions lose their force when ship-to-ship transfers at sea go unpunished.",
    "Secondary sanctions on banks that launder money for the regime would raise the cost of evasion.",
    "The maximum pressure campaign depended on enforcement by neighbors that had little reason to cooperate.",
    "Joint military exercises with South Korea keep allied forces ready for a crisis.",
    "Scaling back drills bought little goodwill and weakened readiness on the peninsula.",
    "Pyongyang condemns every exercise as rehearsal for invasion, whatever its size.",
    "An intercontinental ballistic missile test would cross a line that Washington has drawn before.",
    "Short-range launches are tolerated because they do not threaten the American homeland directly.",
    "A resumed nuclear test would end the informal moratorium and harden positions on all sides.",
    "Working-level negotiations are where the details of any agreement must be settled.",
    "Summits produced statements of intent but no schedule for dismantling facilities.",
    "Leader-to-leader diplomacy can break deadlocks that diplomats cannot.",
    "A verifiable freeze would be a first step, not an end point.",
    "Allies in Seoul and Tokyo watch for signs that Washington will trade their security for a headline.",
    "China supplies most of the North's trade and decides how strictly the rules are applied.",
    "Relief from sanctions should follow concrete steps rather than promises.",
    "The regime uses deadlines to create pressure before talks resume.",
    "Deterrence has held for decades because both sides understand the cost of war.",
    "A preventive strike would risk escalation to a war with massive casualties.",
    "Congress can shape policy by funding enforcement and demanding regular reports.",
    "Humanitarian exemptions need clearer rules so that aid reaches the people who need it.",
    "Satellite imagery shows construction at the launch site despite the pledge to dismantle it.",
    "The negotiating team should define what denuclearization means before the next meeting.",
    "Every missile launch is a violation of United Nations resolutions, even when it draws no response.",
]


SYLLABLES = "ba ko ri ten sul mar vo den lis ga nor pe hu stan fel dro mi ka ro sen".split()


def _coined(i: int) -> str:
    n = len(SYLLABLES)
    a, b, c = i % n, (i // n) % n, (i // (n * n)) % n
    return (SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c]).capitalize()


def _paragraph(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(SENTENCES, n))


def _endnote(rng: random.Random, number: int, day: date) -> str:
    author = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
    title = " ".join(w.capitalize() for w in rng.choice(SENTENCES).rstrip(".").split()[:6])
    return (
        f'{number}. {author}, "{title}," *The Example Times*, {day:%B} {day.day}, {day.year}, '
        f"<https://news.example.org/{day:%Y/%m/%d}/story-{number}> (accessed {day:%B} {day.day}, {day.year})."
    )


def paper(i: int, paragraphs: int = 30) -> tuple[str, str, str]:
    """Paper number ``i``: (file stem, source text, metadata YAML)."""
    rng = random.Random(i)
    # A library has many authors, a few of them prolific: most papers get a
    # surname of their own (a syllable pair), every tenth one of 26 regulars.
    surname = SURNAMES[i % len(SURNAMES)] if i % 10 == 0 else _coined(i)
    name = f"{rng.choice(GIVEN)} {surname}"
    day = date(2015, 1, 1) + timedelta(days=(i * 37) % 3000)
    title = f"{rng.choice(SUBJECTS)} and the Korean Peninsula, Part {i}"
    stem = f"synth-{i:05d}"
    meta_common = f"summary: Synthetic paper {i} for benchmarks.\nslug: {surname.lower()}-{day.year}-synthetic-{i}\n"
    if i % 2 == 0:
        lines = [f"# {title}", "", f"*{name}*", "", "## KEY TAKEAWAYS", ""]
        for _ in range(3):
            lines += [rng.choice(SENTENCES), ""]
        notes = 5
        body = []
        for p in range(paragraphs):
            text = _paragraph(rng, rng.randint(2, 4))
            if p % 6 == 0:
                text = f"**{rng.choice(SUBJECTS)}.** " + text
            if p < notes:
                text += f"<sup>{p + 1}</sup>"
            body += [text, ""]
        lines += body
        lines += [f"**{name}** is a fellow at the Example Institute.", "", "## Endnotes", ""]
        lines += [_endnote(rng, n, day - timedelta(days=n)) for n in range(1, notes + 1)]
        meta = (
            "publisher: The Example Institute\nkind: report\nseries: Issue Brief\n"
            f'number: "{i}"\ndate: {day.isoformat()}\n' + meta_common
        )
    else:
        lines = [title, "", name, "", f"{day:%B} {day.day}, {day.year}", ""]
        for _ in range(paragraphs):
            lines += [_paragraph(rng, rng.randint(2, 4)), ""]
        lines += [f"{name} is a columnist at the Example Review."]
        meta = "publisher: Example Review\nkind: article\n" + meta_common
    return stem, "\n".join(lines) + "\n", meta


def write_library(sources: Path, count: int, paragraphs: int = 30) -> list[Path]:
    sources.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(1, count + 1):
        stem, text, meta = paper(i, paragraphs)
        (sources / f"{stem}.txt").write_text(text, encoding="utf-8")
        (sources / f"{stem}.yml").write_text(meta, encoding="utf-8")
        written.append(sources / f"{stem}.txt")
    return written

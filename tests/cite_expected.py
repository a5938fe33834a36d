"""Exact citation strings the cite panels must show and copy (shared by unit and browser tests).

Formatted by pandoc's citeproc with Debian's CSL styles at build time; written
out here by hand so that a change in the styles, the bib/ entries or our
composition shows up as a failing test.
"""

import os

SITE = os.environ.get("SITE_URL", "http://127.0.0.1:8000/")
if not SITE.endswith("/"):
    SITE += "/"
K = f"{SITE}papers/klingner-2019-resolve-and-restraint/"
G = f"{SITE}papers/gomez-2019-consequences-for-missile-tests/"
K_TITLE = "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"

KLINGNER_P12 = {
    "chicago": (
        f"Klingner, Bruce. “{K_TITLE}.” Issue Brief. The Heritage Foundation, December 20, 2019. {K}#p-12.\n"
        f"Klingner, “{K_TITLE},” para. 12."
    ),
    "apa": (
        f"Klingner, B. (2019). {K_TITLE} (Issue Brief No. 5022). The Heritage Foundation. {K}#p-12\n"
        "(Klingner, 2019, para. 12)"
    ),
    "mla": (
        f"Klingner, Bruce. {K_TITLE}. Issue Brief, 5022, The Heritage Foundation, 20 Dec. 2019, {K}#p-12.\n"
        "(Klingner, para. 12)"
    ),
    "bibtex": (
        "@techreport{klingner-2019-us-needs,\n"
        "  author = {Klingner, Bruce},\n"
        "  title = {{U.S.} {Needs} {Resolve} and {Restraint} in {Response} to {North} {Korean} {Provocations}},\n"
        "  institution = {The Heritage Foundation},\n"
        "  type = {Issue Brief},\n"
        "  number = {5022},\n"
        "  date = {2019-12-20},\n"
        "  year = {2019},\n"
        "  month = {dec},\n"
        f"  url = {{{K}#p-12}},\n"
        "}"
    ),
    "ris": (
        "TY  - RPRT\nAU  - Klingner, Bruce\n"
        f"TI  - {K_TITLE}\n"
        "PY  - 2019\nDA  - 2019/12/20/\nT3  - Issue Brief\nVL  - 5022\nPB  - The Heritage Foundation\n"
        f"UR  - {K}#p-12\nER  - "
    ),
}

GOMEZ_P3 = {
    "chicago": (
        "Gomez, Eric. “There Must Be Consequences for North Korea’s New Missile Tests.” Cato Institute, "
        f"July 25, 2019. {G}#p-3.\n"
        "Gomez, “There Must Be Consequences for North Korea’s New Missile Tests,” para. 3."
    ),
    "apa": (
        "Gomez, E. (2019, July 25). There must be consequences for North Korea’s new missile tests. Cato Institute. "
        f"{G}#p-3\n(Gomez, 2019, para. 3)"
    ),
    "mla": (
        "Gomez, Eric. There Must Be Consequences for North Korea’s New Missile Tests. Cato Institute, 25 July 2019, "
        f"{G}#p-3.\n(Gomez, para. 3)"
    ),
}

KLINGNER_KT2_APA_INTEXT = "(Klingner, 2019, key takeaway 2)"

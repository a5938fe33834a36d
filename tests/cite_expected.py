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

K_SENTENCE = "U.S. needs resolve and restraint in response to North Korean provocations"
ORIGINAL = "Originally published at http://report.heritage.org/ib5022."
K_SUMMARY = (
    "Argues that Washington should answer North Korea's year-end warnings and rocket-engine tests with more "
    "pressure and restored military exercises, avoiding both preventive strikes and sanctions relief for a flawed deal."
)
K_SUMMARY_PRINTED = K_SUMMARY.replace("'", "’")  # pandoc's reading of the summary (RIS AB)

# Chicago 17: report title italic (not quoted), series and number "Issue Brief No. 5022";
# APA 7: report title in sentence case; MLA 9: "par."; the original's URL after the reproduction's.
KLINGNER_P12 = {
    "chicago": (
        f"Klingner, Bruce. {K_TITLE}. Issue Brief No. 5022. The Heritage Foundation, December 20, 2019. {K}#p-12. {ORIGINAL}\n"
        f"Klingner, {K_TITLE}, para. 12."
    ),
    "apa": (
        f"Klingner, B. (2019). {K_SENTENCE} (Issue Brief No. 5022). The Heritage Foundation. {K}#p-12 {ORIGINAL}\n"
        "(Klingner, 2019, para. 12)"
    ),
    "mla": (
        f"Klingner, Bruce. {K_TITLE}. Issue Brief, 5022, The Heritage Foundation, 20 Dec. 2019, {K}#p-12. {ORIGINAL}\n"
        "(Klingner, par. 12)"
    ),
    "bibtex": (
        "@techreport{klingner-2019-us-needs,\n"
        "  author = {Klingner, Bruce},\n"
        "  title = {{U.S. }Needs Resolve and Restraint in Response to {North Korean} Provocations},\n"
        "  institution = {The Heritage Foundation},\n"
        "  type = {Issue Brief},\n"
        "  number = {5022},\n"
        "  date = {2019-12-20},\n"
        "  year = {2019},\n"
        "  month = {dec},\n"
        f"  url = {{{K}#p-12}},\n"
        f"  abstract = {{{K_SUMMARY}}},\n"
        "}"
    ),
    "ris": (
        "TY  - RPRT\nAU  - Klingner, Bruce\n"
        f"TI  - {K_TITLE}\n"
        "PY  - 2019\nDA  - 2019/12/20/\nT2  - Issue Brief\nM3  - Issue Brief\nSN  - 5022\nPB  - The Heritage Foundation\n"
        f"AB  - {K_SUMMARY_PRINTED}\n"
        f"UR  - {K}#p-12\nER  - "
    ),
}

# An op-ed: a newspaper article in its publication (no original URL known).
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
        "Gomez, Eric. “There Must Be Consequences for North Korea’s New Missile Tests.” Cato Institute, 25 July 2019, "
        f"{G}#p-3.\n(Gomez, par. 3)"
    ),
}

KLINGNER_KT2_APA_INTEXT = "(Klingner, 2019, key takeaway 2)"

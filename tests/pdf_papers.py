"""Papers in the shapes publishers print them, for the PDF reader's tests.

Every word here was written for these tests. ``SH`` is a soft hyphen: a place
the typesetter may cut a word at a line end with a printed hyphen.
"""

from __future__ import annotations

from pathlib import Path

from pdf_fixtures import Built, Shape, build

SH = "\u00ad"


def hyphenable(text: str) -> str:
    """Mark a break point in every long word (after its fourth letter)."""

    def mark(word: str) -> str:
        return word[:4] + SH + word[4:] if len(word) >= 8 and word[:6].isalpha() and SH not in word else word

    return " ".join(mark(w) for w in text.split(" "))


# ------------------------------------------------------------------ A: a think-tank report
# Cover page with a banner larger than the title, running header and footer with
# page numbers, key takeaways, bold run-in headings, superscript endnotes with a
# Notes list, justified text (no space characters), hyphenation, a ligature and
# curly quotes, a paragraph cut by a page break, the author's bio at the end.

REPORT_TITLE = "Harbors Under Strain: Financing Port Resilience Before the Next Storm"
REPORT_NOTES = {
    1: "Coastal Freight Council, “Annual Port Throughput Survey,” Coastal Freight Council, January 14, 2024.",
    2: "Ines Marwood, “Storm Surge and the Cost of Idle Cranes,” Journal of Maritime Economics, Vol. 12, No. 3 (2023), pp. 41–67.",
    3: "Office of Coastal Planning, “Harbor Hazard Maps, Second Edition,” September 2022.",
    4: "Tomas Okafor and Lena Brandt, “Bonds for Breakwaters,” Northwind Policy Institute Issue Brief No. 88, May 2, 2023.",
    5: "Ibid., p. 9.",
    6: "Harbor Authorities Association, “Survey of Capital Plans,” March 30, 2024.",
}
REPORT_CONTENT = [
    ("cover", [
        ("NORTHWIND POLICY INSTITUTE", "bold", 26, 120),
        ("RESEARCH REPORT", "regular", 11, 40),
        ("Harbors Under Strain:", "bold", 22, 70),
        ("Financing Port Resilience Before the Next Storm", "bold", 22, 28),
        ("A plan for federal and state partners", "italic", 14, 30),
        ("By Marta Quillan and Desmond Achebe", "regular", 12, 50),
        ("March 3, 2025", "regular", 11, 18),
    ]),
    ("takeaways", "Key Takeaways"),
    ("bullet", "Ports handle most of the nation’s imports by weight, yet few have a funded plan for the storms that now close them every year."),
    ("bullet", "A shared resilience fund would let small harbors borrow against future fees instead of waiting for emergency aid."),
    ("bullet", "Congress should tie new grants to hazard maps drawn with the same method in every state."),
    ("para", "When a storm closes a container port for a week, the losses do not stay at the water’s edge. Trucks idle at the gates, ware" + SH + "houses run short of stock, and factories inland cut shifts while they wait for parts.{1} The damage is felt far from the coast, yet the bill for preventing it falls almost entirely on harbor authorities with small budgets."),
    ("para", "This report asks a simple question: who should pay to keep ports open when the weather turns? It argues that the answer is a partner" + SH + "ship in which federal money sets common standards, states carry the planning, and port users pay a modest fee that can be borrowed against. The “pay later” model that prevails today is the most expensive option of all."),
    ("heading", "The Scale of the Problem"),
    ("runin", "Closures Are Getting Longer.", "Over the past decade the average storm closure at a mid-sized port has grown from two days to nearly five, and the time needed to clear a backlog has grown with it.{2} Managers describe the same pattern: a short shutdown, then weeks of congestion as ships arrive in bunches and crews work double shifts to catch up. None of these costs appear in the damage estimates that drive federal aid."),
    ("runin", "Small Harbors Carry the Risk.", "Large ports can issue bonds on the strength of long-term leases, but the harbors that move grain, fuel and building materials for rural regions cannot. Their boards meet monthly, their engineers are often consultants, and their capital budgets rarely exceed a few million dollars.{3} For them a single flooded sub" + SH + "station can consume a year of maintenance funds, and the ﬁnancing that larger ports take for granted is simply not on offer."),
    ("para", "The gap is not a matter of awareness. In interviews for this report, harbor directors named the same weak points again and again: low-lying power equipment, access roads that flood before the docks do, and rail spurs that cross drainage channels. What they lacked was not a list of projects but a way to pay for them before the damage, rather than after it, when aid arrives with strict limits on what may be rebuilt and how. Several directors said they had drawn up the same plan three times for three different grant programs, each with its own forms and its own deadlines."),
    ("heading", "A Resilience Fund for Ports"),
    ("para", "A national port resilience fund would pool a small fee on each container and bulk ton moved through participating harbors and lend the proceeds at low interest for projects that meet a common standard.{4} Because the fee is spread across every user of the system, it would add only a few dollars to the cost of a shipment, far less than the surcharges carriers already impose after a closure. The fund’s loans would be repaid from the same fee, so the money would keep working long after the first projects are built."),
    ("para", "The design borrows from state revolving funds for water systems, which have financed thousands of local projects since the 1980s with remarkably few defaults.{5} Those funds succeeded because they paired money with technical help: a town that could not write an engineering plan could borrow the expertise along with the capital. A port fund should do the same, offering shared designs for elevated switchgear, flood walls and backup power that a small harbor can adapt rather than commission from scratch."),
    ("runin", "Standards Before Money.", "Grants should follow hazard maps drawn with one method nationwide. Today each state uses its own storm models, so a project that qualifies in one harbor would be refused a few miles away across a state line.{6} A single method would also let lenders compare risks and price them honestly, which is the first step toward private capital joining public funds."),
    ("pull", "A single method would also let lenders compare risks and price them honestly"),
    ("heading", "Recommendations"),
    ("para", "Congress should authorize the fund with a ten-year horizon, set the fee in law with a cap, and require that loans be repaid before new grants are made to the same harbor. States should designate one agency to help ports prepare applications. Port authorities, for their part, should publish their hazard assessments so that shippers and insurers can see what is being done with the money they contribute."),
    ("para", "None of this requires new science. It requires the patience to build before the storm, and the discipline to spend on the dull equipment that keeps the lights on when the water rises."),
    ("bio", "Marta Quillan is a senior fellow in infrastructure policy at the Northwind Policy Institute. Desmond Achebe is a research associate at the Institute."),
    ("notes", "Notes"),
]
REPORT_CONTENT = [
    (item[0], *item[1:-1], hyphenable(item[-1])) if item[0] in ("para", "runin") else item for item in REPORT_CONTENT
]
REPORT_SHAPE = Shape(
    header=lambda page: [("Harbors Under Strain", "left"), ("Northwind Policy Institute", "right")],
    footer=lambda page: [("northwind.example.org/harbors", "left"), (str(page), "right")],
)
REPORT_INFO = {"title": "Harbors Under Strain", "author": "M. Quillan; D. Achebe", "subject": "port resilience"}


def report(directory: Path) -> Built:
    return build(directory / "harbors.pdf", REPORT_SHAPE, REPORT_CONTENT, REPORT_NOTES, REPORT_INFO)


# ------------------------------------------------------------------ B: a short brief
# No cover: a masthead banner, the title, a byline and date on one line, then the
# text. Times (a standard font, spaces drawn as characters), ragged right, first
# lines indented with no space between paragraphs, headings by size, bracketed
# [n] marks and a References list numbered [n].

BRIEF_TITLE = "Why Rural Libraries Need Broadband Budgets"
BRIEF_NOTES = {
    1: "State Library Council, Connectivity Census 2023 (Capitol City: State Library Council, 2023), p. 4.",
    2: "Ruth Abernathy, “The Last Public Computer,” Plains Quarterly, Spring 2022.",
    3: "Federal Communications Office, “E-Rate Funding Year Summary,” August 18, 2023.",
}
BRIEF_CONTENT = [
    ("top", [
        ("THE CIVIC LEDGER BRIEF", "bold", 11, 0),
        (BRIEF_TITLE, "bold", 18, 30),
        ("By Priya Natarajan | June 12, 2024", "italic", 11, 24),
    ]),
    ("para", "In many small towns the public library is the only place where a resident can use a fast connection for free. Job applications, benefit renewals and school assignments all assume a link that a third of rural households still lack{1}. Yet library budgets treat broadband as a utility bill to be trimmed, not as a core service."),
    ("para", "Librarians report that patrons now arrive with laptops and phones rather than asking for a public computer. What they need is capacity: enough bandwidth for a dozen video calls at once, and a signal that reaches the parking lot after closing time{2}."),
    ("heading", "What Funding Exists"),
    ("para", "Federal discounts already cover part of the cost of service, but they pay only for the connection, not for the routers, cabling and staff time needed to use it well{3}. Libraries that cannot match the remaining share simply do without, and the towns with the greatest need are the least able to apply."),
    ("para", "A modest state grant, set as a fixed amount per branch rather than per resident, would close most of that gap. It would also let the smallest libraries plan upgrades over several years instead of waiting for a windfall that rarely comes."),
    ("heading", "A Budget Line, Not a Favor"),
    ("para", "Legislators should write broadband into the library funding formula as its own line. Doing so would make the cost visible, protect it from one-time cuts, and signal that a working connection is as basic to a library as its books."),
    ("notes", "References"),
]
BRIEF_SHAPE = Shape(
    regular="Times-Roman", bold="Times-Bold", italic="Times-Italic", size=11, leading=13.5, heading_size=13,
    note_size=9, indent=18, para_gap=0, justify=False, marks="bracket",
    footer=lambda page: [(f"Page {page}", "center")], furniture_on_first_page=True,
    colophon=("The Civic Ledger is an independent newsletter on local public services.",
              "Views expressed are the author’s own. Reproduction is permitted with credit."),
)
BRIEF_INFO = {"author": "Priya Natarajan"}


def brief(directory: Path) -> Built:
    return build(directory / "libraries.pdf", BRIEF_SHAPE, BRIEF_CONTENT, BRIEF_NOTES, BRIEF_INFO)


# ------------------------------------------------------------------ C: a two-publisher paper
# Kept aside while the reader was written, then read once (see the report).
# Two publishers' names over the title, a byline without "By", a day-month-year
# date, running headers that alternate between the publishers on left and right
# pages, page numbers alternating sides, headings in bold at body size,
# superscript marks with footnotes at the bottom of each page, justified Times.

JOINT_TITLE = "Customs Data Sharing Across the Lakes: Faster Borders Without Weaker Checks"
JOINT_NOTES = {
    1: "Border Trade Secretariat, “Crossing Times at Inland Ports,” April 9, 2024.",
    2: "Helena Struve, “Single Windows in Practice,” Review of Customs Administration, June 2023.",
    3: "Lakeshore Policy Forum, “Survey of Freight Forwarders,” February 27, 2024.",
    4: "Data Protection Board, “Opinion on Cross-Border Trade Records,” November 14, 2023.",
    5: "Meridian Center for Trade, “Pilot Corridor Evaluation,” July 1, 2024.",
}
JOINT_CONTENT = [
    ("top", [
        ("MERIDIAN CENTER FOR TRADE", "bold", 12, 0),
        ("and the Lakeshore Policy Forum", "italic", 10, 16),
        ("Customs Data Sharing Across the Lakes:", "bold", 20, 40),
        ("Faster Borders Without Weaker Checks", "bold", 20, 24),
        ("Aiko Tanabe, Rafael Mendes, and Grace Oyelaran", "regular", 11, 30),
        ("15 October 2024", "regular", 10, 16),
    ]),
    ("para", "Trucks crossing between the two shores of the lakes wait an average of three hours at the border, and much of that time is spent re-entering data that the other side already holds.{1} Each customs service checks the same invoices, the same vehicle records and the same driver documents, often on forms that ask for them in a different order."),
    ("para", "This paper proposes a shared data channel between the two customs services. It would not merge their systems or their rules; it would let each see what the other has already verified, so that officers can spend their time on the shipments that deserve a closer look."),
    ("heading", "How Crossings Work Today"),
    ("para", "A carrier moving goods across the lakes files an export declaration on one side and an import declaration on the other. The two filings overlap by roughly four fifths of their fields, but they travel through separate networks and are checked by separate officers who cannot see each other’s notes. Where one side flags a shipment for inspection, the other learns of it only if the driver mentions it."),
    ("para", "Single-window systems elsewhere show that the duplication can be removed without loosening controls.{2} Their lesson is that the hard part is not the software but the agreement on which fields mean the same thing, who may read them, and for how long they may be kept."),
    ("heading", "What Forwarders Told Us"),
    ("para", "In a survey of freight forwarders on both shores, most respondents said that the second declaration was the single largest source of delay in their operations, ahead of inspections and road works.{3} Several described keeping two staff members busy full time re-typing data that already existed in electronic form, and many reported errors introduced in the re-typing that later triggered holds at the border."),
    ("para", "Forwarders were equally clear about what they did not want: a new portal with its own logins, or a system that would let either government use trade data for purposes other than customs. Any channel must therefore be narrow, with its uses written into the agreement that creates it."),
    ("heading", "Safeguards"),
    ("para", "Privacy regulators on both sides have said that sharing is lawful if each record is limited to what customs needs and is deleted on a fixed schedule.{4} The channel should log every query, give carriers a way to see who read their data, and be reviewed each year by the two regulators together."),
    ("heading", "A Pilot Corridor"),
    ("para", "The two services should begin with one crossing and a few hundred regular carriers, measure waiting times before and after, and publish the results.{5} If the pilot cuts delays without raising the rate of missed violations, the channel can be extended crossing by crossing, with each step approved by both legislatures."),
    ("heading", "About the Authors"),
    ("bio", "Aiko Tanabe is a senior fellow at the Meridian Center for Trade. Rafael Mendes directs the border program of the Lakeshore Policy Forum, where Grace Oyelaran is an analyst."),
]
JOINT_CONTENT = [
    (item[0], *item[1:-1], hyphenable(item[-1])) if item[0] == "para" else item for item in JOINT_CONTENT
]
JOINT_SHAPE = Shape(
    regular="Times-Roman", bold="Times-Bold", italic="Times-Italic", size=11, leading=13.5, heading_size=11,
    note_size=8.5, indent=0, para_gap=7, justify=True, marks="sup", notes="footnotes",
    header=lambda page: [("Meridian Center for Trade" if page % 2 == 0 else "Lakeshore Policy Forum", "left" if page % 2 == 0 else "right")],
    footer=lambda page: [(str(page), "left" if page % 2 == 0 else "right")],
)
JOINT_INFO = {"title": "Customs Data Sharing", "author": "Meridian Center for Trade"}


def joint(directory: Path) -> Built:
    return build(directory / "customs.pdf", JOINT_SHAPE, JOINT_CONTENT, JOINT_NOTES, JOINT_INFO)


# ------------------------------------------------------------------ D: a two-column brief
# A masthead across the page, then two justified columns; a paragraph runs from
# the foot of the left column to the head of the right one and on to page 2;
# headings at column width; superscript endnotes listed under "Endnotes", each
# number in a hanging indent a tab away from its note.

COLUMNS_TITLE = "Cooling Schools in a Hotter Decade"
COLUMNS_NOTES = {
    1: "Regional Education Office, “Classroom Temperature Audit,” May 20, 2024.",
    2: "Omar Haddad, “Heat and Learning,” Quarterly Review of Schooling, October 3, 2023.",
    3: "Energy Efficiency Board, “Heat Pump Retrofits in Public Buildings,” January 8, 2025.",
}
_COOL = [
    "On the hottest afternoons of recent summers, many classrooms built before air conditioning was common reached temperatures at which teachers say little learning takes place.{1} Windows that open only a few inches, west-facing walls and crowded rooms trap heat long after the sun has set.",
    "Research on test scores finds that each additional hot school day lowers performance measurably, and that the effect is largest for students whose homes are also hard to cool.{2} The loss compounds over a school career, because the same buildings are hot year after year.",
    "Districts know where their hottest rooms are. What they lack is a way to pay for cooling that does not crowd out teachers and books, and a plan that treats ventilation, shading and equipment as one project rather than three separate purchases made years apart.",
    "Heat pumps now cool and heat a classroom for less than the boilers they replace, and they can be installed one wing at a time during the summer break.{3} Shading and insulation reduce the size of the equipment a room needs, which in turn lowers the price of the whole retrofit.",
    "States should lend districts the money for these projects and let them repay it from the energy savings, as several already do for lighting. A simple rule would help: no classroom should be used for teaching when its temperature passes a level set in law, and every district should report how many such days it had.",
    "Cooling schools is not a luxury for a warming decade. It is the condition on which everything else a school does depends, and it can be paid for with money that is already being spent on outdated boilers.",
]
COLUMNS_CONTENT = [
    ("top", [
        ("FIELD NOTES ON PUBLIC BUILDINGS", "bold", 10, 0),
        (COLUMNS_TITLE, "bold", 20, 28),
        ("By Noor Vance and Tobias Lind", "regular", 11, 22),
        ("September 9, 2025", "regular", 10, 14),
    ]),
    ("para", _COOL[0]),
    ("para", _COOL[1]),
    ("heading", "The Cost of Heat"),
    ("para", _COOL[2]),
    ("heading", "What Works"),
    ("para", _COOL[3]),
    ("para", _COOL[4]),
    ("para", _COOL[5]),
    ("notes", "Endnotes"),
]
COLUMNS_CONTENT = [
    (item[0], hyphenable(item[1])) if item[0] == "para" else item for item in COLUMNS_CONTENT
]
COLUMNS_SHAPE = Shape(
    size=10, leading=12.5, heading_size=12, columns=2, page=(612.0, 500.0), note_tab=22,
    header=lambda page: [("Field Notes", "right")], footer=lambda page: [(f"{page}", "center")],
)


def columns(directory: Path) -> Built:
    return build(directory / "schools.pdf", COLUMNS_SHAPE, COLUMNS_CONTENT, COLUMNS_NOTES, {})


# ------------------------------------------------------------------ E: a short brief with page-bottom footnotes
# Written after the reader was done and read once without changing it: Helvetica
# on a short page, numbered bold headings at body size, bracketed [n] marks with
# footnotes at the page bottom, a running header holding the title and the page
# number, a day-month-year date in italics.

WATER_TITLE = "Drought Pricing Without Tears"
WATER_NOTES = {
    1: "Water Board, “Reservoir Levels Report,” March 2, 2024.",
    2: "Ana Ruiz, “Drought Pricing,” Journal of Utilities, May 9, 2023.",
    3: "City Council, “Minutes of the Finance Committee,” June 30, 2022.",
}
_WATER = [
    "Cities that sell water at a flat price give households no reason to save it in a dry year.{1} A price that rises with use, set in advance and explained clearly, lets people choose where to cut.",
    "Critics worry that such prices fall hardest on large families. The answer is a basic allowance per person, billed at the lowest rate, with higher rates only above it.{2}",
    "Utilities also need reserves. A dry-year fund, built up in wet years, keeps rates steady when sales fall and prevents the sudden increases that erode public trust in the whole system.",
    "Several cities have adopted these rules without controversy, in part because they published the formulas and the reasons for them before the drought arrived.{3} Transparency turned a technical change into a shared plan.",
    "The lesson for councils is to act while reservoirs are full. A pricing plan adopted in calm conditions is a policy; one adopted in a crisis looks like a penalty.",
]
WATER_CONTENT = [
    ("top", [(WATER_TITLE, "bold", 17, 0), ("By Lena Ortiz", "regular", 11, 22), ("2 April 2024", "italic", 10, 14)]),
    ("para", hyphenable(_WATER[0])), ("heading", "1. The Case for Tiers"), ("para", hyphenable(_WATER[1])),
    ("para", hyphenable(_WATER[2])), ("heading", "2. Lessons From Early Adopters"), ("para", hyphenable(_WATER[3])),
    ("para", hyphenable(_WATER[4])),
]
WATER_SHAPE = Shape(
    regular="Helvetica", bold="Helvetica-Bold", italic="Helvetica-Oblique", size=10.5, leading=14, heading_size=10.5,
    page=(595.0, 380.0), note_size=8, marks="bracket", notes="footnotes", para_gap=8,
    header=lambda page: [(f"{WATER_TITLE} | {page}", "center")],
)


def water(directory: Path) -> Built:
    return build(directory / "water.pdf", WATER_SHAPE, WATER_CONTENT, WATER_NOTES, {})

"""Street vocabulary, state weights and detention facilities for the generator.

Street names are generic (the most common U.S. street names); ZIP, city and
state triples are not listed here but derived from the installed ``zipcodes``
package so every generated ZIP exists and belongs to its state. State weights
are rounded 2020 Census resident populations (millions) and Hispanic shares;
the facilities are public, widely reported ICE detention sites, used only as
the "facility name instead of a street address" defect.
"""

from __future__ import annotations

#: common street names (ordinals included: "5TH ST" is among the commonest)
STREET_NAMES = """
Main, Oak, Pine, Maple, Cedar, Elm, Washington, Lake, Hill, Park, Walnut, Sunset, Lincoln,
Jackson, Franklin, Jefferson, Highland, Madison, Church, River, Spring, Willow, Meadow, Center,
Ridge, Forest, Lakeview, Hickory, Chestnut, Cherry, Adams, Mill, Dogwood, Valley, Sycamore,
Johnson, Lee, Birch, Aspen, Magnolia, Laurel, Poplar, Spruce, Holly, Woodland, Jones, Smith,
Green, Hillcrest, Broad, Market, Water, Union, Prospect, School, Grove, Bridge, Railroad, Locust,
Summit, Fairview, Central, College, Wilson, Monroe, Kennedy, King, Rose, Orchard, Meadowbrook,
Country Club, Cypress, Palm, Pecan, Mesquite, Juniper, Bay, Harbor, Ocean, Canyon, Mission,
Vista, Alameda, Las Palmas, San Pedro, Santa Fe, Del Mar, Sierra, Mountain View, Greenwood,
Brookside, Cottonwood, Evergreen, Heritage, Liberty, Independence, Pleasant, Academy, Garden,
Hawthorne, Peachtree, Magnolia Creek, Fox Run, Deer Path, Quail, Cardinal, Eagle, Hawk, Heron,
1st, 2nd, 3rd, 4th, 5th, 6th, 7th, 8th, 9th, 10th, 11th, 12th, 14th, 16th, 18th, 21st, 23rd,
27th, 32nd, 41st, 56th, 72nd, 104th, 137th
"""

#: USPS suffix abbreviation -> full word, with a relative weight
STREET_SUFFIXES: tuple[tuple[str, str, float], ...] = (
    ("ST", "STREET", 30.0),
    ("AVE", "AVENUE", 20.0),
    ("RD", "ROAD", 12.0),
    ("DR", "DRIVE", 12.0),
    ("LN", "LANE", 6.0),
    ("BLVD", "BOULEVARD", 4.0),
    ("CT", "COURT", 5.0),
    ("PL", "PLACE", 3.0),
    ("CIR", "CIRCLE", 3.0),
    ("TER", "TERRACE", 2.0),
    ("PKWY", "PARKWAY", 1.5),
    ("TRL", "TRAIL", 1.5),
)

#: USPS pre-directional abbreviation -> full word
DIRECTIONALS: tuple[tuple[str, str], ...] = (
    ("N", "NORTH"),
    ("S", "SOUTH"),
    ("E", "EAST"),
    ("W", "WEST"),
)

#: 2020 resident population (millions) and Hispanic share, by state (50 + DC)
STATES: dict[str, tuple[float, float]] = {
    "AL": (5.02, 0.05), "AK": (0.73, 0.07), "AZ": (7.15, 0.31), "AR": (3.01, 0.08),
    "CA": (39.5, 0.39), "CO": (5.77, 0.22), "CT": (3.61, 0.17), "DE": (0.99, 0.10),
    "DC": (0.69, 0.11), "FL": (21.5, 0.27), "GA": (10.7, 0.10), "HI": (1.46, 0.11),
    "ID": (1.84, 0.13), "IL": (12.8, 0.18), "IN": (6.79, 0.08), "IA": (3.19, 0.07),
    "KS": (2.94, 0.13), "KY": (4.51, 0.05), "LA": (4.66, 0.07), "ME": (1.36, 0.02),
    "MD": (6.18, 0.12), "MA": (7.03, 0.13), "MI": (10.1, 0.06), "MN": (5.71, 0.06),
    "MS": (2.96, 0.04), "MO": (6.15, 0.05), "MT": (1.08, 0.04), "NE": (1.96, 0.12),
    "NV": (3.10, 0.30), "NH": (1.38, 0.05), "NJ": (9.29, 0.22), "NM": (2.12, 0.48),
    "NY": (20.2, 0.20), "NC": (10.4, 0.11), "ND": (0.78, 0.04), "OH": (11.8, 0.05),
    "OK": (3.96, 0.12), "OR": (4.24, 0.14), "PA": (13.0, 0.09), "RI": (1.10, 0.17),
    "SC": (5.12, 0.07), "SD": (0.89, 0.05), "TN": (6.91, 0.07), "TX": (29.1, 0.40),
    "UT": (3.27, 0.15), "VT": (0.64, 0.02), "VA": (8.63, 0.11), "WA": (7.71, 0.14),
    "WV": (1.79, 0.02), "WI": (5.89, 0.08), "WY": (0.58, 0.10),
}  # fmt: skip

#: (facility name, city, state, ZIP): a name where a street address should be
DETENTION_FACILITIES: tuple[tuple[str, str, str, str], ...] = (
    ("Krome North Service Processing Center", "Miami", "FL", "33194"),
    ("Broward Transitional Center", "Pompano Beach", "FL", "33073"),
    ("Otay Mesa Detention Center", "San Diego", "CA", "92154"),
    ("Adelanto ICE Processing Center", "Adelanto", "CA", "92301"),
    ("Port Isabel Service Processing Center", "Los Fresnos", "TX", "78566"),
    ("El Paso Service Processing Center", "El Paso", "TX", "79925"),
    ("South Texas ICE Processing Center", "Pearsall", "TX", "78061"),
    ("Stewart Detention Center", "Lumpkin", "GA", "31815"),
    ("LaSalle ICE Processing Center", "Jena", "LA", "71342"),
    ("Eloy Detention Center", "Eloy", "AZ", "85131"),
    ("Florence Service Processing Center", "Florence", "AZ", "85132"),
    ("Northwest ICE Processing Center", "Tacoma", "WA", "98421"),
    ("Buffalo Federal Detention Facility", "Batavia", "NY", "14020"),
    ("Elizabeth Contract Detention Facility", "Elizabeth", "NJ", "07201"),
    ("Aurora ICE Processing Center", "Aurora", "CO", "80010"),
    ("Otero County Processing Center", "Chaparral", "NM", "88081"),
)

#: the court's literal examples of "addresses" that passed a 5-digit filter
PLACEHOLDER_ADDRESSES: tuple[str, ...] = (
    "Don't Care 12345",
    "Failed to Provide",
    "Unknown Address",
    "NA NA",
)

#: placeholder names that stand for "we do not know who this is"
PLACEHOLDER_NAMES: tuple[str, ...] = ("UNKNOWN", "N/A", "TEST", "XXX", "NONE", "NA")

#: statutes an agreement will not list (immigration and criminal provisions
#: other than the removal statutes the reference agreement permits)
OTHER_STATUTES: tuple[str, ...] = (
    "8 U.S.C. 1182(a)(6)(A)(i)",
    "8 U.S.C. 1227(a)(1)(B)",
    "8 U.S.C. 1357(a)",
    "18 U.S.C. 1546",
    "18 U.S.C. 911",
    "26 U.S.C. 7201",
)

#: criminal investigation case number prefixes (all match ^[A-Z]{2,5}$)
CASE_PREFIXES: tuple[tuple[str, float], ...] = (
    ("HSI", 60.0),
    ("ERO", 25.0),
    ("ICE", 10.0),
    ("OPR", 5.0),
)

#: relevance statements (each well over the agreement's 40-character minimum)
RELEVANCE: tuple[str, ...] = (
    "Subject is the target of an open criminal investigation for failure to depart "
    "after a final order of removal.",
    "Address is needed to locate the subject, who is named in an ongoing criminal "
    "investigation under the cited statute.",
    "The subject's last known address is necessary to serve process in a pending "
    "criminal case related to removal.",
    "Information will be used solely to locate the subject of this investigation, "
    "who remains in the United States.",
    "Subject has a final order of removal and is under investigation for reentry "
    "or failure to depart; location unknown.",
    "Locating the subject is necessary for the criminal investigation identified "
    "by the case number on this record.",
)

#: statements too short or empty to show relevance
SHORT_RELEVANCE: tuple[str, ...] = ("Investigation.", "N/A", "See case file", "Relevant", "")

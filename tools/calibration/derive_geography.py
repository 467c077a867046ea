"""Derive the geography calibration files of the ``kerala-2026`` preset.

Reads the public data files in ``../shared/data`` (described in its ``SOURCES.md``):

* ``kerala_lsg2025_local_bodies.csv``, ``kerala_lsg2025_wards_electors.csv`` and the derived
  ``kerala_lsg2025_gp_block_mapping.csv`` (opendatakerala/LSG2025, GPL-3.0): the 2025 local bodies,
  their wards, the electors per ward and the block of every grama panchayat;
* ``kerala_assembly_constituencies_2026_electors.csv`` (opendatakerala/KLA, GPL-3.0): the 140
  assembly constituencies (ACs) with their 2026 electors;
* ``kerala_ac_lsg_extent_delimitation2008.csv`` (opendatakerala/KLA, GPL-3.0): which local bodies
  (2008 set) or corporation wards make up each AC;
* ``census2011_A1_kerala_district_taluk_population.csv`` (Census 2011 table A-1): district and
  taluk population, households and urban share;

and writes, under ``synth/world/calibration/kerala-2026/geography/``:

``districts.csv``       the 14 districts (Census 2011 totals, 2025 LSG electors of base wards);
``taluks.csv``          the 78 current taluks (a list from public knowledge, linked to Census 2011);
``local_bodies.csv``    the 1,034 base local bodies (941 GP, 87 municipalities, 6 corporations)
                        with block, derived taluk and derived AC;
``wards.csv``           the 20,998 base wards with electors and derived AC;
``constituencies.csv``  the 140 ACs;
``README.md``           sources, licences, derivation rules, link-method counts and caveats.

No public file links a grama panchayat to a taluk, so the taluk of each body is derived from
names (the body's or its block's name matches a taluk or taluk headquarters) or curated from
general knowledge of Kerala geography (``BLOCK_TALUK``/``BODY_TALUK`` below), and flagged as such
in ``taluk_link``. The AC of each body comes from a fuzzy name match against the 2008 extent file
(``ac_link``). The script checks its outputs and exits non-zero if a check fails. Standard
library only. Run from the repository root::

    python tools/calibration/derive_geography.py --shared ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_REL = Path("synth/world/calibration/kerala-2026/geography")

# --------------------------------------------------------------------------------------------
# Districts: LSG district number, display name, Census 2011 district code.
# --------------------------------------------------------------------------------------------
DISTRICTS: list[tuple[str, str, int]] = [
    ("01", "Thiruvananthapuram", 601),
    ("02", "Kollam", 600),
    ("03", "Pathanamthitta", 599),
    ("04", "Alappuzha", 598),
    ("05", "Kottayam", 597),
    ("06", "Idukki", 596),
    ("07", "Ernakulam", 595),
    ("08", "Thrissur", 594),
    ("09", "Palakkad", 593),
    ("10", "Malappuram", 592),
    ("11", "Kozhikode", 591),
    ("12", "Wayanad", 590),
    ("13", "Kannur", 589),
    ("14", "Kasaragod", 588),
]
DISTRICT_SPELLINGS = {
    "kasargod": "kasaragod",
    "kasaragode": "kasaragod",
    "trivandrum": "thiruvananthapuram",
    "quilon": "kollam",
    "alleppey": "alappuzha",
    "calicut": "kozhikode",
    "cannanore": "kannur",
    "trichur": "thrissur",
    "palghat": "palakkad",
}

# --------------------------------------------------------------------------------------------
# The 78 current taluks (public knowledge; not verified against a gazette). Per taluk: the names
# (taluk, headquarters town, Census 2011 spelling) that count as a name match for a body or block.
# --------------------------------------------------------------------------------------------
TALUKS: dict[str, list[tuple[str, list[str]]]] = {
    "01": [
        ("Thiruvananthapuram", ["thiruvananthapuram"]),
        ("Chirayinkeezhu", ["chirayinkeezhu"]),
        ("Neyyattinkara", ["neyyattinkara"]),
        ("Nedumangad", ["nedumangad"]),
        ("Varkala", ["varkala"]),
        ("Kattakada", ["kattakada", "kattakkada"]),
    ],
    "02": [
        ("Kollam", ["kollam"]),
        ("Karunagappally", ["karunagappally"]),
        ("Kunnathur", ["kunnathur"]),
        ("Kottarakkara", ["kottarakkara", "kottarakara"]),
        ("Pathanapuram", ["pathanapuram"]),
        ("Punalur", ["punalur"]),
    ],
    "03": [
        ("Adoor", ["adoor"]),
        ("Konni", ["konni"]),
        ("Kozhencherry", ["kozhencherry", "kozhenchery", "kozhanchery", "pathanamthitta"]),
        ("Mallappally", ["mallappally"]),
        ("Ranni", ["ranni", "ranny"]),
        ("Thiruvalla", ["thiruvalla"]),
    ],
    "04": [
        ("Ambalappuzha", ["ambalappuzha", "alappuzha"]),
        ("Chengannur", ["chengannur"]),
        ("Cherthala", ["cherthala"]),
        ("Karthikappally", ["karthikappally", "karthikapally", "harippad", "haripad"]),
        ("Kuttanad", ["kuttanad", "champakkulam", "champakulam", "veliyanad"]),
        ("Mavelikkara", ["mavelikkara"]),
    ],
    "05": [
        ("Changanassery", ["changanassery"]),
        ("Kanjirappally", ["kanjirappally"]),
        ("Kottayam", ["kottayam"]),
        ("Meenachil", ["meenachil", "palai", "pala"]),
        ("Vaikom", ["vaikom"]),
    ],
    "06": [
        ("Devikulam", ["devikulam", "munnar", "adimali"]),
        ("Idukki", ["idukki", "painavu"]),
        ("Peermade", ["peermade", "peerumade", "kumily"]),
        ("Thodupuzha", ["thodupuzha"]),
        ("Udumbanchola", ["udumbanchola", "nedumkandom", "nedumkandam"]),
    ],
    "07": [
        ("Aluva", ["aluva"]),
        ("Kanayannur", ["kanayannur", "ernakulam", "cochin"]),
        ("Kochi", ["kochi", "fort kochi", "mattancherry"]),
        ("Kothamangalam", ["kothamangalam"]),
        ("Kunnathunad", ["kunnathunad", "perumbavoor"]),
        ("Muvattupuzha", ["muvattupuzha"]),
        ("Paravur", ["paravur", "north paravur"]),
    ],
    "08": [
        ("Chalakudy", ["chalakudy", "chalakkudy"]),
        ("Chavakkad", ["chavakkad"]),
        ("Kodungallur", ["kodungallur"]),
        ("Kunnamkulam", ["kunnamkulam"]),
        ("Mukundapuram", ["mukundapuram", "irinjalakuda"]),
        ("Thalappilly", ["thalappilly", "talappilly", "wadakkanchery", "vadakkancherry"]),
        ("Thrissur", ["thrissur"]),
    ],
    "09": [
        ("Alathur", ["alathur", "alathoor"]),
        ("Chittur", ["chittur", "chittoor", "chittur thathamangalam"]),
        ("Mannarkkad", ["mannarkkad", "mannarkad"]),
        ("Ottapalam", ["ottapalam", "ottappalam"]),
        ("Palakkad", ["palakkad"]),
        ("Pattambi", ["pattambi"]),
        ("Attappady", ["attappady", "attapadi", "agali", "sholayur", "pudur"]),
    ],
    "10": [
        ("Eranad", ["eranad", "ernad", "manjeri"]),
        ("Kondotty", ["kondotty"]),
        ("Nilambur", ["nilambur"]),
        ("Perinthalmanna", ["perinthalmanna"]),
        ("Ponnani", ["ponnani"]),
        ("Tirur", ["tirur"]),
        ("Tirurangadi", ["tirurangadi"]),
    ],
    "11": [
        ("Koyilandy", ["koyilandy", "koilandy", "quilandy"]),
        ("Kozhikode", ["kozhikode"]),
        ("Thamarassery", ["thamarassery"]),
        ("Vatakara", ["vatakara", "vadakara"]),
    ],
    "12": [
        ("Mananthavady", ["mananthavady", "mananthavadi"]),
        ("Sulthan Bathery", ["sulthan bathery", "sulthanbathery", "sulthanbethery"]),
        ("Vythiri", ["vythiri", "kalpetta"]),
    ],
    "13": [
        ("Iritty", ["iritty"]),
        ("Kannur", ["kannur"]),
        ("Payyanur", ["payyanur", "payyannur"]),
        ("Thalassery", ["thalassery"]),
        ("Taliparamba", ["taliparamba"]),
    ],
    "14": [
        ("Hosdurg", ["hosdurg", "kanhangad"]),
        ("Kasaragod", ["kasaragod"]),
        ("Manjeshwaram", ["manjeshwaram", "manjeshwar"]),
        ("Vellarikundu", ["vellarikundu"]),
    ],
}

# Census 2011 sub-district names that differ from the current taluk name.
CENSUS_TALUK_ALIASES = {
    "quilandy": "Koyilandy",
    "vadakara": "Vatakara",
    "ernad": "Eranad",
    "ottappalam": "Ottapalam",
    "mannarkad": "Mannarkkad",
    "talappilly": "Thalappilly",
    "peerumade": "Peermade",
    "kozhenchery": "Kozhencherry",
    "sulthanbathery": "Sulthan Bathery",
}

# Taluks created after 2011 and the 2011 taluk(s) they were carved from (general knowledge; only
# used for the plausibility table in the README).
PARENT_2011: dict[str, list[str]] = {
    "Varkala": ["Chirayinkeezhu"],
    "Kattakada": ["Neyyattinkara", "Nedumangad"],
    "Punalur": ["Pathanapuram"],
    "Konni": ["Kozhencherry", "Adoor"],
    "Idukki": ["Udumbanchola", "Thodupuzha"],
    "Chalakudy": ["Mukundapuram"],
    "Kunnamkulam": ["Thalappilly", "Chavakkad"],
    "Pattambi": ["Ottapalam"],
    "Attappady": ["Mannarkkad"],
    "Kondotty": ["Eranad", "Tirurangadi"],
    "Thamarassery": ["Kozhikode", "Koyilandy"],
    "Iritty": ["Thalassery", "Taliparamba"],
    "Payyanur": ["Taliparamba"],
    "Manjeshwaram": ["Kasaragod"],
    "Vellarikundu": ["Hosdurg"],
}

# --------------------------------------------------------------------------------------------
# Curated taluk links (general knowledge of Kerala geography, not verified against a gazette).
# BLOCK_TALUK gives the taluk of a whole block; BODY_TALUK overrides it for single bodies (GPs of
# blocks that straddle a taluk boundary) and places municipalities whose name is no taluk name.
# --------------------------------------------------------------------------------------------
BLOCK_TALUK: dict[str, str] = {
    # Thiruvananthapuram
    "B01001": "Neyyattinkara",
    "B01002": "Neyyattinkara",
    "B01003": "Neyyattinkara",
    "B01004": "Kattakada",
    "B01005": "Thiruvananthapuram",
    "B01006": "Nedumangad",
    "B01007": "Nedumangad",
    "B01008": "Nedumangad",
    "B01009": "Chirayinkeezhu",
    "B01010": "Chirayinkeezhu",
    "B01011": "Varkala",
    # Kollam
    "B02012": "Karunagappally",
    "B02013": "Kunnathur",
    "B02014": "Kottarakkara",
    "B02015": "Pathanapuram",
    "B02016": "Punalur",
    "B02017": "Kottarakkara",
    "B02018": "Kollam",
    "B02019": "Karunagappally",
    "B02020": "Kollam",
    "B02021": "Kottarakkara",
    "B02022": "Kollam",
    # Pathanamthitta
    "B03023": "Mallappally",
    "B03024": "Thiruvalla",
    "B03025": "Thiruvalla",
    "B03026": "Kozhencherry",
    "B03027": "Ranni",
    "B03028": "Konni",
    "B03029": "Kozhencherry",
    "B03030": "Adoor",
    # Alappuzha
    "B04031": "Cherthala",
    "B04032": "Cherthala",
    "B04033": "Cherthala",
    "B04034": "Ambalappuzha",
    "B04035": "Ambalappuzha",
    "B04036": "Kuttanad",
    "B04037": "Kuttanad",
    "B04038": "Chengannur",
    "B04039": "Karthikappally",
    "B04040": "Mavelikkara",
    "B04041": "Mavelikkara",
    "B04042": "Karthikappally",
    # Kottayam
    "B05043": "Vaikom",
    "B05044": "Vaikom",
    "B05045": "Kottayam",
    "B05046": "Meenachil",
    "B05047": "Meenachil",
    "B05048": "Meenachil",
    "B05049": "Kottayam",
    "B05050": "Changanassery",
    "B05051": "Changanassery",
    "B05052": "Kanjirappally",
    "B05053": "Kottayam",
    # Idukki
    "B06054": "Devikulam",
    "B06055": "Devikulam",
    "B06056": "Udumbanchola",
    "B06057": "Thodupuzha",
    "B06058": "Idukki",
    "B06059": "Udumbanchola",
    "B06060": "Thodupuzha",
    "B06061": "Peermade",
    # Ernakulam
    "B07062": "Paravur",
    "B07063": "Paravur",
    "B07064": "Aluva",
    "B07065": "Kunnathunad",
    "B07066": "Kunnathunad",
    "B07067": "Kanayannur",
    "B07068": "Kochi",
    "B07069": "Kochi",
    "B07070": "Kanayannur",
    "B07071": "Kunnathunad",
    "B07072": "Kothamangalam",
    "B07073": "Muvattupuzha",
    "B07074": "Aluva",
    "B07075": "Muvattupuzha",
    # Thrissur
    "B08076": "Chavakkad",
    "B08077": "Kunnamkulam",
    "B08078": "Thalappilly",
    "B08079": "Thalappilly",
    "B08080": "Thrissur",
    "B08081": "Thrissur",
    "B08082": "Chavakkad",
    "B08083": "Chavakkad",
    "B08084": "Kodungallur",
    "B08085": "Thrissur",
    "B08086": "Thrissur",
    "B08087": "Mukundapuram",
    "B08088": "Mukundapuram",
    "B08089": "Mukundapuram",
    "B08090": "Chalakudy",
    "B08091": "Chalakudy",
    # Palakkad
    "B09092": "Pattambi",
    "B09093": "Pattambi",
    "B09094": "Ottapalam",
    "B09095": "Ottapalam",
    "B09096": "Mannarkkad",
    "B09097": "Attappady",
    "B09098": "Palakkad",
    "B09099": "Alathur",
    "B09100": "Chittur",
    "B09101": "Chittur",
    "B09102": "Chittur",
    "B09103": "Palakkad",
    "B09104": "Alathur",
    # Malappuram
    "B10105": "Nilambur",
    "B10106": "Kondotty",
    "B10107": "Nilambur",
    "B10108": "Nilambur",
    "B10109": "Eranad",
    "B10110": "Eranad",
    "B10111": "Perinthalmanna",
    "B10112": "Perinthalmanna",
    "B10113": "Tirur",
    "B10114": "Tirur",
    "B10115": "Tirurangadi",
    "B10116": "Tirurangadi",
    "B10117": "Tirur",
    "B10118": "Ponnani",
    "B10119": "Ponnani",
    # Kozhikode
    "B11120": "Vatakara",
    "B11121": "Vatakara",
    "B11122": "Vatakara",
    "B11123": "Vatakara",
    "B11124": "Koyilandy",
    "B11125": "Koyilandy",
    "B11126": "Koyilandy",
    "B11127": "Koyilandy",
    "B11128": "Kozhikode",
    "B11129": "Thamarassery",
    "B11130": "Kozhikode",
    "B11131": "Kozhikode",
    # Wayanad
    "B12132": "Mananthavady",
    "B12133": "Sulthan Bathery",
    "B12134": "Vythiri",
    "B12135": "Sulthan Bathery",
    # Kannur
    "B13136": "Kannur",
    "B13137": "Payyanur",
    "B13138": "Taliparamba",
    "B13139": "Taliparamba",
    "B13140": "Kannur",
    "B13141": "Kannur",
    "B13142": "Thalassery",
    "B13143": "Thalassery",
    "B13144": "Thalassery",
    "B13145": "Iritty",
    "B13146": "Iritty",
    # Kasaragod
    "B14147": "Kasaragod",
    "B14148": "Manjeshwaram",
    "B14149": "Kasaragod",
    "B14150": "Hosdurg",
    "B14151": "Vellarikundu",
    "B14152": "Hosdurg",
}

BODY_TALUK: dict[str, str] = {
    # Thiruvananthapuram: Kattakada taluk (2014) took the eastern Perumkadavila block GPs and
    # Kattakada/Poovachal/Kuttichal; Balaramapuram stays in Neyyattinkara, Kalliyoor in the city
    # taluk; Azhoor in Chirayinkeezhu; Navaikulam/Madavoor/Pallickal went to Varkala.
    "G01011": "Kattakada",
    "G01012": "Kattakada",
    "G01013": "Kattakada",
    "G01014": "Kattakada",
    "G01021": "Neyyattinkara",
    "G01026": "Thiruvananthapuram",
    "G01031": "Chirayinkeezhu",
    "G01034": "Kattakada",
    "G01037": "Kattakada",
    "G01058": "Varkala",
    "G01059": "Varkala",
    "G01060": "Varkala",
    "M01003": "Chirayinkeezhu",  # Attingal
    # Kollam
    "G02047": "Kunnathur",  # Mandrothuruthu (Munroe Island)
    "M02005": "Kollam",  # Paravoor
    # Pathanamthitta
    "G03002": "Thiruvalla",  # Kaviyoor
    "G03013": "Ranni",  # Ayiroor
    "G03016": "Kozhencherry",  # Thottappuzhassery (Maramon)
    "G03017": "Mallappally",
    "G03018": "Mallappally",  # Ezhumattoor, Puramattam
    "G03042": "Adoor",
    "G03044": "Adoor",
    "G03045": "Adoor",  # Panthalam-Thekkekkara, Thumpamon, Kulanada
    "G03052": "Konni",  # Kalanjoor
    "M03061": "Adoor",  # Pandalam
    # Alappuzha
    "G04021": "Cherthala",  # Muhamma
    "G04059": "Chengannur",  # Mannar
    "M04011": "Karthikappally",  # Kayamkulam
    # Kottayam
    "G05026": "Vaikom",  # Manjoor
    "G05044": "Meenachil",
    "G05049": "Meenachil",  # Elikkulam, Kidangoor
    "G05056": "Kanjirappally",
    "G05060": "Kanjirappally",  # Chirakkadavu, Vazhoor
    "G05069": "Changanassery",  # Kurichy
    "M05063": "Kottayam",  # Ettumanoor
    "M05064": "Meenachil",  # Erattupetta
    # Idukki
    "G06002": "Idukki",  # Konnathady
    "G06003": "Udumbanchola",  # Baisonvalley
    "G06010": "Udumbanchola",
    "G06011": "Udumbanchola",  # Santhanpara, Chinnakanal
    "G06036": "Peermade",  # Upputhara
    "G06038": "Idukki",
    "G06040": "Idukki",  # Kanchiyar, Ayyappancoil
    "M06065": "Idukki",  # Kattappana
    # Ernakulam
    "G07027": "Aluva",
    "G07028": "Aluva",
    "G07029": "Aluva",  # Choornikkara, Edathala, Keezhmadu
    "G07033": "Kochi",  # Elamkunnapuzha (Vypin island)
    "G07041": "Kanayannur",  # Kumbalam
    "G07047": "Muvattupuzha",  # Maneedu
    "G07074": "Paravur",
    "G07076": "Paravur",  # Kunnukara, Puthenvelikara
    "M07021": "Kanayannur",
    "M07026": "Kanayannur",
    "M07030": "Kanayannur",
    "M07031": "Kanayannur",
    "M07028": "Aluva",  # Angamaly
    "M07029": "Paravur",  # Eloor
    "M07066": "Muvattupuzha",
    "M07067": "Muvattupuzha",  # Piravom, Koothattukulam
    # Thrissur
    "M08036": "Chavakkad",  # Guruvayoor
    # Palakkad
    "G09029": "Mannarkkad",  # Karakurissi
    "G09056": "Palakkad",  # Kannadi
    "G09075": "Alathur",
    "G09077": "Alathur",  # Melarcode, Vandazhi
    "M09038": "Ottapalam",
    "M09070": "Ottapalam",  # Shornur, Cherupulassery
    # Malappuram
    "G10020": "Eranad",
    "G10021": "Eranad",  # Pandikkad, Thrikkalangode
    "G10033": "Kondotty",
    "G10034": "Kondotty",  # Kuzhimanna, Cheacode
    "M10045": "Eranad",  # Malappuram
    "M10047": "Tirur",
    "M10072": "Tirur",
    "M10074": "Tirur",  # Kottakkal, Thanoor, Valanchery
    "M10073": "Tirurangadi",  # Parappanangadi
    # Kozhikode
    "M11076": "Koyilandy",  # Payyoli
    "M11077": "Kozhikode",
    "M11080": "Kozhikode",  # Ramanattukara, Faroke
    "M11078": "Thamarassery",
    "M11079": "Thamarassery",  # Koduvally, Mukkam
    # Wayanad
    "G12021": "Mananthavady",  # Panamaram
    "G12022": "Vythiri",  # Kaniyambetta
    # Kannur
    "G13001": "Payyanur",
    "G13002": "Payyanur",
    "G13003": "Payyanur",  # Cheruthazham, Madayi, Ezhome
    "G13024": "Payyanur",  # Kadannappalli-Panappuzha
    "G13029": "Kannur",
    "G13033": "Kannur",  # Mayyil, Kuttiattoor
    "G13031": "Iritty",
    "G13032": "Iritty",  # Padiyoor-Kalliad, Ulikkal
    "G13048": "Kannur",  # Muzhappilangad
    "G13079": "Thalassery",
    "G13080": "Thalassery",  # Kolayad, Malur
    "M13054": "Thalassery",
    "M13084": "Thalassery",  # Koothuparamba, Panoor
    "M13057": "Iritty",  # Mattannur
    "M13085": "Taliparamba",
    "M13086": "Taliparamba",  # Sreekandapuram, Anthoor
    # Kasaragod
    "G14015": "Manjeshwaram",  # Kumbla
    "M14060": "Hosdurg",  # Nileshwar
}

# 2008 grama panchayats that were merged into a corporation later (2010 and 2015 expansions);
# their ACs belong to the corporation's AC set. General knowledge, checked against the fact that
# these names match no 2025 body.
CORP_MERGED_2008_GPS: dict[str, list[str]] = {
    "C01001": ["Kazhakoottam", "Sreekaryam", "Kudappanakunnu", "Vattiyoorkavu", "Vizhinjam"],
    "C11005": ["Elathur", "Beypore", "Cheruvannur-Nallalam"],
    "C13006": ["Pallikkunnu", "Puzhathi", "Chelora", "Edakkad", "Elayavoor"],
}
# Name of each 2025 corporation in the 2008 extent file.
CORP_2008_NAME = {
    "C01001": "Thiruvananthapuram Municipal Corporation",
    "C02002": "Kollam Municipal Corporation",
    "C07003": "Kochi Municipal Corporation",
    "C08004": "Thrissur Municipal Corporation",
    "C11005": "Kozhikode Municipal Corporation",
    "C13006": "Kannur Municipality",
}
# Bodies formed after 2008 out of a 2008 body of another name (general knowledge): the 2008 name is
# matched instead, and the link counted as extent2008_fuzzy.
PREDECESSOR_2008 = {
    "M13083": "Keezhur- Chavassery",  # Iritty municipality (2015) = former Keezhur-Chavassery GP
    "M13086": "Taliparamba Municipality",  # Anthoor municipality (2015), carved from Taliparamba
    "G09039": "Mannarkkad",  # Thenkara GP, carved from Mannarkkad GP when that became a municipality
}
# Municipalities whose 2008 extent is given ward by ward (split over ACs like corporations).
WARDWISE_MUNICIPALITIES = {"M04014": "Alappuzha Municipality"}

FUZZY_THRESHOLD = 0.80
EXPECTED_TOTAL_ELECTORS = 28_662_726
TYPE_MAP = {
    "Grama Panchayat": "grama_panchayat",
    "Municipality": "municipality",
    "Municipal Corporation": "corporation",
}


# --------------------------------------------------------------------------------------------
# Data classes
# --------------------------------------------------------------------------------------------
@dataclass
class Ward:
    code: str
    body: str
    no: int
    name: str
    m: int
    f: int
    o: int
    ac: int = 0


@dataclass
class Body:
    code: str
    name: str
    type: str
    district: str
    ward_count: int
    block_code: str = ""
    block: str = ""
    taluk: str = ""
    taluk_link: str = ""
    ac: int = 0
    ac_link: str = ""
    ac_shares: dict[int, float] = field(default_factory=dict)
    wards: list[Ward] = field(default_factory=list)

    @property
    def serial(self) -> int:
        return int(self.code[3:])

    def electors(self) -> tuple[int, int, int]:
        return (sum(w.m for w in self.wards), sum(w.f for w in self.wards), sum(w.o for w in self.wards))


@dataclass
class AC:
    number: int
    name: str
    district: str
    reservation: str
    booths: int
    m: int
    f: int
    tg: int
    total: int


@dataclass
class Extent2008:
    name: str
    type: str
    lsgi: str
    ac: int
    district: str


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def district_key(name: str) -> str:
    """Normalise a district spelling from any of the files to a lower-case key."""
    key = re.sub(r"[^a-z]", "", name.lower())
    return DISTRICT_SPELLINGS.get(key, key)


DISTRICT_BY_KEY = {district_key(n): c for c, n, _ in DISTRICTS}


def norm_name(name: str) -> str:
    """Basic normalisation of a local-body name: case, punctuation, suffixes, parsing debris."""
    s = name.replace("\ufeff", "").replace("\ufffd", "").lower()
    s = re.sub(r"\b(grama panchayat|municipal corporation|municipality|muncipality)\b", " ", s)
    s = re.sub(r"^\s*and\s+", " ", s)
    s = re.sub(r"[\u2013\u2014\-_/.,()]", " ", s)
    s = re.sub(r"[^a-z0-9 ]", "", s)
    s = re.sub(r"\b[a-z]\b", " ", s)  # initials, e.g. "T V Puram" -> "puram"
    return re.sub(r"\s+", " ", s).strip()


def phonetic(name: str) -> str:
    """A loose transliteration key: qu/c -> k, zh -> l, final y -> i, drops h, merges w/v, long vowels
    and double letters ("Kozhanchery" and "Kozhencherry" give "kolanceri" and "kolenceri")."""
    s = re.sub(r"y\b", "i", norm_name(name)).replace(" ", "")
    s = s.replace("qu", "k").replace("zh", "l").replace("ch", "\x00").replace("c", "k").replace("\x00", "c")
    for a, b in (("ee", "i"), ("oo", "u"), ("w", "v"), ("ph", "f"), ("h", "")):
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, newline="", encoding=encoding, errors="replace") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def cut_contiguous(sizes: list[int], weights: list[float]) -> list[int]:
    """Cut a sequence of items with ``sizes`` into len(weights) contiguous runs whose size sums are
    as close as possible to the weights' shares; returns the run index of each item (every run gets at
    least one item). An item goes to the run whose share its midpoint falls in."""
    total, wsum = sum(sizes), sum(weights)
    bounds, acc = [], 0.0
    for w in weights:
        acc += w
        bounds.append(total * acc / wsum)
    out, cum = [], 0.0
    for s in sizes:
        mid = cum + s / 2
        out.append(next((k for k, b in enumerate(bounds) if mid < b), len(weights) - 1))
        cum += s
    # make every run non-empty (only matters for very small weights)
    for k in range(len(weights)):
        if k not in out:
            donor = max(range(len(out)), key=lambda i: (out.count(out[i]), -abs(out[i] - k)))
            out[donor] = k
            out = sorted(out)
    return out


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
def load_bodies(shared: Path) -> dict[str, Body]:
    """Base local bodies (GP, municipality, corporation) with their wards and blocks."""
    bodies: dict[str, Body] = {}
    for r in read_csv(shared / "kerala_lsg2025_local_bodies.csv"):
        if r["Local Body Type"] not in TYPE_MAP:
            continue
        code = r["Local Body Code"]
        d = DISTRICT_BY_KEY[district_key(r["District"])]
        assert code[1:3] == d, (code, d)
        bodies[code] = Body(code, r["Local Body Name"].strip(), TYPE_MAP[r["Local Body Type"]], d, int(r["Ward Count"]))
    for r in read_csv(shared / "kerala_lsg2025_gp_block_mapping.csv"):
        b = bodies[r["GP Code"]]
        b.block_code, b.block = r["Block Code"], r["Block Name"].strip()
    # The ward file is not valid UTF-8 (garbled names of one block panchayat): decode leniently.
    for r in read_csv(shared / "kerala_lsg2025_wards_electors.csv", encoding="utf-8"):
        code = r["Local Body Code"]
        if code not in bodies:
            continue
        wc = r["Ward Code"]
        name = re.sub(r"\s+", " ", r["Ward Name"].replace("\ufffd", "")).strip()
        m, f, o = int(r["Males"]), int(r["Females"]), int(r["Others"])
        assert m + f + o == int(r["Total"]), wc
        bodies[code].wards.append(Ward(wc, code, int(wc[-3:]), name, m, f, o))
    for b in bodies.values():
        b.wards.sort(key=lambda w: w.no)
    return bodies


def load_acs(shared: Path) -> dict[int, AC]:
    acs: dict[int, AC] = {}
    for r in read_csv(shared / "kerala_assembly_constituencies_2026_electors.csv"):
        n = int(r["number"])
        acs[n] = AC(
            n,
            r["name"],
            DISTRICT_BY_KEY[district_key(r["district"])],
            r["reservation"] or "GEN",
            int(r["pollingBooths"]),
            int(r["votersMale"]),
            int(r["votersFemale"]),
            int(r["votersTransgender"]),
            int(r["votersTotal"]),
        )
    return acs


def load_extent(shared: Path, acs: dict[int, AC]) -> list[Extent2008]:
    out = []
    for r in read_csv(shared / "kerala_ac_lsg_extent_delimitation2008.csv", encoding="utf-8-sig"):
        ac = int(r["Sl. No. of Constituency"])
        out.append(
            Extent2008(r["Name"].strip(), r["Type of Body"].strip(), r["LSGI Name"].strip(), ac, acs[ac].district)
        )
    return out


def load_census_a1(shared: Path) -> list[dict[str, str]]:
    rows = read_csv(shared / "census2011_A1_kerala_district_taluk_population.csv")
    for r in rows:
        r["Name"] = r["Name"].strip()
    return rows


# --------------------------------------------------------------------------------------------
# Taluk links
# --------------------------------------------------------------------------------------------
def taluk_by_alias(district: str) -> dict[str, str]:
    return {norm_name(alias): taluk for taluk, aliases in TALUKS[district] for alias in aliases}


def link_taluks(bodies: dict[str, Body]) -> None:
    """Give every body one taluk of its district and a ``taluk_link`` method flag."""
    taluk_names = {d: {t for t, _ in ts} for d, ts in TALUKS.items()}
    for b in bodies.values():
        aliases = taluk_by_alias(b.district)
        by_body = aliases.get(norm_name(b.name))
        by_block = aliases.get(norm_name(b.block)) if b.block else None
        curated = BODY_TALUK.get(b.code) or BLOCK_TALUK.get(b.block_code)
        chosen = BODY_TALUK.get(b.code, by_body or curated or by_block)
        if chosen is None:
            continue
        assert chosen in taluk_names[b.district], (b.code, chosen)
        b.taluk = chosen
        b.taluk_link = "name" if chosen in (by_body, by_block) else "curated"
    # Fallback: the taluk of the nearest linked body in code order (same block, else district).
    for b in sorted(bodies.values(), key=lambda x: x.code):
        if b.taluk:
            continue
        pool = [o for o in bodies.values() if o.taluk and o.block_code and o.block_code == b.block_code]
        pool = pool or [o for o in bodies.values() if o.taluk and o.district == b.district and o.code[0] == b.code[0]]
        pool = pool or [o for o in bodies.values() if o.taluk and o.district == b.district]
        near = min(pool, key=lambda o: (abs(o.serial - b.serial), o.code))
        b.taluk, b.taluk_link = near.taluk, "nearest_code"


# --------------------------------------------------------------------------------------------
# AC links
# --------------------------------------------------------------------------------------------
def name_score(a: str, b: str) -> float:
    """Similarity of two local-body names: 0.3 x difflib ratio of the normalised names + 0.7 x that of
    their phonetic keys; 0 when the keys start with different consonants (initial vowels and y may
    differ: Yeroor = Eroor, Oorakam = Urakam)."""
    pa, pb = phonetic(a), phonetic(b)
    if not pa or not pb:
        return 0.0
    vowels = set("aeiouy")
    if pa[0] != pb[0] and not (pa[0] in vowels and pb[0] in vowels):
        return 0.0
    return 0.3 * ratio(norm_name(a).replace(" ", ""), norm_name(b).replace(" ", "")) + 0.7 * ratio(pa, pb)


def match_extent(name: str, candidates: list[Extent2008]) -> tuple[Extent2008 | None, str, float]:
    """Best 2008 extent row for a body name: exact on the normalised name, else the best fuzzy score.

    A 2008 name carrying two bodies (parsing debris such as "Perayam Perinad") is also tried word by
    word. Returns (row, method, score); row is None below ``FUZZY_THRESHOLD``."""
    key = norm_name(name)
    exact = [c for c in candidates if norm_name(c.name) == key]
    if exact:
        return exact[0], "extent2008_exact", 1.0
    best: tuple[float, Extent2008 | None] = (0.0, None)
    for c in candidates:
        words = norm_name(c.name).split()
        keys = [c.name] + ([w for w in words if len(w) >= 5] if len(words) > 1 else [])
        score = max(name_score(name, k) for k in keys)
        if score > best[0]:
            best = (score, c)
    if best[1] is not None and best[0] >= FUZZY_THRESHOLD:
        return best[1], "extent2008_fuzzy", best[0]
    return None, "", best[0]


def link_acs(bodies: dict[str, Body], extent: list[Extent2008], acs: dict[int, AC], log: list[str]) -> None:
    """Give every body an AC of its district: fuzzy match on the 2008 extent, corporations by ward."""
    merged = {norm_name(n) for names in CORP_MERGED_2008_GPS.values() for n in names}
    units = [
        e
        for e in extent
        if e.type in ("Grama Panchayat", "Municipality")
        and not e.name.lower().startswith("ward no")
        and norm_name(e.name) not in merged
        and norm_name(e.name)
        and not norm_name(e.name).startswith("in ")
        and e.name not in CORP_2008_NAME.values()
    ]
    wardwise = {**CORP_2008_NAME, **WARDWISE_MUNICIPALITIES}
    used: set[int] = set()
    for b in sorted(bodies.values(), key=lambda x: x.code):
        if b.code in wardwise:
            continue
        pool = [e for e in units if e.district == b.district]
        if b.type == "grama_panchayat":
            pool = [e for e in pool if e.type == "Grama Panchayat" and "munc" not in e.name.lower()]
        name = b.name
        if b.code in PREDECESSOR_2008:  # body formed since 2008 out of a body of another name
            name = PREDECESSOR_2008[b.code]
        row, method, score = match_extent(name, pool)
        if b.code in PREDECESSOR_2008 and row is not None:
            method = "extent2008_fuzzy"
            log.append(f"{b.code} {b.name!r}: matched through its 2008 predecessor {name!r}")
        if row is not None:
            used.add(id(row))
            b.ac, b.ac_link = row.ac, method
            b.ac_shares = {row.ac: 1.0}
            if method == "extent2008_fuzzy" and b.code not in PREDECESSOR_2008:
                log.append(f"{b.code} {b.name!r} -> {row.name!r} (AC {row.ac}, {score:.2f})")
    unused = [f"{e.name} (AC {e.ac})" for e in units if id(e) not in used]
    log.append(
        "2008 entries matched by no 2025 body (merged into a municipality since, or parsing debris): "
        + "; ".join(unused)
    )
    for b in sorted(bodies.values(), key=lambda x: x.code):
        if b.ac or b.code in wardwise:
            continue
        pool = [o for o in bodies.values() if o.ac and o.block_code and o.block_code == b.block_code]
        pool = pool or [o for o in bodies.values() if o.ac and o.district == b.district and o.taluk == b.taluk]
        pool = pool or [o for o in bodies.values() if o.ac and o.district == b.district]
        near = min(pool, key=lambda o: (abs(o.serial - b.serial) if o.code[0] == b.code[0] else 999, o.code))
        b.ac, b.ac_link, b.ac_shares = near.ac, "nearest_code", {near.ac: 1.0}
        log.append(f"{b.code} {b.name!r}: no 2008 match, nearest {near.code} {near.name!r} -> AC {near.ac}")
    link_wardwise(bodies, extent, acs, log)


def link_wardwise(bodies: dict[str, Body], extent: list[Extent2008], acs: dict[int, AC], log: list[str]) -> None:
    """ACs of corporations (and municipalities listed ward by ward in 2008).

    The AC set is every AC holding a 2008 ward of the body, plus the ACs of 2008 GPs merged into it
    since. The weight of each AC is the body's estimated part of that AC's electors: the AC's 2026
    electors scaled to the 2025 LSG roll of its district, less the 2025 electors of the other bodies
    linked to that AC (if that leaves nothing anywhere, the 2008 ward share is used). The body's
    wards are then cut, in ward-number order, into contiguous ranges, one per AC taken in AC-number
    order (ACs are numbered north to south), each holding about its weight's share of the electors."""
    lsg_by_d: Counter[str] = Counter()
    ac_by_d: Counter[str] = Counter()
    for b in bodies.values():
        lsg_by_d[b.district] += sum(b.electors())
    for a in acs.values():
        ac_by_d[a.district] += a.total
    wardwise = {**CORP_2008_NAME, **WARDWISE_MUNICIPALITIES}
    linked: Counter[int] = Counter()
    for b in bodies.values():
        if b.ac and b.code not in wardwise:
            linked[b.ac] += sum(b.electors())
    for code, lsgi in wardwise.items():
        b = bodies[code]
        wards08: Counter[int] = Counter(e.ac for e in extent if e.lsgi == lsgi)
        merged = {norm_name(n) for n in CORP_MERGED_2008_GPS.get(code, [])}
        merged_acs = {e.ac for e in extent if e.type == "Grama Panchayat" and norm_name(e.name) in merged}
        ac_set = sorted(set(wards08) | merged_acs)
        ratio_d = lsg_by_d[b.district] / ac_by_d[b.district]
        resid = {k: max(0.0, acs[k].total * ratio_d - linked[k]) for k in ac_set}
        if sum(resid.values()) <= 0:
            resid = {k: float(wards08.get(k, 0)) for k in ac_set}
        ac_set = [k for k in ac_set if resid[k] > 0]
        weights = [resid[k] for k in ac_set]
        runs = cut_contiguous([sum((w.m, w.f, w.o)) for w in b.wards], weights)
        for w, k in zip(b.wards, runs, strict=False):
            w.ac = ac_set[k]
        counts = [runs.count(k) for k in range(len(ac_set))]
        total = sum(weights)
        b.ac_shares = {k: resid[k] / total for k in ac_set}
        b.ac = max(ac_set, key=lambda k: (resid[k], -k))
        b.ac_link = "extent2008_exact"
        log.append(
            f"{code} {b.name}: ACs "
            + ", ".join(
                f"{k} {acs[k].name} ({resid[k] / total:.0%}, {c} wards)" for k, c in zip(ac_set, counts, strict=False)
            )
        )


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------
def census_taluk_codes(a1: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    """{(district_code, current taluk name): Census 2011 sub-district code}."""
    cens_to_d = {str(c): d for d, _, c in DISTRICTS}
    out: dict[tuple[str, str], str] = {}
    names = {d: {t for t, _ in ts} for d, ts in TALUKS.items()}
    for r in a1:
        if r["Category"] != "SUB-DISTRICT" or r["Residence"] != "Total":
            continue
        d = cens_to_d[r["District Code"]]
        key = re.sub(r"[^a-z]", "", r["Name"].lower())
        name = CENSUS_TALUK_ALIASES.get(key) or next(
            (t for t in names[d] if re.sub(r"[^a-z]", "", t.lower()) == key), None
        )
        if name is None or name not in names[d]:
            raise SystemExit(f"Census taluk {r['Name']!r} not matched")
        out[(d, name)] = r["Sub District Code"]
    return out


def taluk_codes() -> dict[tuple[str, str], str]:
    return {(d, t): f"T{d}{i:02d}" for d, ts in TALUKS.items() for i, (t, _) in enumerate(ts, 1)}


def build_outputs(
    bodies: dict[str, Body], acs: dict[int, AC], a1: list[dict[str, str]], out: Path
) -> dict[str, list[list[object]]]:
    out.mkdir(parents=True, exist_ok=True)
    tcode = taluk_codes()
    ccodes = census_taluk_codes(a1)
    cens = {(r["District Code"], r["Residence"]): r for r in a1 if r["Category"] == "DISTRICT"}
    tables: dict[str, list[list[object]]] = {}

    rows: list[list[object]] = []
    for d, name, c in DISTRICTS:
        t, u = cens[(str(c), "Total")], cens[(str(c), "Urban")]
        el = [sum(b.electors()[i] for b in bodies.values() if b.district == d) for i in range(3)]
        rows.append(
            [
                d,
                name,
                t["Name"],
                d,
                c,
                t["Population (Person)"],
                t["Population (Male)"],
                t["Population (Female)"],
                t["Households"],
                f"{int(u['Population (Person)']) / int(t['Population (Person)']):.4f}",
                *el,
            ]
        )
    tables["districts"] = rows
    write_csv(
        out / "districts.csv",
        [
            "district_code",
            "district",
            "district_name_census",
            "lgd_prefix",
            "census2011_code",
            "population_2011",
            "males_2011",
            "females_2011",
            "households_2011",
            "urban_share_2011",
            "electors_2025_m",
            "electors_2025_f",
            "electors_2025_o",
        ],
        rows,
    )

    rows = []
    for d, ts in TALUKS.items():
        for t, _ in ts:
            cc = ccodes.get((d, t), "")
            rows.append(
                [
                    tcode[(d, t)],
                    d,
                    t,
                    cc,
                    "census2011" if cc else "created_after_2011",
                    "public knowledge; not verified against a gazette",
                ]
            )
    tables["taluks"] = rows
    write_csv(
        out / "taluks.csv",
        ["taluk_code", "district_code", "taluk", "census2011_subdistrict_code", "status", "source"],
        rows,
    )

    rows = []
    for b in sorted(bodies.values(), key=lambda x: ({"G": 0, "M": 1, "C": 2}[x.code[0]], x.district, x.code)):
        rows.append(
            [
                b.code,
                b.name,
                b.type,
                b.district,
                tcode[(b.district, b.taluk)],
                b.taluk_link,
                b.block_code,
                b.block,
                b.ac,
                b.ac_link,
                len(b.wards),
                *b.electors(),
            ]
        )
    tables["local_bodies"] = rows
    write_csv(
        out / "local_bodies.csv",
        [
            "local_body_code",
            "local_body",
            "local_body_type",
            "district_code",
            "taluk_code",
            "taluk_link",
            "block_code",
            "block",
            "assembly_constituency",
            "ac_link",
            "ward_count",
            "electors_m",
            "electors_f",
            "electors_o",
        ],
        rows,
    )

    rows = []
    for b in sorted(bodies.values(), key=lambda x: ({"G": 0, "M": 1, "C": 2}[x.code[0]], x.district, x.code)):
        for w in b.wards:
            rows.append([w.code, b.code, w.no, w.name, w.m, w.f, w.o, w.ac or b.ac])
    tables["wards"] = rows
    write_csv(
        out / "wards.csv",
        [
            "ward_code",
            "local_body_code",
            "ward_no",
            "ward_name",
            "electors_m",
            "electors_f",
            "electors_o",
            "assembly_constituency",
        ],
        rows,
    )

    rows = [[a.number, a.name, a.district, a.reservation, a.booths, a.m, a.f, a.tg] for _, a in sorted(acs.items())]
    tables["constituencies"] = rows
    write_csv(
        out / "constituencies.csv",
        [
            "assembly_constituency",
            "ac_name",
            "district_code",
            "reservation",
            "polling_booths",
            "electors_2026_m",
            "electors_2026_f",
            "electors_2026_tg",
        ],
        rows,
    )
    return tables


# --------------------------------------------------------------------------------------------
# Diagnostics and checks
# --------------------------------------------------------------------------------------------
def taluk_electors(bodies: dict[str, Body]) -> dict[tuple[str, str], int]:
    out: Counter[tuple[str, str]] = Counter()
    for b in bodies.values():
        out[(b.district, b.taluk)] += sum(b.electors())
    return dict(out)


def plausibility(bodies: dict[str, Body], a1: list[dict[str, str]]) -> list[list[object]]:
    """Per 2011 taluk, merged with the taluks carved mainly from it: share of the district's 2011
    population against share of the district's 2025 electors under the derived links. A new taluk
    counts with its first parent in ``PARENT_2011``; its other parents are named in brackets."""
    tel = taluk_electors(bodies)
    ccodes = census_taluk_codes(a1)
    pop = {
        r["Sub District Code"]: int(r["Population (Person)"])
        for r in a1
        if r["Category"] == "SUB-DISTRICT" and r["Residence"] == "Total"
    }
    rows: list[list[object]] = []
    for d, name, _ in DISTRICTS:
        d_el = sum(v for (dd, _), v in tel.items() if dd == d)
        old = [t for t, _ in TALUKS[d] if (d, t) in ccodes]
        d_pop = sum(pop[ccodes[(d, t)]] for t in old)
        for t in old:
            kids = [k for k, _ in TALUKS[d] if PARENT_2011.get(k, [""])[0] == t]
            label = t + "".join(
                f" + {k}" + (f" (also from {', '.join(PARENT_2011[k][1:])})" if len(PARENT_2011[k]) > 1 else "")
                for k in kids
            )
            el = tel.get((d, t), 0) + sum(tel.get((d, k), 0) for k in kids)
            rows.append([name, label, round(100 * pop[ccodes[(d, t)]] / d_pop, 1), round(100 * el / d_el, 1)])
    return rows


def ac_balance(tables: dict[str, list[list[object]]], acs: dict[int, AC]) -> list[tuple[float, int, str, int, int]]:
    """Per AC: (2025 LSG electors of the wards linked to it / its 2026 electors) divided by the same
    ratio for its district. Near 1 when the links are right; sorted ascending."""
    el: Counter[int] = Counter()
    for r in tables["wards"]:
        el[int(str(r[7]))] += int(str(r[4])) + int(str(r[5])) + int(str(r[6]))
    d_el: Counter[str] = Counter()
    d_ac: Counter[str] = Counter()
    for k, a in acs.items():
        d_el[a.district] += el[k]
        d_ac[a.district] += a.total
    out = []
    for k, a in acs.items():
        out.append((el[k] / a.total / (d_el[a.district] / d_ac[a.district]), k, a.name, el[k], a.total))
    return sorted(out)


def run_checks(
    bodies: dict[str, Body], tables: dict[str, list[list[object]]], acs: dict[int, AC]
) -> list[tuple[str, bool]]:
    types = Counter(b.type for b in bodies.values())
    tal = {(b.district, b.taluk) for b in bodies.values()}
    all_taluks = {(d, t) for d, ts in TALUKS.items() for t, _ in ts}
    total = sum(sum(b.electors()) for b in bodies.values())
    ward_ac_ok = all(acs[int(str(r[7]))].district == bodies[str(r[1])].district for r in tables["wards"])
    return [
        ("14 districts", len(tables["districts"]) == 14),
        ("78 taluks", len(tables["taluks"]) == 78 and len(all_taluks) == 78),
        (
            "1,034 local bodies (941/87/6)",
            len(bodies) == 1034
            and types["grama_panchayat"] == 941
            and types["municipality"] == 87
            and types["corporation"] == 6,
        ),
        ("20,998 wards", len(tables["wards"]) == 20998),
        ("ward rows per body = Ward Count", all(len(b.wards) == b.ward_count for b in bodies.values())),
        ("every taluk has >= 1 body", tal == all_taluks),
        (
            "each body's taluk lies in its district",
            all(b.taluk in {t for t, _ in TALUKS[b.district]} for b in bodies.values()),
        ),
        (
            "each body's AC lies in its district",
            all(b.ac in acs and acs[b.ac].district == b.district for b in bodies.values()),
        ),
        ("each ward's AC lies in its body's district", ward_ac_ok),
        ("every body has a taluk_link and ac_link", all(b.taluk_link and b.ac_link for b in bodies.values())),
        (f"electors of base wards = {EXPECTED_TOTAL_ELECTORS:,}", total == EXPECTED_TOTAL_ELECTORS),
        ("140 constituencies", len(tables["constituencies"]) == 140),
    ]


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------
def md_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


def write_readme(
    out: Path,
    bodies: dict[str, Body],
    acs: dict[int, AC],
    a1: list[dict[str, str]],
    tables: dict[str, list[list[object]]],
    log: list[str],
) -> None:
    bal = ac_balance(tables, acs)
    nearest = [
        f"{b.name} ({b.code}) -> AC {b.ac} {acs[b.ac].name}"
        for b in sorted(bodies.values(), key=lambda x: x.code)
        if b.ac_link == "nearest_code"
    ]
    tl = Counter(b.taluk_link for b in bodies.values())
    al = Counter(b.ac_link for b in bodies.values())
    tl_type = Counter((b.type, b.taluk_link) for b in bodies.values())
    tel = taluk_electors(bodies)
    tcode = taluk_codes()
    dname = {d: n for d, n, _ in DISTRICTS}
    taluk_rows = [
        [
            dname[d],
            tcode[(d, t)],
            t,
            sum(1 for b in bodies.values() if b.district == d and b.taluk == t),
            f"{tel.get((d, t), 0):,}",
        ]
        for d, ts in TALUKS.items()
        for t, _ in ts
    ]
    corp_rows = []
    for code in list(CORP_2008_NAME) + list(WARDWISE_MUNICIPALITIES):
        b = bodies[code]
        parts = Counter(w.ac for w in b.wards)
        for k in sorted(parts):
            ws = [w.no for w in b.wards if w.ac == k]
            corp_rows.append(
                [f"{code} {b.name}", k, acs[k].name, f"{b.ac_shares[k]:.1%}", f"{min(ws)}-{max(ws)}", len(ws)]
            )
    text = (
        f"""# Geography calibration files (kerala-2026)

Written by `tools/calibration/derive_geography.py` from the public data files in `../shared/data`
(see its `SOURCES.md`). Rerun with `python tools/calibration/derive_geography.py --shared ../shared/data`.
All files are CSV, UTF-8, LF line endings, with a header row.

## Sources and licences

| short name | file in shared/data | upstream repository, path, commit | licence |
|---|---|---|---|
| LSG bodies | `kerala_lsg2025_local_bodies.csv` | `opendatakerala/LSG2025` `public/data/csv/local_bodies.csv`, commit 3a1f746f31b961f2f3c6cc500a28805dd013c820 (snapshot HEAD 9ccc877fea08453c1a1b6af95869b46252102408) | GPL-3.0 (repository licence; data from SEC Kerala and OpenStreetMap) |
| LSG wards | `kerala_lsg2025_wards_electors.csv` | `opendatakerala/LSG2025` `public/data/csv/wards.csv`, commit 84b2b03db1df1d24b2a72be797e099d6496181d8 | GPL-3.0 |
| GP-block map | `kerala_lsg2025_gp_block_mapping.csv` (derived) | from `opendatakerala/LSG2025` `public/data/csv/polling_stations.csv`, commit 84b2b03db1df1d24b2a72be797e099d6496181d8 | GPL-3.0 |
| ACs 2026 | `kerala_assembly_constituencies_2026_electors.csv` (derived) | `opendatakerala/KLA` `src/data/constituencies.json`, commit 3096e3f9fbc20bbca18be68fb625aa6a31f912ac (snapshot HEAD 26228a881d7f950863fa0bfa5f71195494a391b7); constituency fields only | GPL-3.0 (repository; sources named: CEO Kerala, gazettes, Wikidata) |
| AC extent 2008 | `kerala_ac_lsg_extent_delimitation2008.csv` | `opendatakerala/KLA` `data/Assembly_Constituency_Extent.csv`, commit 9fc4e0f7a441990263bd36e4d7d01cc00e562fdd | GPL-3.0 |
| Census A-1 | `census2011_A1_kerala_district_taluk_population.csv` (Kerala rows) | `mihirs16/Census-of-India-2011-Dataset` `censusindia.gov.in/census_population.csv`, commit 1b6d96ba135dcd49f9135cd5e92f9dba0ec568e1 | repository states no licence; Government of India Census 2011 data |

The LSG and KLA data are GPL-3.0: these derived files keep that licence and this attribution
(opendatakerala/LSG2025, opendatakerala/KLA). The Census figures are Government of India Census
2011 tables as republished in the repository above.

## Files

### districts.csv
`district_code,district,district_name_census,lgd_prefix,census2011_code,population_2011,males_2011,females_2011,households_2011,urban_share_2011,electors_2025_m,electors_2025_f,electors_2025_o`

* `district_code`: the two-digit district number used inside LSG codes (G**01**001), 01 Thiruvananthapuram
  (south) to 14 Kasaragod (north). `lgd_prefix` repeats it: it is the prefix of the LSG/SEC codes, not an LGD
  directory code (those are not in the data).
* `census2011_code`: Census 2011 district code 588 (Kasaragod) to 601 (Thiruvananthapuram); the census orders
  districts north to south. Matched by name (spellings normalised, e.g. LSG "KASARGOD").
* Population, males, females, households: Census A-1 "Total" row; `urban_share_2011` = A-1 urban persons / total persons.
* `electors_2025_*`: sum over the district's base wards (GP + municipality + corporation) of the 2025 LSG roll.
  Block and district panchayat wards are left out: they overlay GP wards and repeat their electors.

### taluks.csv
`taluk_code,district_code,taluk,census2011_subdistrict_code,status,source`

* The 78 current taluks. No tidy public list was found in the data: the list is from general knowledge of the
  2013-14 (and 2021, Attappady) taluk creations, so `source` is "public knowledge; not verified against a gazette".
* `taluk_code` = "T" + district code + serial in the order of the list.
* `status` = census2011 (with the Census 2011 sub-district code) for the 63 taluks that exist in A-1 under the
  same or an equivalent name (Quilandy = Koyilandy, Vadakara = Vatakara, Ernad = Eranad, Ottappalam = Ottapalam,
  Mannarkad = Mannarkkad, Talappilly = Thalappilly, Peerumade = Peermade, Kozhenchery = Kozhencherry,
  Sulthanbathery = Sulthan Bathery); created_after_2011 (empty code) for the other 15.

### local_bodies.csv
`local_body_code,local_body,local_body_type,district_code,taluk_code,taluk_link,block_code,block,assembly_constituency,ac_link,ward_count,electors_m,electors_f,electors_o`

* One row per base local body: 941 grama panchayats, 87 municipalities, 6 corporations (block and district
  panchayats left out). Names as in the LSG file (e.g. "Cochin", "Sulthanbethery", "Koilandy").
* `block_code`, `block`: from the GP-block map (empty for municipalities and corporations).
* `ward_count`, `electors_*`: the body's rows in the wards file (ward_count equals the LSG "Ward Count").
* `taluk_code` (derived; no public file links GPs to taluks). `taluk_link` says how:
  * `name`: the body's name, or else its block's name, is the name of a taluk of its district or of its
    headquarters town (e.g. Kalpetta = Vythiri, Kanhangad = Hosdurg, Irinjalakuda = Mukundapuram,
    Wadakkanchery = Thalappilly, Manjeri = Eranad, Perumbavoor = Kunnathunad, Cochin corporation and
    Ernakulam = Kanayannur, Munnar/Adimali = Devikulam, Nedumkandam = Udumbanchola, Champakulam/Veliyanad =
    Kuttanad, Agali/Sholayur/Pudur = Attappady, Pala = Meenachil, Pathanamthitta = Kozhencherry,
    Alappuzha = Ambalappuzha, Harippad = Karthikappally);
  * `curated`: assigned from general knowledge of Kerala geography (script tables `BLOCK_TALUK`, a whole block
    to one taluk, and `BODY_TALUK`, single GPs of blocks that straddle a taluk boundary and municipalities).
    A body-level curation wins over a name match; a block-level curation loses to a match on the body's own name;
  * `nearest_code`: the taluk of the nearest already-linked body in LSG code order in the same block (else
    district). Kept as a fallback; used only where no other rule applies.
  Taluks are whole-body: a body that straddles a taluk boundary gets one taluk. The Cochin corporation is put
  in Kanayannur in full, though its western part (Fort Kochi, Mattancherry, Palluruthy) is in Kochi taluk.
* `assembly_constituency` (2026 AC number, 1-140; the ACs have been those of the 2008 Delimitation Order since
  2011). `ac_link` says how:
  * `extent2008_exact`: the body's name equals, after normalisation (case, punctuation, initials, suffixes such
    as "Grama Panchayat"/"Municipality", the "and " parsing debris), a 2008 extent entry of an AC of the body's
    district (the AC's district from the 2026 file, spellings normalised). GPs are matched against 2008 GPs;
    municipalities against 2008 municipalities and GPs together (many municipalities of 2010-15 were GPs in 2008).
    2008 GPs merged into a corporation since are left out of the pool. Corporations (and Alappuzha municipality,
    whose 2008 extent is given ward by ward) are also `extent2008_exact`: their AC set is read from the 2008 ward
    lists (see wards.csv below);
  * `extent2008_fuzzy`: else the best score >= {FUZZY_THRESHOLD}, where score = 0.3 x difflib ratio of the normalised
    names + 0.7 x difflib ratio of loose transliteration keys (qu/c -> k, zh -> l, final y -> i, h dropped, w -> v,
    ee -> i, oo -> u, double letters single), and 0 when the keys start with different consonants. 2008 names
    carrying two bodies ("Perayam Perinad") are also tried word by word. Three bodies formed after 2008 out of a
    body of another name are matched through that predecessor (table `PREDECESSOR_2008`, general knowledge):
    {
            ", ".join(f"{bodies[c].name} <- {n}" for c, n in PREDECESSOR_2008.items())
        }. Every fuzzy match is listed at the end;
  * `nearest_code`: else the AC of the nearest already-linked body in LSG code order in the same block (else the
    same taluk, else district).
  A corporation spans several ACs: its `assembly_constituency` is the AC of the largest share (table below).

### wards.csv
`ward_code,local_body_code,ward_no,ward_name,electors_m,electors_f,electors_o,assembly_constituency`

* One row per base ward (17,337 GP + 3,240 municipal + 421 corporation = 20,998). `ward_no` = the last three digits
  of the ward code; `ward_name` with any U+FFFD replacement character removed (none occur in base wards).
* `assembly_constituency`: the body's AC, except in corporations and in Alappuzha municipality. There the AC set is
  every AC that holds a 2008 ward of the body, plus the ACs of 2008 GPs merged into it since
  (Thiruvananthapuram: Kazhakoottam, Sreekaryam, Kudappanakunnu, Vattiyoorkavu, Vizhinjam; Kozhikode: Elathur,
  Beypore, Cheruvannur-Nallalam; Kannur: Pallikkunnu, Puzhathi, Chelora, Edakkad, Elayavoor). Each AC is weighted by
  the body's estimated part of that AC's 2026 electors: the AC's 2026 electors, scaled by its district's ratio of
  2025 LSG electors to 2026 AC electors, less the 2025 electors of the other bodies linked to that AC. The wards,
  in ward-number order, are then cut into contiguous ranges, one per AC in AC-number order (ACs are numbered north
  to south), each range holding about its AC's share of the body's electors. **This is an approximation**: the 2025 ward numbering is
  not the 2008 one and the real AC boundary inside a corporation is not a ward-number range.

{md_table(["body", "AC", "AC name", "weight", "2025 wards", "n wards"], corp_rows)}

### constituencies.csv
`assembly_constituency,ac_name,district_code,reservation,polling_booths,electors_2026_m,electors_2026_f,electors_2026_tg`

* From the 2026 AC file as is (reservation GEN/SC/ST; 14 SC, 2 ST). District spellings normalised to codes.
  The 2026 AC roll (27.1 million) is a different roll from the 2025 LSG roll (28.7 million): do not mix them.

## Link-method counts

taluk_link: {", ".join(f"{k} {v}" for k, v in sorted(tl.items()))}
(by type: {", ".join(f"{t}/{k} {v}" for (t, k), v in sorted(tl_type.items()))}).

ac_link: {", ".join(f"{k} {v}" for k, v in sorted(al.items()))}.

AC balance check: for each AC, the 2025 LSG electors of the wards linked to it divided by its 2026 AC
electors, relative to the same ratio for its district, runs from {bal[0][0]:.2f} ({bal[0][2]}) to
{bal[-1][0]:.2f} ({bal[-1][2]}); the AC ends are:

{
            md_table(
                ["AC", "name", "2025 LSG electors linked", "2026 AC electors", "relative ratio"],
                [[k, n, f"{e:,}", f"{t:,}", f"{r:.2f}"] for r, k, n, e, t in bal[:5] + bal[-5:]],
            )
        }

## Taluks: bodies and 2025 electors

{md_table(["district", "taluk_code", "taluk", "bodies", "electors 2025"], taluk_rows)}

Plausibility: share (%) of each 2011 taluk, together with the taluks later carved mainly from it, in its district's
2011 population and in the district's 2025 electors under the derived links (the two need not agree: 14 years of
differential growth and the electors/population ratio vary, but a large gap points to a wrong link).

{
            md_table(
                ["district", "2011 taluk (+ later daughters)", "2011 population %", "2025 electors %"],
                plausibility(bodies, a1),
            )
        }

## Caveats

* The taluk links are derived: only the names are checked against data. Block-to-taluk and the listed GP
  exceptions are from general knowledge and may be wrong at the edges (a GP on a taluk border, a municipality
  that straddles two taluks). The 78-taluk list itself is not checked against a gazette.
* The 2025 LSG ward file has 3,240 municipal wards, against the 3,241 official figure; 421 corporation wards.
* The LSG files spell the district "KASARGOD"; the standard spelling Kasaragod is used here.
* The AC extent is the 2008 one: 990 GPs then, 941 now; GPs merged into municipalities or corporations since
  and 2008 names with parsing debris ("and Pattuvam", "Perayam Perinad") are handled by the rules above.
* All 15 ward names of Pampady block panchayat (B05049) are garbled in the wards file; block wards are not base
  wards, so nothing here is affected.
* Electors are 18+ registered voters of the 2025 LSG roll, not population.
* AC links by `nearest_code` (no 2008 entry; new GPs or names lost in the 2008 file's parsing):
  {"; ".join(nearest)}. The balance check suggests that Muthuvallur (Kondotty block) belongs to AC 33 Kondotty
  rather than AC 42 Vallikkunnu (Kondotty is then 0.91 and Vallikkunnu 1.12 of their district ratio); it is left
  as the rule gives it.
* Ernakulam: the Cochin corporation is in Kanayannur taluk in full, so Kochi taluk is too small (7% of the
  district's electors against 15.5% of its 2011 population) and Kanayannur too large.
* Idukki: Idukki taluk (2013) took villages from both Thodupuzha and Udumbanchola; which GPs came from which is
  not known here, so the 2011 comparison for these two is only meaningful together.

## Fuzzy and fallback AC matches (log)

"""
        + "\n".join(f"* {x}" for x in log)
        + "\n"
    )
    (out / "README.md").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data",
        help="folder with the shared data files (default ../shared/data from the repo root)",
    )
    p.add_argument("--out", type=Path, default=REPO_ROOT / OUT_REL)
    args = p.parse_args(argv)

    bodies = load_bodies(args.shared)
    acs = load_acs(args.shared)
    extent = load_extent(args.shared, acs)
    a1 = load_census_a1(args.shared)
    log: list[str] = []
    link_taluks(bodies)
    link_acs(bodies, extent, acs, log)
    tables = build_outputs(bodies, acs, a1, args.out)
    write_readme(args.out, bodies, acs, a1, tables, log)

    print("taluk_link:", dict(Counter(b.taluk_link for b in bodies.values())))
    print("ac_link:", dict(Counter(b.ac_link for b in bodies.values())))
    for line in log:
        print("  ", line)
    print("\n2011 taluk share check (district, taluk+daughters, pop2011 %, electors2025 %):")
    for r in plausibility(bodies, a1):
        flag = "  <--" if abs(float(r[2]) - float(r[3])) > 5 else ""
        print(f"   {r[0]:<19} {r[1]:<62} {r[2]:>5} {r[3]:>5}{flag}")
    bal = ac_balance(tables, acs)
    print("\nAC balance (2025 electors linked / 2026 AC electors, relative to district), lowest and highest:")
    for r, k, n, _e, _t in bal[:3] + bal[-3:]:
        print(f"   {k:>3} {n:<20} {r:.2f}")
    checks = run_checks(bodies, tables, acs)
    print("\nChecks:")
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

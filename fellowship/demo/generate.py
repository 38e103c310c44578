"""Generate an entirely fictional programme history in the import format (version 2).

Usage::

    python -m fellowship.demo.generate [--out DIR] [--tables cohorts,fellows,workshops] [--seed N]

The whole programme (cohorts, applicants, fellows, projects, mentoring, exit
survey, workshops, portfolio) is simulated from ``random.Random(seed)``; only the
requested tables are written. Every person, trust, host, project title and
reference is invented. The headline figures (fellows per cohort, regions,
professions, gender counts, project domains, the latest exit survey) are fixed
by construction, so they hold for any seed; the seed only varies the detail
(which fellow is in which region, dates, titles, equality fields...).

Standard library only: this module must not import Django.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SEED = 2021
DEFAULT_OUT = Path(__file__).resolve().parent / "history"
DEFAULT_TABLES = (
    "programme",
    "cohorts",
    "fellows",
    "workshops",
    "applicants",
    "projects",
    "mentoring",
    "exit_survey",
    "portfolio",
)
TODAY = dt.date(2026, 11, 25)  # nothing in the history is dated after this

THEMES = (
    "ai_fundamentals",
    "regulation_standards",
    "validation_evaluation",
    "integration_systems",
    "strategy_culture",
)
COMPONENTS = (
    "project_placement",
    "masterclass_workshops",
    "networking",
    "datacamp",
    "kcl_innovation_scholars",
)

COLUMNS = {
    "programme": ["name", "short_name", "organisation", "website"],
    "cohorts": ["number", "start_date", "end_date"],
    "applicants": [
        "ref",
        "cohort",
        "region",
        "profession",
        "specialty",
        "furthest_stage",
        "gender",
        "ethnic_group",
        "disability",
        "age_band",
    ],
    "fellows": [
        "ref",
        "cohort",
        "region",
        "profession",
        "specialty",
        "funder",
        "status",
        "project",
        "name",
    ],
    "projects": [
        "ref",
        "cohort",
        "title",
        "clinical_domain",
        "region",
        "host_organisation",
        "supervisor",
    ],
    "mentoring": ["cohort", "mentor", "mentee"],
    "exit_survey": (
        ["cohort", "recommend", "archetypes", "career_next_12_months"]
        + [f"{kind}:{theme}" for theme in THEMES for kind in ("achieved", "apply")]
        + [f"valuable:{component}" for component in COMPONENTS]
    ),
    "workshops": [
        "cohort",
        "date",
        "title",
        "host_organisation",
        "regional_showcase",
        "duration_minutes",
    ],
    "portfolio": ["fellow", "kind", "title", "date", "url"],
}
ALL_TABLES = tuple(COLUMNS)

# --------------------------------------------------------------------------- #
# Programme shape (mirrors the benefits realisation paper, with invented names)
# --------------------------------------------------------------------------- #

LONDON = "London"
KSS = "Kent Surrey and Sussex"
EOE = "East of England"
TV = "Thames Valley"
WM = "West Midlands"
YH = "Yorkshire and the Humber"
WALES = "Wales"
SCOTLAND = "Scotland"
NW = "North West"
SW = "South West"
NON_ENGLISH = {WALES, SCOTLAND}

COHORT_DATES = {
    1: (dt.date(2023, 9, 1), dt.date(2024, 8, 31)),
    2: (dt.date(2024, 9, 1), dt.date(2025, 8, 31)),
    3: (dt.date(2025, 9, 1), dt.date(2026, 8, 31)),
    4: (dt.date(2026, 9, 1), dt.date(2027, 8, 31)),
}
LATEST_GRADUATED = 3  # cohorts 1..3 graduated, cohort 4 in post

# Funded posts per region (cohort 1: 2 regions, 2: 4, 3: 7, 4: 10).
REGION_QUOTAS = {
    1: {LONDON: 7, KSS: 4},
    2: {LONDON: 7, KSS: 5, EOE: 3, TV: 3},
    3: {LONDON: 8, KSS: 5, EOE: 4, TV: 3, WM: 4, YH: 3, WALES: 2},
    4: {LONDON: 7, KSS: 4, EOE: 3, TV: 3, WM: 4, YH: 3, WALES: 3, SCOTLAND: 3, NW: 2, SW: 2},
}

# One line per fellow: profession | specialty | project clinical domain | tag.
# tag: "bsh" = haematology post funded by the professional society,
#      "withdrawn" = left the programme (no project).
# The domains add up to Radiology 26, Oncology 9, Cardiovascular 6,
# Haematology 5, Pathology 4 and every other domain 3 or fewer (91 projects).
FELLOW_SPECS = {
    1: """
        medicine|Radiology|Radiology|*6
        medicine|Oncology|Oncology|*2
        medicine|Cardiology|Cardiovascular|
        medicine|Pathology|Pathology|
        medicine|Emergency Medicine|Emergency Medicine|
    """,
    2: """
        medicine|Radiology|Radiology|*7
        medicine|Oncology|Oncology|
        medicine|Cardiology|Cardiovascular|*2
        medicine|Pathology|Pathology|
        medicine|Emergency Medicine|Emergency Medicine|
        medicine|Psychiatry|Mental Health|
        medicine|General Practice|Primary Care|
        medicine|Ophthalmology|Ophthalmology|
        medicine|Gastroenterology|Gastroenterology|
        medicine|Intensive Care|Intensive Care|
        medicine|Respiratory Medicine||withdrawn
    """,
    3: """
        medicine|Radiology|Radiology|*6
        medicine|Haematology|Haematology|bsh*2
        medicine|Haematology|Oncology|
        medicine|Oncology|Oncology|*2
        medicine|Cardiology|Cardiovascular|
        medicine|Cardiology|Stroke|
        medicine|Pathology|Pathology|
        medicine|Emergency Medicine|Emergency Medicine|
        medicine|Emergency Medicine|Patient Flow|
        medicine|Psychiatry|Mental Health|
        medicine|General Practice|Primary Care|
        medicine|Ophthalmology|Ophthalmology|
        medicine|Intensive Care|Intensive Care|
        medicine|Respiratory Medicine|Respiratory|
        medicine|Dermatology|Dermatology|
        medicine|Neurology|Neurology|
        medicine|Acute Medicine|Acute Medicine|
        ahp|Diagnostic Radiography|Radiology|
        pharmacy|Clinical Pharmacy|Pharmacy|
        pharmacy||Pharmacy|
        dentistry|Oral Surgery|Dentistry|
        optometry||Optometry|
    """,
    4: """
        medicine|Radiology|Radiology|*5
        medicine|Radiology|Oncology|
        medicine|Radiology|Respiratory|
        medicine|Haematology|Haematology|bsh*3
        medicine|Haematology|Pathology|
        medicine|Oncology|Oncology|
        medicine|Cardiology|Cardiovascular|*2
        medicine|Cardiology|Stroke|
        medicine|Pathology|Oncology|
        medicine|Emergency Medicine|Patient Flow|*2
        medicine|Psychiatry|Mental Health|
        medicine|Psychiatry|Neurology|
        medicine|General Practice|Primary Care|
        medicine|General Practice|Dermatology|
        medicine|Ophthalmology|Ophthalmology|
        medicine|Intensive Care|Intensive Care|
        medicine|Gastroenterology|Gastroenterology|
        medicine|Stroke Medicine|Stroke|
        medicine|Renal Medicine|Renal|
        medicine|Paediatrics|Paediatrics|
        medicine|Anaesthetics|Perioperative Care|
        medicine|Obstetrics and Gynaecology|Maternity|
        ahp|Physiotherapy|Musculoskeletal|
        pharmacy|Clinical Pharmacy|Pharmacy|
        public_health|Health Protection|Public Health|
        healthcare_science|Medical Physics|Radiology|
    """,
}

FUNDER_ENGLAND = "NHS England WTE"
FUNDER_WALES = "Health Education and Improvement Wales"
FUNDER_SCOTLAND = "NHS Education for Scotland"
FUNDER_BSH = "British Society for Haematology"
EMPLOYER = "Northgate University Hospitals NHS Foundation Trust"  # invented NHS employer
EMPLOYER_REGION = WM
CENTRAL_TRUST = "St Aldhelm's NHS Foundation Trust"  # invented central delivery trust

# Invented hosts. A None domain set means a general acute host.
COMMUNITY = {
    "Primary Care",
    "Public Health",
    "Musculoskeletal",
    "Dentistry",
    "Optometry",
    "Pharmacy",
}
HOSTS = {
    LONDON: [
        (CENTRAL_TRUST, None),
        ("Riverside Cross University Hospitals NHS Trust", None),
        ("Fleetbourne Healthcare NHS Trust", None),
        ("Harrowfield and Kestrel Hospitals NHS Trust", None),
        ("Eastwick Royal Hospitals NHS Trust", None),
        ("Bramblewick Mental Health NHS Foundation Trust", {"Mental Health", "Neurology"}),
        ("Thamesreach Diagnostics Network", {"Radiology", "Pathology", "Oncology"}),
    ],
    KSS: [
        ("Weald Valley Hospitals NHS Trust", None),
        ("Downsmere University Hospitals NHS Foundation Trust", None),
        ("Saxonhurst Healthcare NHS Trust", None),
        ("Channelcliff Hospitals NHS Foundation Trust", None),
        ("Greensand Community Health NHS Trust", COMMUNITY),
    ],
    EOE: [
        ("Fenmarsh University Hospitals NHS Foundation Trust", None),
        ("Ouseford Hospitals NHS Trust", None),
        ("Broadland Vale NHS Foundation Trust", None),
        ("Stourmead Community Health NHS Trust", COMMUNITY),
    ],
    TV: [
        ("Isisford University Hospitals NHS Foundation Trust", None),
        ("Chilternmoor Healthcare NHS Trust", None),
        ("Kennetbridge Hospitals NHS Foundation Trust", None),
    ],
    WM: [
        (EMPLOYER, None),
        ("Severnholt Hospitals NHS Trust", None),
        ("Ardenwick Healthcare NHS Trust", None),
    ],
    YH: [
        ("Airedene Teaching Hospitals NHS Trust", None),
        ("Wharfemoor Hospitals NHS Foundation Trust", None),
        ("Calderbeck Health NHS Trust", None),
        ("Holderby Hospitals NHS Foundation Trust", None),
    ],
    WALES: [
        ("Glanrafon University Health Board", None),
        ("Dyffryn Aled University Health Board", None),
    ],
    SCOTLAND: [
        ("NHS Clydemuir", None),
        ("NHS Glenmorven", None),
    ],
    NW: [
        ("Mersevale Teaching Hospitals NHS Trust", None),
        ("Irwellside Hospitals NHS Foundation Trust", None),
    ],
    SW: [
        ("Exmere University Hospitals NHS Foundation Trust", None),
        ("Quantock Vale Healthcare NHS Trust", None),
    ],
}

# Regional showcases: three per cohort, each at a centre of excellence in a different region.
SHOWCASES = {
    1: [
        "Riverside Cross University Hospitals NHS Trust",
        "Downsmere University Hospitals NHS Foundation Trust",
        "Isisford University Hospitals NHS Foundation Trust",
    ],
    2: [
        "Isisford University Hospitals NHS Foundation Trust",
        "Fenmarsh University Hospitals NHS Foundation Trust",
        "Downsmere University Hospitals NHS Foundation Trust",
    ],
    3: [
        "Isisford University Hospitals NHS Foundation Trust",
        EMPLOYER,
        "Airedene Teaching Hospitals NHS Trust",
    ],
    4: [EMPLOYER, "Airedene Teaching Hospitals NHS Trust", "NHS Clydemuir"],
}
SHOWCASE_TOPICS = {
    "Riverside Cross University Hospitals NHS Trust": "AI governance in a teaching trust",
    "Downsmere University Hospitals NHS Foundation Trust": "radiotherapy and cancer pathway AI",
    "Isisford University Hospitals NHS Foundation Trust": "imaging AI in practice",
    "Fenmarsh University Hospitals NHS Foundation Trust": "AI across a rural health system",
    EMPLOYER: "AI in the acute hospital",
    "Airedene Teaching Hospitals NHS Trust": "digital pathology and diagnostics",
    "NHS Clydemuir": "deploying AI at health board scale",
}
# Eleven teaching days; slots 3, 6 and 8 are the regional showcases.
WORKSHOP_PLAN = [
    "AI bootcamp",
    "AI fundamentals: data, models and metrics",
    "Regulation and standards masterclass",
    None,
    "Validation and evaluation",
    "Safety, ethics and bias in clinical AI",
    None,
    "Integration and systems impact",
    None,
    "Strategy and culture",
    "Graduation showcase",
]
# Length of each kind of teaching day in minutes, breaks included (the report's teaching hours).
WORKSHOP_MINUTES = {
    "AI bootcamp": 420,
    "Regulation and standards masterclass": 240,
    "Graduation showcase": 240,
}
WORKSHOP_DAY_MINUTES = 390  # 9:30am to 4pm
SHOWCASE_MINUTES = 300
WORKSHOP_RENAMES = {  # the curriculum is revised each year
    1: {5: "Clinical safety and hazard analysis"},
    2: {5: "Procurement and commercial models"},
}

# Applications per recruitment round and furthest stage reached.
STAGE_COUNTS = {
    2: {"submitted": 40, "longlisted": 28, "shortlisted": 17, "interviewed": 14, "offered": 3},
    3: {"submitted": 73, "longlisted": 50, "shortlisted": 30, "interviewed": 24, "offered": 4},
    4: {"submitted": 114, "longlisted": 80, "shortlisted": 44, "interviewed": 30, "offered": 6},
}
# Gender (male, female, non_binary, blank, prefer_not_to_say) of appointed fellows and other applicants.
GENDER_COUNTS = {
    2: {"fellows": (11, 6, 0, 1, 0), "others": (55, 38, 0, 6, 3)},
    3: {"fellows": (16, 11, 0, 1, 1), "others": (96, 68, 1, 10, 6)},
    4: {"fellows": (19, 11, 0, 3, 1), "others": (143, 103, 0, 17, 11)},
}
ETHNIC_GROUPS = [
    ("White", 46),
    ("Asian or Asian British", 31),
    ("Black, Black British, Caribbean or African", 8),
    ("Mixed or multiple ethnic groups", 5),
    ("Other ethnic group", 4),
    ("Prefer not to say", 2),
    ("", 4),
]
DISABILITY = [("no", 86), ("yes", 6), ("prefer_not_to_say", 4), ("", 4)]
AGE_BANDS = [
    ("25-29", 7),
    ("30-34", 30),
    ("35-39", 29),
    ("40-44", 17),
    ("45-49", 9),
    ("50+", 5),
    ("", 3),
]
APPLICANT_SPECIALTIES = [
    ("Radiology", 24),
    ("Oncology", 8),
    ("Cardiology", 7),
    ("Haematology", 6),
    ("Pathology", 5),
    ("Emergency Medicine", 7),
    ("Psychiatry", 6),
    ("General Practice", 8),
    ("Ophthalmology", 4),
    ("Intensive Care", 4),
    ("Anaesthetics", 4),
    ("Respiratory Medicine", 3),
    ("Gastroenterology", 3),
    ("Neurology", 2),
    ("Dermatology", 2),
    ("Acute Medicine", 3),
    ("Paediatrics", 3),
    ("Stroke Medicine", 1),
    ("Renal Medicine", 1),
    ("General Surgery", 3),
    ("Trauma and Orthopaedics", 2),
    ("Obstetrics and Gynaecology", 2),
    ("", 4),
]
NON_MEDIC_APPLICANTS = [
    ("pharmacy", 26, ["Clinical Pharmacy", "Medicines Optimisation", ""]),
    ("ahp", 22, ["Diagnostic Radiography", "Physiotherapy", "Therapeutic Radiography", ""]),
    ("nursing", 16, ["Critical Care Nursing", "Cancer Nursing", ""]),
    ("healthcare_science", 12, ["Medical Physics", "Clinical Bioinformatics", ""]),
    ("dentistry", 6, ["Oral Surgery", "Restorative Dentistry", ""]),
    ("optometry", 6, [""]),
    ("public_health", 6, ["Health Protection", ""]),
    ("psychological_professions", 4, ["Clinical Psychology", ""]),
    ("midwifery", 2, [""]),
]
NON_MEDIC_APPLICANT_SHARE = {2: 0.0, 3: 0.12, 4: 0.17}  # cohorts 1-2 were open to doctors only

# Invented people. Nobody in the programme has a real person's name.
FIRST_NAMES = [
    "Ada",
    "Bram",
    "Celia",
    "Dorian",
    "Elspeth",
    "Fergus",
    "Greta",
    "Hal",
    "Imogen",
    "Jasper",
    "Keziah",
    "Linus",
    "Maren",
    "Nico",
    "Odile",
    "Percival",
    "Rosalind",
    "Soren",
    "Thea",
    "Ulric",
    "Verity",
    "Wilf",
    "Xanthe",
    "Yara",
    "Zeb",
    "Anouk",
    "Clemency",
    "Desmond",
    "Elowen",
    "Florian",
    "Gideon",
    "Honor",
    "Ivo",
    "Juno",
    "Lettice",
    "Magnus",
    "Nell",
    "Orla",
    "Piers",
    "Quentin",
    "Rhiannon",
    "Silas",
    "Tamsin",
    "Una",
    "Wren",
    "Amara",
    "Tobias",
    "Priya",
    "Kofi",
    "Mei",
    "Idris",
    "Sanna",
    "Farah",
    "Oskar",
    "Leilani",
    "Tariq",
    "Noor",
    "Emrys",
    "Ines",
    "Ravi",
]
SURNAMES = [
    "Quill",
    "Ravensworth",
    "Marchbank",
    "Fenwright",
    "Larkspur",
    "Thistlewood",
    "Ombersley",
    "Pennicott",
    "Vellacott",
    "Corriemoor",
    "Drayfield",
    "Elmhirst",
    "Faircloth",
    "Greatorex",
    "Hollingbourne",
    "Kestrell",
    "Merriweather",
    "Oakenshaw",
    "Pendlebury",
    "Rookwood",
    "Sallowfield",
    "Tregarthen",
    "Underhay",
    "Wainfleet",
    "Yelverton",
    "Zennor",
    "Ashgrove",
    "Brackenbury",
    "Cloudesley",
    "Dunstable",
    "Everleigh",
    "Foxcombe",
    "Gillingwater",
    "Heathcote",
    "Ingleby",
    "Jessamy",
    "Kilbride",
    "Loxley",
    "Mortlake",
    "Nettleship",
    "Orchardson",
    "Penhallow",
    "Quarrington",
    "Redgrave",
    "Starling",
    "Trevithick",
    "Umfreville",
    "Varcoe",
    "Wetherall",
    "Achebe-Lowe",
    "Bhattacharyya-Hale",
    "Okonkwo-Marsh",
    "Vasquez-Tull",
    "Nakamura-Penn",
]

# Project titles: a frame applied to a domain-specific subject.
TITLE_FRAMES = [
    "Real-world evaluation of {}",
    "Post-deployment monitoring of {}",
    "Implementation and workflow integration of {}",
    "Prospective service evaluation of {}",
    "Bias and equity audit of {}",
    "Clinical safety case and hazard log for {}",
    "Health economic evaluation of {}",
    "Silent-mode validation of {}",
]
DOMAIN_SUBJECTS = {
    "Radiology": [
        "AI chest X-ray triage",
        "AI fracture detection in urgent care",
        "AI lung nodule detection on CT",
        "AI second reading in breast screening",
        "AI prostate MRI reporting support",
        "AI intracranial haemorrhage detection on CT head",
        "AI pulmonary embolism detection on CTPA",
        "opportunistic AI vertebral fracture detection",
        "AI worklist prioritisation for outpatient CT",
        "automated bone age assessment",
        "AI-drafted chest radiograph reports",
        "AI knee MRI reporting support",
        "AI body composition analysis on staging CT",
        "AI image quality checks in radiography",
    ],
    "Oncology": [
        "AI auto-contouring for pelvic radiotherapy",
        "AI auto-contouring for head and neck radiotherapy",
        "AI prediction of chemotherapy toxicity",
        "AI lymphoma response assessment on PET-CT",
        "AI cancer staging support on CT",
        "AI triage of suspected cancer referrals",
        "AI whole-slide analysis in breast cancer",
    ],
    "Cardiovascular": [
        "AI echocardiogram measurement",
        "AI ECG screening for left ventricular dysfunction",
        "AI cardiac MRI segmentation",
        "AI risk stratification in heart failure clinics",
        "AI atrial fibrillation detection from wearables",
    ],
    "Haematology": [
        "AI digital blood film review",
        "AI bone marrow aspirate classification",
        "AI prediction of transfusion demand",
        "AI anticoagulation dosing support",
        "AI flow cytometry gating",
    ],
    "Pathology": [
        "AI-assisted prostate biopsy reporting",
        "AI mitotic count support in histopathology",
        "AI frozen section triage",
        "AI cervical cytology screening support",
    ],
    "Emergency Medicine": [
        "AI triage decision support in the emergency department",
        "AI sepsis alerting in the emergency department",
        "AI ambulance handover prediction",
    ],
    "Patient Flow": [
        "AI prediction of inter-hospital patient transfers",
        "AI discharge date prediction",
        "AI bed demand forecasting",
    ],
    "Stroke": [
        "AI large vessel occlusion detection",
        "AI stroke CT perfusion analysis",
        "AI prediction of post-stroke rehabilitation needs",
    ],
    "Mental Health": [
        "a predictive tool for patients at risk of high intensity mental health care",
        "AI relapse prediction in community mental health",
        "AI-assisted crisis line triage",
    ],
    "Primary Care": [
        "AI-assisted referral letter triage",
        "AI risk prediction for frailty in primary care",
        "AI summarisation of GP correspondence",
    ],
    "Ophthalmology": [
        "AI diabetic retinopathy grading",
        "AI OCT triage in macular clinics",
        "AI glaucoma progression detection",
    ],
    "Intensive Care": [
        "AI early warning of deterioration in critical care",
        "AI ventilator weaning prediction",
        "AI acute kidney injury alerting in intensive care",
    ],
    "Gastroenterology": ["AI polyp detection in colonoscopy", "AI capsule endoscopy review"],
    "Respiratory": ["AI spirometry interpretation", "AI lung cancer screening CT reading"],
    "Dermatology": [
        "AI skin lesion triage in teledermatology",
        "AI photo quality checks for skin referrals",
    ],
    "Neurology": ["AI EEG seizure detection", "AI memory clinic triage"],
    "Acute Medicine": ["AI same-day emergency care streaming"],
    "Pharmacy": [
        "AI medicines safety prediction",
        "AI detection of prescribing errors",
        "AI antimicrobial stewardship support",
    ],
    "Dentistry": ["AI caries detection on dental radiographs"],
    "Optometry": ["AI community optometry referral refinement"],
    "Renal": ["AI prediction of acute kidney injury"],
    "Paediatrics": ["AI paediatric early warning scores"],
    "Perioperative Care": ["AI prediction of theatre case duration"],
    "Maternity": ["AI cardiotocography interpretation support"],
    "Musculoskeletal": ["AI physiotherapy self-referral triage"],
    "Public Health": ["AI outbreak signal detection"],
}


# --------------------------------------------------------------------------- #
# Records
# --------------------------------------------------------------------------- #


@dataclass
class Fellow:
    cohort: int
    profession: str
    specialty: str
    domain: str
    tag: str
    region: str = ""
    funder: str = ""
    ref: str = ""
    status: str = ""
    project: Project | None = None
    gender: str = ""


@dataclass
class Project:
    ref: str
    cohort: int
    title: str
    domain: str
    region: str
    host: str
    supervisor: str


@dataclass
class Applicant:
    ref: str
    cohort: int
    region: str
    profession: str
    specialty: str
    stage: str
    gender: str
    ethnic_group: str
    disability: str
    age_band: str


@dataclass
class Programme:
    fellows: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    mentoring: list = field(default_factory=list)
    exit_survey: list = field(default_factory=list)
    workshops: list = field(default_factory=list)
    portfolio: list = field(default_factory=list)


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def _weighted(rng: random.Random, pairs):
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    end = min(end, TODAY)
    if end < start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, 1)


def _parse_specs(text: str):
    for line in text.strip().splitlines():
        profession, specialty, domain, tag = (part.strip() for part in line.split("|"))
        count = 1
        if "*" in tag:
            tag, times = tag.split("*")
            count = int(times)
        for _ in range(count):
            yield profession, specialty, domain, tag


def _funder_for(region: str) -> str:
    if region == WALES:
        return FUNDER_WALES
    if region == SCOTLAND:
        return FUNDER_SCOTLAND
    return FUNDER_ENGLAND


# --------------------------------------------------------------------------- #
# Simulation
# --------------------------------------------------------------------------- #


def _simulate_fellows(rng: random.Random) -> dict[int, list[Fellow]]:
    by_cohort: dict[int, list[Fellow]] = {}
    for cohort, spec_text in FELLOW_SPECS.items():
        fellows = [Fellow(cohort, *spec) for spec in _parse_specs(spec_text)]
        rng.shuffle(fellows)
        slots = [region for region, n in REGION_QUOTAS[cohort].items() for _ in range(n)]
        assert len(slots) == len(fellows), (cohort, len(slots), len(fellows))
        rng.shuffle(slots)
        # Society-funded haematology posts are English; place them first.
        for fellow in sorted(fellows, key=lambda f: f.tag != "bsh"):
            index = next(
                i
                for i, region in enumerate(slots)
                if fellow.tag != "bsh" or region not in NON_ENGLISH
            )
            fellow.region = slots.pop(index)
            fellow.funder = FUNDER_BSH if fellow.tag == "bsh" else _funder_for(fellow.region)
            if fellow.tag == "withdrawn":
                fellow.status = "withdrawn"
            elif cohort <= LATEST_GRADUATED:
                fellow.status = "graduated"
            else:
                fellow.status = "in_post"
        if cohort >= 3:  # one post a year funded by an NHS employer
            candidates = [f for f in fellows if f.region == EMPLOYER_REGION and f.tag == ""]
            rng.choice(candidates).funder = EMPLOYER
        by_cohort[cohort] = fellows
    return by_cohort


def _equality(rng: random.Random, gender: str):
    not_stated = gender in ("", "prefer_not_to_say")
    if not_stated and rng.random() < 0.4:
        return "", "", ""
    return _weighted(rng, ETHNIC_GROUPS), _weighted(rng, DISABILITY), _weighted(rng, AGE_BANDS)


def _gender_pool(counts) -> list[str]:
    male, female, non_binary, blank, pnts = counts
    return (
        ["male"] * male
        + ["female"] * female
        + ["non_binary"] * non_binary
        + [""] * blank
        + ["prefer_not_to_say"] * pnts
    )


def _simulate_applicants(rng: random.Random, by_cohort) -> list[Applicant]:
    applicants: list[Applicant] = []
    for cohort, stages in STAGE_COUNTS.items():
        fellows = by_cohort[cohort]
        fellow_genders = _gender_pool(GENDER_COUNTS[cohort]["fellows"])
        other_genders = _gender_pool(GENDER_COUNTS[cohort]["others"])
        assert len(fellow_genders) == len(fellows)
        assert len(other_genders) == sum(stages.values())
        rng.shuffle(fellow_genders)
        rng.shuffle(other_genders)
        regions = list(REGION_QUOTAS[cohort].items())
        entries: list[tuple[str, object]] = [("fellow", f) for f in fellows]
        entries += [(stage, None) for stage, n in stages.items() for _ in range(n)]
        rng.shuffle(entries)
        for number, (stage, fellow) in enumerate(entries, start=1):
            ref = f"A-{cohort}{number:03d}"
            if fellow is not None:
                fellow.ref = ref
                fellow.gender = fellow_genders.pop()
                region, profession, specialty = fellow.region, fellow.profession, fellow.specialty
                gender, stage = fellow.gender, "appointed"
            else:
                region = _weighted(rng, regions)
                gender = other_genders.pop()
                if rng.random() < NON_MEDIC_APPLICANT_SHARE[cohort]:
                    profession, _, specialties = rng.choices(
                        NON_MEDIC_APPLICANTS, weights=[w for _, w, _ in NON_MEDIC_APPLICANTS]
                    )[0]
                    specialty = rng.choice(specialties)
                else:
                    profession = "medicine"
                    specialty = _weighted(rng, APPLICANT_SPECIALTIES)
            ethnic_group, disability, age_band = _equality(rng, gender)
            applicants.append(
                Applicant(
                    ref,
                    cohort,
                    region,
                    profession,
                    specialty,
                    stage,
                    gender,
                    ethnic_group,
                    disability,
                    age_band,
                )
            )
    # Cohort 1 predates the application portal: its fellows have programme refs.
    for number, fellow in enumerate(
        sorted(by_cohort[1], key=lambda f: (f.region, f.specialty)), start=1
    ):
        fellow.ref = f"F-01{number:02d}"
    return applicants


class _People:
    """Invented supervisor names, unique across the programme."""

    def __init__(self, rng: random.Random):
        firsts, lasts = FIRST_NAMES[:], SURNAMES[:]
        rng.shuffle(firsts)
        rng.shuffle(lasts)
        # Pair the shuffled lists round by round so first names and surnames repeat as little as possible.
        names = [
            f"{firsts[i]} {lasts[(i + shift) % len(lasts)]}"
            for shift in range(len(lasts))
            for i in range(len(firsts))
        ]
        self._names = names[::-1]
        self._rng = rng

    def supervisor(self) -> str:
        name = self._names.pop()
        title = _weighted(
            self._rng, [("Dr", 70), ("Prof", 16), ("Mr", 5), ("Ms", 5), ("Mrs", 2), ("Miss", 2)]
        )
        return f"{title} {name}"


def _simulate_projects(rng: random.Random, by_cohort, people: _People) -> list[Project]:
    used_titles: set[str] = set()
    host_use = {host: 0 for hosts in HOSTS.values() for host, _ in hosts}
    supervisors: dict[str, list[str]] = {}
    subjects = {
        domain: rng.sample(items, len(items)) for domain, items in sorted(DOMAIN_SUBJECTS.items())
    }
    subject_turn = {domain: 0 for domain in subjects}
    projects = []
    for cohort in sorted(by_cohort):
        active = sorted(
            (f for f in by_cohort[cohort] if f.status != "withdrawn"), key=lambda f: f.ref
        )
        for number, fellow in enumerate(active, start=1):
            domain = fellow.domain
            items = subjects[domain]
            while True:
                subject = items[subject_turn[domain] % len(items)]
                subject_turn[domain] += 1
                title = rng.choice(TITLE_FRAMES).format(subject)
                title = title[0].upper() + title[1:]
                if title not in used_titles:
                    used_titles.add(title)
                    break
            if fellow.funder == EMPLOYER:
                host = EMPLOYER
            else:
                fitting = [
                    name
                    for name, domains in HOSTS[fellow.region]
                    if domains is None or domain in domains
                ]
                # Prefer a specialist host that fits, then the least used host.
                host = min(
                    fitting,
                    key=lambda name: (
                        host_use[name],
                        dict(HOSTS[fellow.region])[name] is None,
                        fitting.index(name),
                    ),
                )
            host_use[host] += 1
            pool = supervisors.setdefault(host, [])
            if not pool or (len(pool) < 4 and rng.random() < 0.55):
                pool.append(people.supervisor())
            supervisor = rng.choice(pool)
            project = Project(
                f"P-{cohort:02d}{number:02d}",
                cohort,
                title,
                domain,
                fellow.region,
                host,
                supervisor,
            )
            fellow.project = project
            projects.append(project)
    # The first alumnus supervisor: a cohort-1 graduate supervising a cohort-4 project.
    alumni = sorted((f for f in by_cohort[1] if f.status == "graduated"), key=lambda f: f.ref)
    cohort4 = sorted((p for p in projects if p.cohort == 4), key=lambda p: p.ref)
    pairs = [
        (a, p)
        for a in alumni
        for p in cohort4
        if a.region == p.region and a.project.domain == p.domain
    ]
    pairs = pairs or [(a, p) for a in alumni for p in cohort4 if a.region == p.region]
    alumnus, project = rng.choice(pairs)
    project.supervisor = alumnus.ref
    return projects


def _shares(mentor: Fellow, mentee: Fellow) -> bool:
    return (
        mentor.region == mentee.region
        or (mentor.specialty and mentor.specialty == mentee.specialty)
        or mentor.project.domain.lower() == mentee.project.domain.lower()
    )


def _simulate_mentoring(rng: random.Random, by_cohort) -> list[tuple[int, str, str]]:
    plan = {
        3: (5, 0),
        4: (14, 2),
    }  # cohort: (pairs sharing region/specialty/domain, pairs sharing nothing)
    pairs = []
    for cohort, (matched, unmatched) in plan.items():
        alumni = sorted(
            (f for c in by_cohort if c < cohort for f in by_cohort[c] if f.status == "graduated"),
            key=lambda f: f.ref,
        )
        mentees = sorted(by_cohort[cohort], key=lambda f: f.ref)
        rng.shuffle(mentees)
        used: set[str] = set()
        want = {True: matched, False: unmatched}
        for mentee in mentees:
            if not any(want.values()):
                break
            free = [a for a in alumni if a.ref not in used]
            sharing = [a for a in free if _shares(a, mentee)]
            apart = [a for a in free if not _shares(a, mentee)]
            if want[True] and sharing:
                # Prefer the closest match: same specialty and region over either alone.
                def closeness(a, mentee=mentee):
                    return (
                        (a.specialty == mentee.specialty)
                        + (a.region == mentee.region)
                        + (a.project.domain == mentee.project.domain)
                    )

                best = max(closeness(a) for a in sharing)
                mentor, kind = rng.choice([a for a in sharing if closeness(a) == best]), True
            elif want[False] and apart:
                mentor, kind = rng.choice(apart), False
            else:
                continue
            want[kind] -= 1
            used.add(mentor.ref)
            pairs.append((cohort, mentor.ref, mentee.ref))
        assert not any(want.values()), (cohort, want)
    return pairs


def _picks(rng: random.Random, n: int, counts: dict[str, int], cover: list[str]) -> list[list[str]]:
    """Multiple-pick answers with exact option counts; every respondent picks at least one option.

    Respondents left out by the first ``cover`` option are picked for the second first.
    """
    chosen = {option: set() for option in counts}
    everyone = list(range(n))
    first, second = cover
    chosen[first] = set(rng.sample(everyone, counts[first]))
    missing = [i for i in everyone if i not in chosen[first]]
    rest = [i for i in everyone if i in chosen[first]]
    rng.shuffle(missing)
    rng.shuffle(rest)
    chosen[second] = set((missing + rest)[: counts[second]])
    for option, k in counts.items():
        if option not in cover:
            chosen[option] = set(rng.sample(everyone, k))
    answers = [[option for option in counts if i in chosen[option]] for i in everyone]
    assert all(answers)
    return answers


def _likert(
    rng: random.Random, positive: int, neutral: int, negative: int, blank: int = 0
) -> list[str]:
    strongly = (positive * 2 + 2) // 3
    cells = (
        ["strongly_agree"] * strongly
        + ["agree"] * (positive - strongly)
        + ["neutral"] * neutral
        + ["disagree"] * negative
        + [""] * blank
    )
    rng.shuffle(cells)
    return cells


def _latest_survey(rng: random.Random, cohort: int) -> list[dict[str, str]]:
    """Cohort 3: 21 responses reproducing the paper's percentages exactly (networking 90%, see README)."""
    n = 21
    recommend = ["strongly_recommend"] * 19 + ["recommend", "neutral"]
    rng.shuffle(recommend)
    archetypes = _picks(
        rng,
        n,
        {"shaper": 9, "driver": 17, "creator": 6, "embedder": 18, "user": 4},
        ["driver", "embedder"],
    )
    careers = _picks(
        rng,
        n,
        {
            "continue_fellowship_project": 15,
            "another_clinical_ai_project": 12,
            "msc_phd_in_ai": 2,
            "private_sector": 4,
            "full_time_clinical": 1,
        },
        ["continue_fellowship_project", "another_clinical_ai_project"],
    )
    apply_no = {"ai_fundamentals": 3, "validation_evaluation": 1}
    apply = {}
    for theme in THEMES:
        cells = ["no"] * apply_no.get(theme, 0)
        cells += ["yes"] * (n - len(cells))
        rng.shuffle(cells)
        apply[theme] = cells
    valuable = {
        "project_placement": _likert(rng, 20, 1, 0),
        "masterclass_workshops": _likert(rng, 21, 0, 0),
        "networking": _likert(rng, 18, 2, 0, blank=1),
        "datacamp": _likert(rng, 21, 0, 0),
        "kcl_innovation_scholars": _likert(rng, 11, 7, 3),
    }
    rows = []
    for i in range(n):
        row = {
            "cohort": str(cohort),
            "recommend": recommend[i],
            "archetypes": ";".join(archetypes[i]),
            "career_next_12_months": ";".join(careers[i]),
        }
        for theme in THEMES:
            row[f"achieved:{theme}"] = "yes"
            row[f"apply:{theme}"] = apply[theme][i]
        for component in COMPONENTS:
            row[f"valuable:{component}"] = valuable[component][i]
        rows.append(row)
    return rows


def _earlier_survey(rng: random.Random, cohort: int, n: int) -> list[dict[str, str]]:
    rows = []
    for _ in range(n):
        row = {"cohort": str(cohort)}
        row["recommend"] = _weighted(
            rng, [("strongly_recommend", 70), ("recommend", 24), ("neutral", 6)]
        )
        picks = [
            a
            for a, p in [
                ("shaper", 0.35),
                ("driver", 0.7),
                ("creator", 0.3),
                ("embedder", 0.75),
                ("user", 0.2),
            ]
            if rng.random() < p
        ] or ["embedder"]
        row["archetypes"] = ";".join(picks)
        picks = [
            c
            for c, p in [
                ("continue_fellowship_project", 0.65),
                ("another_clinical_ai_project", 0.5),
                ("msc_phd_in_ai", 0.12),
                ("private_sector", 0.12),
                ("full_time_clinical", 0.08),
                ("other", 0.05),
            ]
            if rng.random() < p
        ] or ["continue_fellowship_project"]
        row["career_next_12_months"] = ";".join(picks)
        for theme in THEMES:
            row[f"achieved:{theme}"] = "yes" if rng.random() < 0.95 else "no"
            row[f"apply:{theme}"] = "yes" if rng.random() < 0.85 else "no"
        for component in COMPONENTS:
            if component == "kcl_innovation_scholars" and cohort == 1:
                row[f"valuable:{component}"] = ""  # not offered to the pilot cohort
                continue
            good = 0.55 if component == "kcl_innovation_scholars" else 0.9
            if rng.random() < 0.04:
                value = ""
            elif rng.random() < good:
                value = "strongly_agree" if rng.random() < 0.6 else "agree"
            else:
                value = _weighted(
                    rng, [("neutral", 70), ("disagree", 25), ("strongly_disagree", 5)]
                )
            row[f"valuable:{component}"] = value
        rows.append(row)
    return rows


def _simulate_workshops(rng: random.Random) -> list[tuple[int, str, str, str, str, int]]:
    rows = []
    for cohort, (start, _) in COHORT_DATES.items():
        showcases = iter(SHOWCASES[cohort])
        for slot, title in enumerate(WORKSHOP_PLAN):
            title = WORKSHOP_RENAMES.get(cohort, {}).get(slot, title)
            month = _add_months(start, slot)
            last_day = 14 if month.month == 12 else 24  # keep clear of the Christmas break
            day = month.replace(day=rng.randint(2 if slot else 8, last_day))
            while day.weekday() not in (1, 2, 3):  # teaching days fall on Tuesday to Thursday
                day += dt.timedelta(days=1)
            if title is None:
                host = next(showcases)
                rows.append(
                    (
                        cohort,
                        day.isoformat(),
                        f"Regional showcase: {SHOWCASE_TOPICS[host]}",
                        host,
                        "yes",
                        SHOWCASE_MINUTES,
                    )
                )
            else:
                minutes = WORKSHOP_MINUTES.get(title, WORKSHOP_DAY_MINUTES)
                rows.append((cohort, day.isoformat(), title, CENTRAL_TRUST, "no", minutes))
    return rows


def _subject_of(project: Project) -> str:
    title = project.title
    for frame in TITLE_FRAMES:
        prefix = frame.split("{}")[0]
        if title.lower().startswith(prefix.lower()):
            return title[len(prefix) :]
    return title


PUBLICATION_FORMS = [
    "{S}: a real-world service evaluation",
    "Lessons from deploying {s} in an NHS trust",
    "Monitoring performance drift of {s}: a retrospective cohort study",
    "Clinician trust in {s}: a mixed-methods study",
    "Equity of {s} across patient subgroups",
]
PRESENTATION_FORMS = [
    "Poster: early results of {s}",
    "Oral presentation: {s} in routine care",
    "Poster: governance lessons from {s}",
    "Talk to the regional clinical AI network on {s}",
]
CERTIFICATES = [
    "DataCamp: Machine learning fundamentals track",
    "DataCamp: Data analyst with Python track",
    "Certificate: Clinical safety officer training (DCB0129/DCB0160)",
    "Certificate: Introduction to medical device regulation for software",
    "Certificate: Fundamentals of healthcare information governance",
]
QUALIFICATIONS = [
    "Postgraduate Certificate in Health Data Science",
    "Postgraduate Certificate in Clinical Informatics",
    "Associate membership of the Faculty of Clinical Informatics",
]
INVITATIONS = [
    "Invited panellist: clinical AI adoption webinar for {d} teams",
    "Invited speaker: regional {d} study day on AI",
    "Invited reviewer for a clinical AI grant panel",
]
GRANTS = [
    "Hospital charity innovation grant for {s}",
    "Regional health innovation small grant for {s}",
]
PRIZES = [
    "Best poster prize, national clinical AI conference",
    "Runner-up, trust innovation awards",
    "Best oral presentation, regional clinical AI symposium",
]
MEDIA = [
    "Profile in a {d} professional magazine: a clinical career in AI",
    "Podcast interview on AI in {d}",
]
POLICY = [
    "Contributed to specialty college guidance on AI in {d}",
    "Member of the trust AI governance working group",
]
TOPOL = "Accepted onto the Topol Digital Fellowship"


def _simulate_portfolio(rng: random.Random, by_cohort) -> list[tuple[int, str, str, str, str, str]]:
    entries = []  # (cohort, fellow, kind, title, date, url)
    alumni = sorted(
        (
            f
            for c in range(1, LATEST_GRADUATED + 1)
            for f in by_cohort[c]
            if f.status == "graduated"
        ),
        key=lambda f: f.ref,
    )
    topol = {f.ref for f in rng.sample(alumni, 5)}
    for cohort in sorted(by_cohort):
        start, end = COHORT_DATES[cohort]
        for fellow in sorted(by_cohort[cohort], key=lambda f: f.ref):
            items: list[tuple[str, str, dt.date, str]] = []
            if fellow.status == "withdrawn":
                items.append(
                    (
                        "certificate",
                        rng.choice(CERTIFICATES),
                        _random_date(rng, start, start + dt.timedelta(days=90)),
                        "",
                    )
                )
            elif fellow.status == "in_post":
                if rng.random() < 0.6:
                    items.append(
                        (
                            "certificate",
                            rng.choice(CERTIFICATES),
                            _random_date(rng, start, TODAY),
                            "",
                        )
                    )
                if rng.random() < 0.12:
                    subject = _subject_of(fellow.project)
                    items.append(
                        (
                            "presentation",
                            rng.choice(PRESENTATION_FORMS).format(s=subject),
                            _random_date(rng, start + dt.timedelta(days=30), TODAY),
                            "",
                        )
                    )
            else:
                subject = _subject_of(fellow.project)
                d = fellow.project.domain.lower()
                later = min(end + dt.timedelta(days=540), TODAY)
                for title in rng.sample(CERTIFICATES, rng.choice([1, 1, 2])):
                    items.append(("certificate", title, _random_date(rng, start, end), ""))
                for form in rng.sample(PRESENTATION_FORMS, rng.choice([0, 1, 1, 2])):
                    items.append(
                        (
                            "presentation",
                            form.format(s=subject),
                            _random_date(rng, start + dt.timedelta(days=120), later),
                            "",
                        )
                    )
                for form in rng.sample(PUBLICATION_FORMS, rng.choice([0, 0, 1, 1, 2])):
                    title = form.format(s=subject, S=subject[0].upper() + subject[1:])
                    items.append(
                        (
                            "publication",
                            title,
                            _random_date(rng, end - dt.timedelta(days=120), later),
                            "DOI",
                        )
                    )
                if rng.random() < 0.3:
                    items.append(
                        (
                            "invitation",
                            rng.choice(INVITATIONS).format(d=d),
                            _random_date(rng, start + dt.timedelta(days=150), later),
                            "",
                        )
                    )
                if rng.random() < 0.12:
                    items.append(
                        (
                            "grant",
                            rng.choice(GRANTS).format(s=subject),
                            _random_date(rng, start + dt.timedelta(days=60), later),
                            "",
                        )
                    )
                if rng.random() < 0.12:
                    items.append(
                        (
                            "prize",
                            rng.choice(PRIZES),
                            _random_date(rng, start + dt.timedelta(days=150), later),
                            "",
                        )
                    )
                if rng.random() < 0.15:
                    items.append(
                        (
                            "qualification",
                            rng.choice(QUALIFICATIONS),
                            _random_date(rng, end - dt.timedelta(days=60), later),
                            "",
                        )
                    )
                if rng.random() < 0.15:
                    slug = fellow.project.ref.lower()
                    items.append(
                        (
                            "code_repository",
                            f"Evaluation code for {subject}",
                            _random_date(rng, start + dt.timedelta(days=120), end),
                            f"https://code.example.org/fcai/{slug}",
                        )
                    )
                if rng.random() < 0.08:
                    items.append(
                        (
                            "media",
                            rng.choice(MEDIA).format(d=d),
                            _random_date(rng, start + dt.timedelta(days=150), later),
                            "",
                        )
                    )
                if rng.random() < 0.08:
                    items.append(
                        (
                            "policy",
                            rng.choice(POLICY).format(d=d),
                            _random_date(rng, end - dt.timedelta(days=90), later),
                            "",
                        )
                    )
                if fellow.ref in topol:
                    items.append(
                        (
                            "onward_programme",
                            TOPOL,
                            _random_date(
                                rng,
                                end - dt.timedelta(days=60),
                                min(end + dt.timedelta(days=400), TODAY),
                            ),
                            "",
                        )
                    )
            seen = set()
            for kind, title, day, url in items:
                if (kind, title) in seen:
                    continue
                seen.add((kind, title))
                entries.append((cohort, fellow.ref, kind, title, day.isoformat(), url))
    entries.sort()
    numbered = []
    doi = 0
    for cohort, ref, kind, title, day, url in entries:
        if url == "DOI":
            doi += 1
            url = f"https://doi.org/10.5555/fcai.{doi}"
        numbered.append((cohort, ref, kind, title, day, url))
    return numbered


# The demo programme: invented, like everything else here.
PROGRAMME = [
    "Demo Fellowship in Clinical AI",
    "DFCAI",
    "Demo NHS Workforce Directorate",
    "https://fellowship.example",
]


def _fellow_names(seed: int, fellows, supervisors: set[str]) -> dict[str, str]:
    """An invented name for every fellow, none shared with a supervisor or another fellow.

    Drawn from a random stream of their own, so adding names changed no other table."""
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible demo data, not security
    taken = {name.split(" ", 1)[1] for name in supervisors if " " in name}
    pool = [
        f"{first} {last}"
        for first in FIRST_NAMES
        for last in SURNAMES
        if f"{first} {last}" not in taken
    ]
    return dict(zip((f.ref for f in fellows), rng.sample(pool, len(fellows)), strict=True))


def simulate(seed: int = DEFAULT_SEED) -> dict[str, list[list[str]]]:
    """Simulate the whole programme and return every table as sorted rows of strings (no header)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    by_cohort = _simulate_fellows(rng)
    applicants = _simulate_applicants(rng, by_cohort)
    people = _People(rng)
    projects = _simulate_projects(rng, by_cohort, people)
    mentoring = _simulate_mentoring(rng, by_cohort)
    survey = (
        _earlier_survey(rng, 1, 9)
        + _earlier_survey(rng, 2, 14)
        + _latest_survey(rng, LATEST_GRADUATED)
    )
    workshops = _simulate_workshops(rng)
    portfolio = _simulate_portfolio(rng, by_cohort)

    fellows = sorted((f for c in by_cohort for f in by_cohort[c]), key=lambda f: (f.cohort, f.ref))
    names = _fellow_names(seed, fellows, {p.supervisor for p in projects})
    tables = {
        "programme": [PROGRAMME],
        "cohorts": [
            [str(n), s.isoformat(), e.isoformat()] for n, (s, e) in sorted(COHORT_DATES.items())
        ],
        "applicants": [
            [
                a.ref,
                str(a.cohort),
                a.region,
                a.profession,
                a.specialty,
                a.stage,
                a.gender,
                a.ethnic_group,
                a.disability,
                a.age_band,
            ]
            for a in sorted(applicants, key=lambda a: (a.cohort, a.ref))
        ],
        "fellows": [
            [
                f.ref,
                str(f.cohort),
                f.region,
                f.profession,
                f.specialty,
                f.funder,
                f.status,
                f.project.ref if f.project else "",
                names[f.ref],
            ]
            for f in fellows
        ],
        "projects": [
            [p.ref, str(p.cohort), p.title, p.domain, p.region, p.host, p.supervisor]
            for p in sorted(projects, key=lambda p: (p.cohort, p.ref))
        ],
        "mentoring": [
            [str(c), mentor, mentee]
            for c, mentor, mentee in sorted(mentoring, key=lambda r: (r[0], r[2], r[1]))
        ],
        "exit_survey": [
            [row[column] for column in COLUMNS["exit_survey"]]
            for row in sorted(
                survey, key=lambda r: (int(r["cohort"]), [r[c] for c in COLUMNS["exit_survey"]])
            )
        ],
        "workshops": [
            [str(c), day, title, host, showcase, str(minutes)]
            for c, day, title, host, showcase, minutes in sorted(workshops)
        ],
        "portfolio": [[ref, kind, title, day, url] for _, ref, kind, title, day, url in portfolio],
    }
    return tables


def write(out: Path, tables=DEFAULT_TABLES, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the requested tables as ``NAME.csv`` into ``out``; return the paths written."""
    unknown = [t for t in tables if t not in COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown table(s): {', '.join(unknown)}; choose from {', '.join(ALL_TABLES)}"
        )
    data = simulate(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = out / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS[table])
            writer.writerows(data[table])
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fellowship.demo.generate",
        description="Write a fictional programme history as import-format CSV files.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--tables",
        default=",".join(DEFAULT_TABLES),
        help="comma-separated tables to write, or 'all' "
        f"(default: {','.join(DEFAULT_TABLES)}; available: {','.join(ALL_TABLES)})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    tables = (
        ALL_TABLES
        if args.tables.strip() == "all"
        else tuple(t.strip().lower() for t in args.tables.split(",") if t.strip())
    )
    try:
        written = write(args.out, tables, args.seed)
    except ValueError as error:
        parser.error(str(error))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

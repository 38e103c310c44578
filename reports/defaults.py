"""The words of the benefits report that do not come from the data: each objective's heading,
stakeholders and benefit realised, as the Benefits Realisation Paper (August 2025) puts them.

Faculty may reword them later; until then the report uses the paper's own wording. Benefits are
keyed by the evidence row they sit beside in the report's table.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TypedDict


class ObjectiveText(TypedDict):
    title: str
    stakeholders: list[str]
    benefits: dict[str, list[str]]  # evidence row -> paragraphs of "benefit realised"


OBJECTIVES: dict[int, ObjectiveText] = {
    1: {
        "title": "To create a specialised training programme for NHS AI readiness and workforce "
        "transformation: the NHS Fellowship in Clinical AI",
        "stakeholders": ["Funders", "Fellows"],
        "benefits": {
            "graduates": [
                "More NHS clinical leaders equipped to adopt and evaluate clinical AI tools, leading "
                "to increased NHS workforce capacity to deliver digital transformation with AI technology."
            ],
            "recommend": [
                "The overwhelming majority of graduates strongly endorse the programme for its "
                "benefits on their career in clinical AI."
            ],
            "archetypes": [
                "The overwhelming majority of graduates plan to pursue career roles that directly "
                "drive NHS AI adoption and evaluation."
            ],
            "careers": [
                "Graduates are retained in NHS roles whilst maintaining a portfolio career in "
                "clinical AI. The overwhelming majority continue to participate in clinical AI "
                "activities in a clinical setting, with some spending time in academia and industry."
            ],
        },
    },
    2: {
        "title": "To create, maintain and deliver a cutting-edge curriculum for high-quality "
        "education and training of healthcare leaders to adopt clinical AI",
        "stakeholders": ["Funders", "Fellows", "Workforce Leads"],
        "benefits": {
            "themes": [
                "Fellows universally achieved learning objectives in curriculum themes through the "
                "programme's multi-modal educational delivery.",
                "On graduation, the overwhelming majority are confident to apply these learnings in practice.",
            ],
            "components": [
                "Individual course components of the multi-modal educational delivery are "
                "independently rated as educationally valuable by fellows, signalling strong "
                "alignment between curriculum delivery and learner needs."
            ],
        },
    },
    3: {
        "title": "To build a portfolio of exemplar clinical AI projects across broad clinical "
        "domains that demonstrate safe, ethical, and clinically informed AI adoption",
        "stakeholders": ["Funders", "Fellows", "Supervisors", "Patients"],
        "benefits": {
            "projects": [
                "AI fellows benefit from the immersive experiential learning in AI adoption that "
                "happens uniquely in a live clinical setting.",
                "Clinical AI project teams benefit from the contribution in-kind of an AI fellow "
                "(0.4FTE) and their knowledge and skills gained on the programme.",
            ],
            "domains": [
                "Broad clinical domains (and AI modalities) are represented in the subject matter of "
                "AI projects, reflecting the strategic aim of embedding AI technology across NHS care pathways."
            ],
        },
    },
    4: {
        "title": "To coordinate the standardised national recruitment for the NHS Fellowship in "
        "Clinical AI",
        "stakeholders": ["Funders", "Fellows", "Supervisors", "Workforce Leads"],
        "benefits": {
            "gender": [
                "A standardised and robust system of recruitment enables the identification of the "
                "most promising applicants for this programme at scale.",
                "Recruitment conforms to good practices on equality and diversity monitoring, and the "
                "faculty commits to ongoing monitoring of selection processes to ensure equity of "
                "opportunity and to understand how structural or procedural factors may contribute "
                "to differential outcomes.",
            ],
            "non_medics": [
                "Numbers of multiprofessional fellows have been modest but are rising.",
                "The faculty's active engagement with national multiprofessional stakeholders has led "
                "to increased participation of multiprofessional clinicians, reflecting the strategic "
                "aim of upskilling the NHS workforce in AI across professional backgrounds.",
            ],
        },
    },
    5: {
        "title": "To foster regional and specialty-specific growth and development in clinical AI "
        "expertise",
        "stakeholders": [
            "Funders",
            "Fellows",
            "Alumni",
            "Supervisors",
            "Academia",
            "Workforce Leads",
        ],
        "benefits": {
            "showcases": [
                "Regional showcase workshops hosted in-person at NHS centres of excellence in "
                "clinical AI are catalysts to connect local networks, reducing the barriers to "
                "collaborative working between e.g. educators, clinical AI supervisors, "
                "multidisciplinary AI teams, and AI academics."
            ],
            "mentoring": [
                "The alumni mentoring scheme facilitates vertical networking between cohorts by "
                "region and clinical specialty."
            ],
            "policy": [
                "Fellows with knowledge, skills, and networks from the programme act as catalysts "
                "for specialty-specific communities of expertise, and are positioned to shape "
                "specialty-specific initiatives and policies that align with national AI "
                "transformation priorities."
            ],
            "media": [
                "Fellows act as high-visibility brand ambassadors for the emerging career "
                "sub-specialism of clinical AI to their own profession, and inspire colleagues to "
                "follow their trailblazing lead."
            ],
        },
    },
    6: {
        "title": "To foster cross-institutional cooperation and networks of expertise in clinical "
        "AI involving NHS, academia, industry, regulators, and other bodies",
        "stakeholders": ["Funders", "Fellows", "Academia", "Industry", "Regulators"],
        "benefits": {
            "publications": [
                "Fellows collaborate with their immediate AI project teams and broader academic "
                "networks to publish their findings."
            ],
            "showcases": [
                "Regional showcase workshops foster collaboration by signposting emerging best "
                "practice in NHS centres of excellence in clinical AI to a highly engaged and "
                "well-connected audience from elsewhere in the NHS."
            ],
            "industry": [
                "Fellows learn from and network with key figures in the clinical AI industry."
            ],
            "regulators": [
                "Fellows learn from and network with key figures in AI regulation and other "
                "public sector bodies."
            ],
        },
    },
    7: {
        "title": "To establish a sustainable, scalable delivery model for the NHS Fellowship in "
        "Clinical AI with funders and delivery partners",
        "stakeholders": ["Funders", "Workforce Leads"],
        "benefits": {
            "growth": [
                "The programme has steadily grown in the number of fellows and the regions it "
                "serves. This was enabled by the scalable nature of curriculum delivery and a track "
                "record of success.",
                "Growth of the programme reflects the ambition that AI transformation should be "
                "embedded as a national NHS capability rather than siloed regional initiative.",
            ],
        },
    },
    8: {
        "title": "To support the onward career trajectory of the clinical AI community of practice",
        "stakeholders": ["Funders", "Fellows", "Alumni"],
        "benefits": {
            "supervisors": [
                "Alumni participate in a mutually beneficial and eventually self-sustaining "
                "ecosystem of supervision when they re-engage with the fellowship as AI supervisors."
            ],
            "onward": [
                "Fellows are actively supported to take their learnings from this programme and "
                "apply them to further career development opportunities to maximise "
                "cross-pollination with other NHS initiatives."
            ],
        },
    },
}

# The objectives the report shows, in order.
REPORTED = tuple(OBJECTIVES)

# What each evidence row of an objective shows, in the report's order: the names faculty see when
# they reword the benefit realised, one block of text per row.
ROWS: dict[int, dict[str, str]] = {
    1: {
        "graduates": "Graduates and fellows in post",
        "recommend": "Would recommend the fellowship",
        "archetypes": "Archetype roles graduates will pursue",
        "careers": "Onward careers in the next 12 months",
    },
    2: {
        "themes": "Curriculum themes achieved and applied",
        "components": "Course components rated valuable",
    },
    3: {"projects": "Matched projects and host trusts", "domains": "Top clinical domains"},
    4: {"gender": "Gender of applicants and fellows", "non_medics": "Non-medic fellows"},
    5: {
        "showcases": "Regional showcase workshops",
        "mentoring": "Alumni mentoring pairs",
        "policy": "Policy and guidelines work",
        "media": "Media pieces",
    },
    6: {
        "publications": "Publications with academic co-authors",
        "showcases": "Regional showcase workshops",
        "industry": "Industry speakers",
        "regulators": "Regulatory and public sector speakers",
    },
    7: {"growth": "Fellows and regions per cohort"},
    8: {"supervisors": "Alumni who became supervisors", "onward": "Onward programmes"},
}


# The problems the paper's solution answers, each with the objective that answers it (the
# solution's "problem → objective" table).
PROBLEMS: dict[int, str] = {
    1: "Lack of specialised training programme for NHS clinical leaders to adopt clinical AI technology",
    2: "Lack of standardised curriculum for upskilling NHS workforce in clinical AI adoption",
    3: "Risk of unsafe, ineffective, inequitable, or non-existent adoption of clinical AI without "
    "suitable clinical oversight",
    4: "Piecemeal regional opportunities for training in clinical AI skills, resulting in inequity "
    "of access and \u2018postcode lottery\u2019 for learners",
    5: "Piecemeal regional and specialty-specific approaches to integration of clinical AI "
    "projects, training, education, and networks of expertise",
    6: "Lack of cross-institutional networks for cooperation and knowledge-sharing in clinical AI",
    7: "Lack of a sustainable, scalable model of NHS clinical AI training",
    8: "Limited choices of onward career pathways in clinical AI and digital medicine for "
    "healthcare leaders",
}

# The report's narrative sections faculty may reword per report, in the report's order: key ->
# heading. Their default texts are built from the report's figures (`reports.wording`).
SECTIONS: dict[str, str] = {
    "summary": "Executive summary",
    "problem": "The problem",
    "solution": "The solution",
    "methodology": "Methodology",
    "lessons": "Lessons learned",
    "next_steps": "Next steps",
}

PROBLEM_TEXT = (
    "Despite growing interest in and need for AI, frontline clinicians often lack the time, "
    "training pathways, and institutional support to engage meaningfully with AI deployment and "
    "evaluation. This has contributed to a disconnect between innovation and implementation at "
    "the point of care.\n\n"
    "The Topol Review (2019) first identified the urgent need for upskilling the NHS workforce to "
    "safely adopt digital technologies. This call has since been reinforced by the NHS Long Term "
    "Workforce Plan (2023) and by Fit for the Future: 10 Year Health Plan for England, "
    "highlighting the importance of embedding digital and AI capabilities across the healthcare "
    "system.\n\n"
    "Other programmes often focus on broader digital leadership or research, but lack the "
    "hands-on experience needed for clinicians to confidently deploy and evaluate AI tools in "
    "live clinical settings."
)

SOLUTION_TEXT = (
    "{name} prepares clinicians to safely and effectively deploy and evaluate AI tools in live "
    "clinical settings, while they continue their clinical role.\n\n"
    "It is delivered through a multi-modal educational model combining in-person workshops, "
    "virtual learning, peer collaboration and immersive clinical AI project work under expert "
    "supervision. Each problem identified at the design stage became one of the programme's "
    "objectives, against which its benefits are measured:"
)

METHODOLOGY_TEXT = (
    "Impact is measured at the individual, organisational and system levels from the "
    "programme's own records: recruitment data, fellows' AI portfolios, the fellowship's AI "
    "projects, workshop records and surveys, and exit and alumni surveys. Every figure in this "
    "report is computed from the records listed below; the appendix says how."
)

LESSONS_TEXT = (
    "- Experiential learning, embedded in service contexts, is essential for capability-building "
    "in clinical AI.\n"
    "- AI capability is not a solo endeavour: multidisciplinary teamwork is essential for success "
    "and sustainability.\n"
    "- A centrally coordinated model ensures both quality assurance and equitable access across "
    "diverse NHS settings.\n"
    "- Workforce transformation in AI requires sustained investment, institutional commitment, and "
    "clear career progression routes."
)

NEXT_STEPS_TEXT = (
    "- Embed the fellowship within NHS workforce frameworks.\n"
    "- Widen the eligible workforce, including more multiprofessional clinicians.\n"
    "- Deepen partnerships with funders, academia, industry and regulators to keep the programme "
    "relevant and its impact sustained."
)


# Claims --------------------------------------------------------------------------------------
#
# A "benefit realised" sentence of the paper that states something the figures must bear out.
# Each names the sentence (objective, evidence row, paragraph), the condition in words, the test
# over the report's key figures (`reports.wording.key_figures`), the figure to show beside it, and
# a data-true sentence to offer instead. Conditions are pure: figures in, True or False out.

Figures = dict


def _pct(pair) -> int | None:
    from fellowship.figures import percent

    return None if not pair else percent(pair[0], pair[1])


def _pct_text(pair) -> str:
    value = _pct(pair)
    return "no answers" if value is None else f"{value}% ({pair[0]}/{pair[1]})"


def _lowest(shares) -> list | None:
    """The [label, count, answered] with the lowest percentage, or None if nobody answered."""
    answered = [s for s in shares or [] if s[2] > 0]
    return min(answered, key=lambda s: (_pct(s[1:]), s[0])) if answered else None


def _all_at_least(shares, limit: int) -> bool:
    low = _lowest(shares)
    return low is not None and _pct(low[1:]) >= limit


def _lowest_text(shares, what: str) -> str:
    low = _lowest(shares)
    return (
        f"no answers on {what}" if low is None else f"lowest {what}: {low[0]}, {_pct_text(low[1:])}"
    )


def _range_text(shares) -> str:
    values = sorted(_pct(s[1:]) for s in shares or [] if s[2] > 0)
    if not values:
        return "no"
    return f"{values[0]}%" if values[0] == values[-1] else f"between {values[0]}% and {values[-1]}%"


def _steady_growth(growth) -> bool:
    if len(growth or []) < 2:
        return False
    fellows = [g[1] for g in growth]
    regions = [g[2] for g in growth]
    never_fell = all(b >= a for a, b in pairwise(fellows)) and all(
        b >= a for a, b in pairwise(regions)
    )
    return never_fell and (fellows[-1] > fellows[0] or regions[-1] > regions[0])


def _growth_text(growth) -> str:
    return (
        "; ".join(f"cohort {c}: {f} fellows in {r} regions" for c, f, r in growth or [])
        or "no cohorts"
    )


class Claim:
    """One checked sentence: `key` is "o{objective}.{row}.{paragraph index}"."""

    def __init__(self, objective, row, index, condition, test, figure, data_true):
        self.objective, self.row, self.index = objective, row, index
        self.key = f"o{objective}.{row}.{index}"
        self.condition = condition
        self.test, self.figure, self.data_true = test, figure, data_true

    @property
    def sentence(self) -> str:
        return OBJECTIVES[self.objective]["benefits"][self.row][self.index]


CLAIMS: tuple[Claim, ...] = (
    Claim(
        1,
        "graduates",
        0,
        "at least one graduate",
        lambda f: f["graduates"] >= 1,
        lambda f: f"{f['graduates']} graduates",
        lambda f: (
            "No fellow covered by this report has graduated yet; the programme's first "
            "graduates will add to NHS workforce capacity to adopt and evaluate clinical AI."
        ),
    ),
    Claim(
        1,
        "recommend",
        0,
        "\u201coverwhelming majority strongly endorse\u201d only when at least 80% strongly recommend",
        lambda f: (_pct(f["recommend_strongly"]) or 0) >= 80,
        lambda f: f"strongly recommend: {_pct_text(f['recommend_strongly'])}",
        lambda f: (
            f"{_pct_text(f['recommend_strongly']).split(' ')[0]} of graduates who answered "
            "strongly recommend the programme for its benefits on their career in clinical AI."
            if f["recommend_strongly"] and f["recommend_strongly"][1]
            else "No graduate of these cohorts has answered the exit survey's recommendation question yet."
        ),
    ),
    Claim(
        2,
        "themes",
        0,
        "\u201cuniversally achieved\u201d only when 100% achieved every theme",
        lambda f: _all_at_least(f["themes_achieved"], 100),
        lambda f: _lowest_text(f["themes_achieved"], "theme achieved"),
        lambda f: (
            f"{_range_text(f['themes_achieved'])} of fellows who answered achieved the "
            "learning objectives of each curriculum theme through the programme's multi-modal "
            "educational delivery."
        ),
    ),
    Claim(
        2,
        "themes",
        1,
        "\u201coverwhelming majority confident\u201d only when at least 80% are confident in every theme",
        lambda f: _all_at_least(f["themes_apply"], 80),
        lambda f: _lowest_text(f["themes_apply"], "theme confident to apply"),
        lambda f: (
            f"On graduation, {_range_text(f['themes_apply'])} of those who answered are "
            "confident to apply each theme's learning in practice."
        ),
    ),
    Claim(
        2,
        "components",
        0,
        "\u201cindependently rated as educationally valuable\u201d only when most fellows rated "
        "every component valuable (over 50%)",
        lambda f: _all_at_least(f["components"], 51),
        lambda f: _lowest_text(f["components"], "component rated valuable"),
        lambda f: (
            f"Fellows rated the course components of the multi-modal educational delivery "
            f"as educationally valuable: {_range_text(f['components'])} of those who answered, by "
            "component."
        ),
    ),
    Claim(
        3,
        "domains",
        0,
        "\u201cbroad clinical domains\u201d only with projects in at least 3 clinical domains",
        lambda f: f["domains"] >= 3,
        lambda f: f"{f['domains']} clinical domains",
        lambda f: (
            f"The AI projects matched so far cover {f['domains']} clinical "
            f"domain{'' if f['domains'] == 1 else 's'}; the programme aims to embed AI technology "
            "across more NHS care pathways."
        ),
    ),
    Claim(
        4,
        "non_medics",
        0,
        "multiprofessional fellows only with at least one non-medic fellow",
        lambda f: f["non_medic_fellows"] >= 1,
        lambda f: f"{f['non_medic_fellows']} non-medic fellows",
        lambda f: "No multiprofessional (non-medic) fellow has joined the programme yet.",
    ),
    Claim(
        5,
        "showcases",
        0,
        "regional showcase workshops only with at least one held",
        lambda f: f["regional_showcases"] >= 1,
        lambda f: f"{f['regional_showcases']} regional showcase workshops",
        lambda f: "No regional showcase workshop has been held for these cohorts yet.",
    ),
    Claim(
        5,
        "mentoring",
        0,
        "the alumni mentoring scheme only with at least one mentoring pair",
        lambda f: f["mentor_pairs"] >= 1,
        lambda f: f"{f['mentor_pairs']} mentoring pairs",
        lambda f: "No alumni mentoring pair has been published for the latest cohort yet.",
    ),
    Claim(
        6,
        "publications",
        0,
        "\u201ccollaborate to publish\u201d only with at least one co-authored publication",
        lambda f: f["publications_with_academics"] >= 1,
        lambda f: (
            f"{f['publications_with_academics']} of {f['publications']} publications "
            "have academic co-authors"
        ),
        lambda f: (
            f"Fellows have recorded {f['publications']} "
            f"publication{'' if f['publications'] == 1 else 's'}; none yet with academic co-authors."
        ),
    ),
    Claim(
        6,
        "showcases",
        0,
        "regional showcase workshops only with at least one held",
        lambda f: f["regional_showcases"] >= 1,
        lambda f: f"{f['regional_showcases']} regional showcase workshops",
        lambda f: "No regional showcase workshop has been held for these cohorts yet.",
    ),
    Claim(
        6,
        "industry",
        0,
        "learning from industry figures only with at least one industry speaker",
        lambda f: f["industry_speakers"] >= 1,
        lambda f: f"{f['industry_speakers']} industry speakers",
        lambda f: "No industry speakers are recorded at the workshops of these cohorts.",
    ),
    Claim(
        6,
        "regulators",
        0,
        "learning from regulation figures only with at least one regulator or public sector speaker",
        lambda f: f["regulator_speakers"] >= 1,
        lambda f: f"{f['regulator_speakers']} regulator and public sector speakers",
        lambda f: (
            "No regulator or public sector speakers are recorded at the workshops of these cohorts."
        ),
    ),
    Claim(
        7,
        "growth",
        0,
        "\u201csteadily grown\u201d only when fellows and regions never fell from cohort to cohort, and grew",
        lambda f: _steady_growth(f["growth"]),
        lambda f: _growth_text(f["growth"]),
        lambda f: f"Fellows and regions per cohort: {_growth_text(f['growth'])}.",
    ),
    Claim(
        8,
        "supervisors",
        0,
        "alumni re-engaging as supervisors only with at least one alumnus supervisor",
        lambda f: f["alumni_supervisors"] >= 1,
        lambda f: f"{f['alumni_supervisors']} alumni supervisors",
        lambda f: "No alumnus has yet returned to supervise a fellowship project.",
    ),
    Claim(
        8,
        "onward",
        0,
        "onward career development only with at least one fellow on an onward programme",
        lambda f: f["onward_fellows"] >= 1,
        lambda f: f"{f['onward_fellows']} fellows on onward programmes",
        lambda f: "No fellow has yet recorded a place on an onward programme.",
    ),
)

"""The words of the benefits report that do not come from the data: each objective's heading,
stakeholders and benefit realised, as the Benefits Realisation Paper (August 2025) puts them.

Faculty may reword them later; until then the report uses the paper's own wording. Benefits are
keyed by the evidence row they sit beside in the report's table.
"""

from __future__ import annotations

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
    5: {"showcases": "Regional showcase workshops", "mentoring": "Alumni mentoring pairs"},
    6: {
        "publications": "Publications with academic co-authors",
        "showcases": "Regional showcase workshops",
        "industry": "Industry speakers",
        "regulators": "Regulatory and public sector speakers",
    },
    7: {"growth": "Fellows and regions per cohort"},
    8: {"supervisors": "Alumni who became supervisors", "onward": "Onward programmes"},
}

"""Who mentors whom, and how well a pair fits: the records the mentor assignment works on and a
pair's quality, with the words that explain it to faculty and to the pair.

Pure: the standard library only. A pair's quality is

    region_weight·[same region] + specialty_weight·[same specialty] + domain_weight·[domain offered]

where strings are compared case-insensitively after trimming whitespace, and a missing or blank
value never matches anything. The assignment itself is `fellowship.mentor_matching`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .ids import SortableId

MentorId = SortableId
MenteeId = SortableId

ATTRIBUTES: tuple[str, ...] = ("region", "specialty", "domain")
_LABELS = {"region": "region", "specialty": "clinical specialty", "domain": "domain"}
MAX_CAPACITY = 3


@dataclass(frozen=True)
class Mentor:
    """An alumnus offering to mentor up to ``capacity`` (1 to 3) fellows."""

    id: MentorId
    capacity: int
    region: str | None = None
    specialty: str | None = None
    domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mentee:
    """A fellow asking for a mentor, with how much region, specialty and domain matter (≥ 0)."""

    id: MenteeId
    region: str | None = None
    specialty: str | None = None
    domain: str | None = None
    region_weight: int = 1
    specialty_weight: int = 1
    domain_weight: int = 1


@dataclass
class Assignment:
    """The result: ``pairs[mentee_id]`` is their mentor's id, or None if none could be given.

    ``pairs`` is in mentee id order and includes the fixed pairs; ``unmatched`` lists the
    mentees left without a mentor, in id order.
    """

    pairs: dict[MenteeId, MentorId | None]
    total_quality: int
    matched: int
    unmatched: list[MenteeId] = field(default_factory=list)

    def mentees_of(self, mentor_id: MentorId) -> list[MenteeId]:
        """The mentees given to one mentor, in id order."""
        return sorted(f for f, m in self.pairs.items() if m == mentor_id)


# --- pair quality and explanations -------------------------------------------------------


def norm(value: str | None) -> str | None:
    """Trimmed, case-folded value, or None when missing or blank (which never matches)."""
    if value is None:
        return None
    value = value.strip().casefold()
    return value or None


def norm_domains(domains: Iterable[str]) -> frozenset[str]:
    normed = (norm(d) for d in domains)
    return frozenset(d for d in normed if d is not None)


def shared(mentor: Mentor, mentee: Mentee) -> tuple[str, ...]:
    """Which of ("region", "specialty", "domain") the pair shares, in that order."""
    found: list[str] = []
    region = norm(mentee.region)
    if region is not None and region == norm(mentor.region):
        found.append("region")
    specialty = norm(mentee.specialty)
    if specialty is not None and specialty == norm(mentor.specialty):
        found.append("specialty")
    domain = norm(mentee.domain)
    if domain is not None and domain in norm_domains(mentor.domains):
        found.append("domain")
    return tuple(found)


def quality(mentor: Mentor, mentee: Mentee) -> int:
    """The mentee's weights summed over the attributes the pair shares."""
    weights = {
        "region": mentee.region_weight,
        "specialty": mentee.specialty_weight,
        "domain": mentee.domain_weight,
    }
    return sum(weights[name] for name in shared(mentor, mentee))


def explain(mentor: Mentor, mentee: Mentee) -> str:
    """A plain English reason for a pair, as shown to faculty.

    >>> explain(Mentor("a", 1, region="London", specialty="Radiology"),
    ...         Mentee("f", region="london ", specialty="RADIOLOGY"))
    'Same region (london) and clinical specialty (RADIOLOGY)'
    """
    names = shared(mentor, mentee)
    if not names:
        return "No shared region, specialty or domain: matched so that every fellow has a mentor"
    values = {
        "region": mentee.region,
        "specialty": mentee.specialty,
        "domain": mentee.domain,
    }
    parts = [f"{_LABELS[name]} ({(values[name] or '').strip()})" for name in names]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Same {listed}"


@dataclass(frozen=True)
class FitLine:
    """One attribute of a pair in the fit: whether the pair shares it and the points it adds.

    ``points`` is the mentee's weight for the attribute when the pair shares it, else 0, so a
    fit's lines always add up to ``quality``.
    """

    attribute: str  # "region", "specialty" or "domain"
    weight: int
    shared: bool
    text: str

    @property
    def points(self) -> int:
        return self.weight if self.shared else 0


@dataclass(frozen=True)
class Fit:
    """A pair's quality explained: ``score`` of ``out_of`` (the mentee's weights added up), and why."""

    lines: tuple[FitLine, ...]

    @property
    def score(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def out_of(self) -> int:
        return sum(line.weight for line in self.lines)

    @property
    def found(self) -> tuple[FitLine, ...]:
        """Shared attributes the fellow gave weight to: each earns its points."""
        return tuple(line for line in self.lines if line.points)

    @property
    def missing(self) -> tuple[FitLine, ...]:
        """Attributes the fellow gave weight to that the pair does not share."""
        return tuple(line for line in self.lines if line.weight and not line.shared)

    @property
    def unweighted(self) -> tuple[FitLine, ...]:
        """Attributes the pair shares that the fellow said do not matter: no points."""
        return tuple(line for line in self.lines if line.shared and not line.weight)

    def __str__(self) -> str:
        text = f"Fit {self.score} of {self.out_of}"
        if self.found:
            text += ": " + ", ".join(f"{line.text} (+{line.points})" for line in self.found)
        if self.missing:
            text += ". Not found: " + "; ".join(line.text for line in self.missing)
        return text


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def fit(mentor: Mentor, mentee: Mentee) -> Fit:
    """What each point of the pair's quality was for, and what the fellow asked for but did not get.

    The same comparison as ``quality`` (``shared``), so ``fit(m, f).score == quality(m, f)``.

    >>> str(fit(Mentor("a", 1, region="London", specialty="Radiology", domains=frozenset({"Imaging"})),
    ...         Mentee("f", region="London", specialty="Oncology", domain="imaging",
    ...                region_weight=3, specialty_weight=1, domain_weight=1)))
    "Fit 4 of 5: same region (London) (+3), mentor offered the project's domain (imaging) (+1). Not found: specialty: the fellow's is Oncology, the mentor's Radiology"
    """
    names = shared(mentor, mentee)
    region, specialty, domain = (
        _clean(mentee.region),
        _clean(mentee.specialty),
        _clean(mentee.domain),
    )
    m_region, m_specialty = _clean(mentor.region), _clean(mentor.specialty)
    offered = sorted({_clean(d) for d in mentor.domains if _clean(d)}, key=str.casefold)

    if "region" in names:
        region_text = f"same region ({region})"
    elif not region:
        region_text = "region: the fellow's region is not recorded"
    elif not m_region:
        region_text = "region: the mentor gave no region"
    else:
        region_text = f"region: the fellow is in {region}, the mentor in {m_region}"

    if "specialty" in names:
        specialty_text = f"same specialty ({specialty})"
    elif not specialty:
        specialty_text = "specialty: the fellow's specialty is not recorded"
    elif not m_specialty:
        specialty_text = "specialty: the mentor gave no specialty"
    else:
        specialty_text = f"specialty: the fellow's is {specialty}, the mentor's {m_specialty}"

    if "domain" in names:
        domain_text = f"mentor offered the project's domain ({domain})"
    elif not domain:
        domain_text = "project domain: the fellow named none"
    elif not offered:
        domain_text = "project domain: the mentor offered none"
    else:
        domain_text = f"project domain: the mentor offers {', '.join(offered)}, not {domain}"

    return Fit(
        lines=(
            FitLine("region", mentee.region_weight, "region" in names, region_text),
            FitLine("specialty", mentee.specialty_weight, "specialty" in names, specialty_text),
            FitLine("domain", mentee.domain_weight, "domain" in names, domain_text),
        )
    )

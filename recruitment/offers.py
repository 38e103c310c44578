"""Offers: ranking appointable candidates per post, making offers, the candidate's reply,
lapsed offers, and the outcome for those not offered a post.

The ranking and the cascade are recruitment.ranking's pure functions; this module feeds them from
the database and changes state. Each operation validates, changes state in a transaction, records
the application's stage change through services._change_stage, and queues its e-mails with
fellowship.notifications.notify (sent after the commit). An accepted offer is handed to the
programme core through fellowship.services.appoint_fellow: recruitment never writes fellowship tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fellowship.enums import Role
from fellowship.models import FundedPost, User
from fellowship.notifications import notify
from fellowship.services import appoint_fellow

from . import ranking
from .enums import SCORE_MAX, OfferState, Stage
from .models import Application, ConsensusScore, Criterion, Offer, RecruitmentRound
from .services import _change_stage

DECLINED_REASON = "declined the offer"
LAPSED_REASON = "did not reply to the offer by the deadline"
# Stages in which a candidate still shows in a post's ranking (with or without an offer for it).
RANKED_STAGES = (Stage.INTERVIEWED, Stage.OFFERED, Stage.APPOINTED)


def suits_post(application: Application, post: FundedPost) -> bool:
    """A candidate may be offered a post in their own region; a themed post only in its specialty."""
    if application.region_id != post.region_id:
        return False
    theme = post.specialty_theme.strip().casefold()
    return not theme or application.specialty.strip().casefold() == theme


@dataclass
class Row:
    """One ranked candidate for a post, as the faculty page shows it."""

    rank: int
    application: Application
    total: int
    first_score: int | None
    tied: bool = False
    offer: Offer | None = None


@dataclass
class PostRanking:
    post: FundedPost
    rows: list[Row] = field(default_factory=list)
    next_ids: list[int] = field(default_factory=list)
    free: int = 0
    cascading: bool = False  # an offer for this post was declined or lapsed

    @property
    def next_rows(self) -> list[Row]:
        by_id = {row.application.pk: row for row in self.rows}
        return [by_id[pk] for pk in self.next_ids]


def _criteria(rnd: RecruitmentRound) -> list[Criterion]:
    return list(rnd.criteria.order_by("position", "pk"))


def rank_round(rnd: RecruitmentRound) -> list[PostRanking]:
    """Every post of the round's cohort with its ranked appointable candidates and who is next.

    Appointable: consensus scores agreed for every criterion, totalling at least the round's
    appointable score (any total when blank). Ties are broken by the first criterion's consensus
    score, then by the earlier submission; candidates equal on all three share a rank.
    A fixed number of queries, whatever the number of posts and candidates.
    """
    criteria = _criteria(rnd)
    first = criteria[0].pk if criteria else None
    posts = list(
        FundedPost.objects.filter(cohort_id=rnd.cohort_id)
        .select_related("region", "funder", "cohort")
        .order_by("region__name", "funder__name", "specialty_theme")
    )
    offers = list(
        Offer.objects.filter(post__in=posts, application__round=rnd).select_related("application")
    )
    offered_ids = {o.application_id for o in offers}
    applications = {
        a.pk: a
        for a in Application.objects.filter(round=rnd)
        .filter(Q(stage__in=RANKED_STAGES) | Q(pk__in=offered_ids))
        .select_related("applicant", "region")
    }
    scores: dict[int, dict[int, int]] = {}
    for app_id, criterion_id, score in ConsensusScore.objects.filter(
        application__in=applications.keys()
    ).values_list("application_id", "criterion_id", "score"):
        scores.setdefault(app_id, {})[criterion_id] = score
    wanted = {c.pk for c in criteria}
    appointable: dict[int, tuple[int, int | None]] = {}
    for pk, by_criterion in scores.items():
        if not wanted or not wanted <= by_criterion.keys():
            continue
        total = sum(by_criterion[c] for c in wanted)
        if rnd.appointable_score is None or total >= rnd.appointable_score:
            appointable[pk] = (total, by_criterion.get(first))

    result = []
    for post in posts:
        post_offers = {o.application_id: o for o in offers if o.post_id == post.pk}
        candidates = [
            ranking.Candidate(
                id=pk,
                score=total,
                tie_breaks=(first_score, ranking.LowerFirst(applications[pk].submitted_at)),
            )
            for pk, (total, first_score) in appointable.items()
            if pk in post_offers
            or (applications[pk].stage in RANKED_STAGES and suits_post(applications[pk], post))
        ]
        ranked = ranking.rank(candidates)
        states = {pk: o.state for pk, o in post_offers.items()}
        # Candidates busy elsewhere (an offer for another post) are skipped by the cascade.
        for r in ranked:
            if r.id not in states and applications[r.id].stage != Stage.INTERVIEWED:
                states[r.id] = ranking.WITHDRAWN
        counts: dict[int, int] = {}
        for r in ranked:
            counts[r.rank] = counts.get(r.rank, 0) + 1
        rows = [
            Row(
                rank=r.rank,
                application=applications[r.id],
                total=appointable[r.id][0],
                first_score=appointable[r.id][1],
                tied=counts[r.rank] > 1,
                offer=post_offers.get(r.id),
            )
            for r in ranked
        ]
        result.append(
            PostRanking(
                post=post,
                rows=rows,
                next_ids=list(ranking.next_offers(ranked, states, post.places)),
                free=ranking.free_places(
                    {pk: o.state for pk, o in post_offers.items()}, post.places
                ),
                cascading=any(
                    o.state in (OfferState.DECLINED, OfferState.LAPSED)
                    for o in post_offers.values()
                ),
            )
        )
    return result


def faculty_emails() -> list[str]:
    return list(
        User.objects.filter(role_grants__role=Role.FACULTY, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )


def make_offer(
    application: Application, post: FundedPost, *, by: User, now: datetime | None = None
) -> Offer:
    """Offer the post to the candidate the cascade proposes for it (faculty confirm by calling this).

    Raises ValidationError unless the candidate is one of those next in line for a free place.
    The post's row is locked, so two faculty clicking at once make one offer.
    Side effects: creates a pending Offer (rank, respond_by = now + the round's offer_response_days,
    made_by); stage → offered with a StageChange; e-mails `offer_made` to the candidate.
    """
    now = now or timezone.now()
    rnd = application.round
    with transaction.atomic():
        FundedPost.objects.select_for_update().get(pk=post.pk)
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if post.cohort_id != rnd.cohort_id:
            raise ValidationError("This post is not in the round's cohort")
        standing = next((p for p in rank_round(rnd) if p.post.pk == post.pk), None)
        if standing is None or locked.pk not in standing.next_ids:
            raise ValidationError(
                "This candidate is not next in line for this post. Reload the page to see who is."
            )
        row = next(r for r in standing.rows if r.application.pk == locked.pk)
        offer = Offer.objects.create(
            application=locked,
            post=post,
            rank=row.rank,
            made_by=by,
            made_at=now,
            respond_by=now + timedelta(days=rnd.offer_response_days),
        )
        _change_stage(locked, Stage.OFFERED, by=by, reason=f"offered {post}", at=now)
        locked.save()
        if locked.applicant:
            notify(
                "offer_made",
                to=locked.applicant.email,
                context={"offer": offer, "application": locked, "post": post},
            )
    application.refresh_from_db()
    return offer


def _locked_pending(offer: Offer, *, by: User, now: datetime) -> Offer:
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related(
            "application__round",
            "application__applicant",
            "post__cohort",
            "post__region",
            "post__funder",
        )
        .get(pk=offer.pk)
    )
    if locked.application.applicant_id != by.pk:
        raise ValidationError("Only the candidate can reply to this offer")
    if locked.state != OfferState.PENDING:
        raise ValidationError(f"This offer is no longer open: {locked.get_state_display().lower()}")
    if now >= locked.respond_by:
        raise ValidationError("The deadline to reply to this offer has passed")
    return locked


def accept_offer(offer: Offer, *, by: User, now: datetime | None = None) -> Offer:
    """The candidate accepts before the deadline and becomes a fellow of the post's cohort.

    Side effects: offer → accepted (responded_at); stage → appointed with a StageChange; calls
    fellowship.services.appoint_fellow (creates the Fellow with region, profession, specialty and
    funder, grants the fellow role, e-mails `fellow_appointed`); e-mails `offer_accepted` to faculty.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_pending(offer, by=by, now=now)
        application, post = locked.application, locked.post
        locked.state = OfferState.ACCEPTED
        locked.responded_at = now
        locked.save(update_fields=["state", "responded_at"])
        _change_stage(application, Stage.APPOINTED, by=by, reason=f"accepted {post}", at=now)
        application.save()
        appoint_fellow(
            application.applicant,
            cohort=post.cohort,
            ref=application.ref,
            region=post.region,
            profession=application.profession,
            specialty=application.specialty,
            funder=post.funder,
            post_theme=post.specialty_theme,
            full_name=application.applicant.full_name,
            by=by,
        )
        notify(
            "offer_accepted",
            to=faculty_emails(),
            context={"offer": locked, "application": application, "post": post},
        )
    return locked


def decline_offer(
    offer: Offer, *, by: User, reason: str = "", now: datetime | None = None
) -> Offer:
    """The candidate declines before the deadline; the place is free for the next candidate.

    Side effects: offer → declined (responded_at); the application → withdrawn with reason
    "declined the offer" (and the candidate's own words) in its StageChange; e-mails
    `offer_decline_confirmed` to the candidate and `offer_declined` to faculty, who confirm the next offer.
    """
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        locked = _locked_pending(offer, by=by, now=now)
        application = locked.application
        locked.state = OfferState.DECLINED
        locked.responded_at = now
        locked.save(update_fields=["state", "responded_at"])
        _change_stage(
            application,
            Stage.WITHDRAWN,
            by=by,
            reason=DECLINED_REASON + (f": {reason}" if reason else ""),
            at=now,
        )
        application.save()
        context = {
            "offer": locked,
            "application": application,
            "post": locked.post,
            "reason": reason,
        }
        notify("offer_decline_confirmed", to=application.applicant.email, context=context)
        notify("offer_declined", to=faculty_emails(), context=context)
    return locked


def lapse_expired_offers(*, now: datetime | None = None) -> int:
    """Mark pending offers past their deadline as lapsed. Idempotent; returns how many lapsed.

    Side effects per offer: offer → lapsed; the application → withdrawn ("did not reply to the
    offer by the deadline") with a StageChange; e-mails `offer_lapsed` to faculty, who confirm
    the next offer.
    """
    now = now or timezone.now()
    lapsed = 0
    for pk in Offer.objects.filter(state=OfferState.PENDING, respond_by__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(of=("self",))
                .select_related("application", "post__region", "post__funder")
                .filter(pk=pk, state=OfferState.PENDING)
                .first()
            )
            if offer is None:  # answered or lapsed by another worker meanwhile
                continue
            offer.state = OfferState.LAPSED
            offer.save(update_fields=["state"])
            application = offer.application
            if application.stage == Stage.OFFERED:
                _change_stage(application, Stage.WITHDRAWN, by=None, reason=LAPSED_REASON, at=now)
                application.save()
            notify(
                "offer_lapsed",
                to=faculty_emails(),
                context={"offer": offer, "application": application, "post": offer.post},
            )
            lapsed += 1
    return lapsed


def feedback(application: Application) -> list[tuple[Criterion, int | None, str]]:
    """The panel's consensus score and note per criterion, for the candidate's feedback."""
    agreed = {c.criterion_id: c for c in application.consensus_scores.all()}
    return [
        (
            criterion,
            agreed[criterion.pk].score if criterion.pk in agreed else None,
            agreed[criterion.pk].note if criterion.pk in agreed else "",
        )
        for criterion in _criteria(application.round)
    ]


def send_outcomes(rnd: RecruitmentRound, *, by: User) -> int:
    """Faculty close the round's offers: interviewed candidates without an offer are unsuccessful.

    Returns how many. Side effects per candidate: stage → unsuccessful with a StageChange;
    e-mails `unsuccessful_feedback` with the panel's consensus scores per criterion.
    """
    count = 0
    with transaction.atomic():
        candidates = (
            Application.objects.select_for_update(of=("self",))
            .filter(round=rnd, stage=Stage.INTERVIEWED)
            .exclude(offers__state__in=[OfferState.PENDING, OfferState.ACCEPTED])
            .select_related("applicant", "round")
        )
        for application in candidates:
            _change_stage(application, Stage.UNSUCCESSFUL, by=by, reason="not offered a post")
            application.save()
            if application.applicant:
                notify(
                    "unsuccessful_feedback",
                    to=application.applicant.email,
                    context={
                        "application": application,
                        "feedback": feedback(application),
                        "scale_max": SCORE_MAX,
                    },
                )
            count += 1
    return count

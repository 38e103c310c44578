"""The report's figures as the Benefits Realisation Paper has them, each against small data whose
answer is worked out by hand here: people counted once, onward programmes merged and applications
kept apart from acceptances, co-authored publications, speakers, teaching days, funders and their
memoranda, policy and media work, the cross-cohort trends (and their suppression), the
methodology's data sources, and the same numbers in the XLSX as in the printed tables."""

from __future__ import annotations

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from fellowship.enums import FellowStatus, FunderKind, SpeakerSector
from fellowship.models import Speaker
from fellowship.services import import_history
from portfolio.enums import EntryKind
from reports.charts import trend_charts
from reports.evidence import compute_evidence, onward_programme
from reports.render import render_html
from reports.xlsx import render_xlsx
from tests.factories import (
    CohortFactory,
    FellowFactory,
    FundedPostFactory,
    FunderFactory,
    PortfolioEntryFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.factories.projects import ApprovedProjectFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def text_of(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def sheet_rows(evidence, name: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(render_xlsx(evidence)))
    return list(book[name].iter_rows(values_only=True))


def table(rows: list[tuple], name: str) -> dict[str, tuple]:
    """A sheet's rows of one table, by item: (count, of, printed)."""
    return {r[1]: (r[2], r[3], r[5]) for r in rows if r and r[0] == name}


def cohorts(*numbers: int):
    return {n: CohortFactory(number=n) for n in numbers}


# 1. People, each counted once --------------------------------------------------------------------


def test_an_alumnus_supervising_in_two_cohorts_counts_once():
    c = cohorts(1, 2, 3)
    ada, bea = UserFactory(), UserFactory()
    FellowFactory(cohort=c[1], user=ada, status=FellowStatus.GRADUATED)
    # Bea graduated too; the history names her supervision by her fellow reference.
    bea_place = FellowFactory(cohort=c[1], user=bea, status=FellowStatus.GRADUATED, ref="F-BEA")
    # A third alumna known only by her record (no account).
    FellowFactory(cohort=c[1], user=None, status=FellowStatus.GRADUATED, ref="F-CAT")
    ApprovedProjectFactory(cohort=c[2], supervisor=ada)
    ApprovedProjectFactory(cohort=c[3], supervisor=ada)
    ApprovedProjectFactory(cohort=c[3], supervisor=ada)
    # Bea by account in cohort 2 and by her record's name in cohort 3: still one person.
    ApprovedProjectFactory(cohort=c[2], supervisor=bea)
    ApprovedProjectFactory(cohort=c[3], supervisor=None, supervisor_name=bea_place.ref)
    ApprovedProjectFactory(cohort=c[2], supervisor=None, supervisor_name="F-CAT")
    ApprovedProjectFactory(cohort=c[3], supervisor=None, supervisor_name="F-CAT")
    # Not alumni: a supervisor who was never a fellow, and a fellow still in post.
    ApprovedProjectFactory(cohort=c[3])
    ApprovedProjectFactory(
        cohort=c[3], supervisor=FellowFactory(cohort=c[2], user=UserFactory()).user
    )

    o8 = compute_evidence(3).objective8

    assert o8.alumni_supervisors == 3  # Ada, Bea and Cat: 7 projects in two cohorts
    assert o8.alumni_supervised_projects == 7
    assert o8.alumni_supervised_by_cohort == ((2, 3), (3, 4))
    assert "3 alumni have become AI project supervisors" in text_of(
        render_html(compute_evidence(3))
    )


def test_a_person_with_places_in_two_cohorts_is_one_graduate():
    c = cohorts(1, 2, 3)
    dan = UserFactory()
    FellowFactory(cohort=c[1], user=dan, status=FellowStatus.GRADUATED)
    FellowFactory(cohort=c[2], user=dan, status=FellowStatus.GRADUATED)  # came back
    FellowFactory(cohort=c[2], user=None, status=FellowStatus.GRADUATED)
    FellowFactory(cohort=c[3])

    o1 = compute_evidence(3).objective1

    assert o1.graduates == 2
    assert o1.in_post == 1


# 2. Onward programmes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "key", "name", "applied"),
    [
        ("Topol Digital Fellowship", "topol digital fellowship", "Topol Digital Fellowship", False),
        ("topol digital fellowship", "topol digital fellowship", "topol digital fellowship", False),
        ("Topol Digital Fellowship (applied)", "topol digital fellowship", "Topol Digital Fellowship", True),
        ("Accepted onto the Topol Digital Fellowship", "topol digital fellowship", "Topol Digital Fellowship", False),
        ("Application to the Topol  Digital Fellowship", "topol digital fellowship", "Topol Digital Fellowship", True),
        ("Topol Digital Fellowship - accepted 2025", "topol digital fellowship", "Topol Digital Fellowship", False),
        ("Applied Health Research Programme", "applied health research programme", "Applied Health Research Programme", False),
    ],
)  # fmt: skip
def test_onward_programme_titles_are_merged_and_applications_told_apart(title, key, name, applied):
    assert onward_programme(title) == (key, name, applied)


def test_onward_programmes_count_acceptances_and_applications_apart():
    c = cohorts(1, 2)
    ann, ben, cal, dee, eve = (FellowFactory(cohort=c[n]) for n in (1, 1, 2, 2, 2))
    onward = EntryKind.ONWARD_PROGRAMME
    # Ann applied, then was accepted: one acceptance, no application.
    PortfolioEntryFactory(fellow=ann, kind=onward, title="Topol Digital Fellowship (applied)")
    PortfolioEntryFactory(
        fellow=ann, kind=onward, title="Accepted onto the Topol Digital Fellowship"
    )
    PortfolioEntryFactory(fellow=ben, kind=onward, title="topol digital fellowship")
    PortfolioEntryFactory(
        fellow=cal, kind=onward, title="Application to the Topol Digital Fellowship"
    )
    PortfolioEntryFactory(fellow=dee, kind=onward, title="NIHR Academy (applied)")
    PortfolioEntryFactory(fellow=eve, kind=onward, title="Applied Health Research Programme")

    o8 = compute_evidence(2).objective8

    by_title = {p.title: (p.accepted, p.applied) for p in o8.onward_by_title}
    assert by_title == {
        "Topol Digital Fellowship": (2, 1),  # Ann and Ben; Cal applied
        "Applied Health Research Programme": (1, 0),
        "NIHR Academy": (0, 1),
    }
    assert o8.onward_by_title[0].title == "Topol Digital Fellowship"
    assert (o8.fellows_accepted, o8.fellows_applied) == (3, 2)
    assert o8.fellows_on_onward_programmes == 5 and o8.onward_programmes == 6
    words = text_of(render_html(compute_evidence(2)))
    assert "3 fellows were accepted onto onward programmes, and 2 more have applied" in words
    assert "Topol Digital Fellowship 2 1" in words

    rows = sheet_rows(compute_evidence(2), "Objective 8")
    assert table(rows, "Onward programmes: accepted")["Topol Digital Fellowship"][0] == 2
    assert table(rows, "Onward programmes: applied")["Topol Digital Fellowship"][0] == 1
    assert table(rows, "Onward programmes")["Fellows accepted"][0] == 3
    assert table(rows, "Onward programmes")["Fellows applied, not accepted"][0] == 2


# 3. Publications with academic co-authors ---------------------------------------------------------


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_publications_with_academic_co_authors_come_from_the_portfolio_and_the_history():
    c = cohorts(1, 2, 3)
    one = FellowFactory(cohort=c[1], ref="F-0001")
    PortfolioEntryFactory(fellow=one, academic_coauthors=True)
    PortfolioEntryFactory(fellow=one, academic_coauthors=False)
    PortfolioEntryFactory(fellow=FellowFactory(cohort=c[3]), academic_coauthors=True)  # too late
    FellowFactory(cohort=c[2], ref="F-0002")
    files = [
        (
            "portfolio.csv",
            _csv(
                ["fellow", "kind", "title", "academic_coauthor"],
                [
                    ["F-0002", "publication", "Sepsis alerts in practice", "yes"],
                    ["F-0002", "publication", "A solo editorial", "no"],
                    ["F-0002", "publication", "An undated letter", ""],
                ],
            ),
        )
    ]
    import_history(files, by=None, source="co-authors (tests)")

    o6 = compute_evidence(2).objective6

    assert (o6.publications_with_academics, o6.publications) == (2, 5)
    rows = sheet_rows(compute_evidence(2), "Objective 6")
    assert table(rows, "Publications")["With academic co-authors"][:2] == (2, 5)


# 4. Speakers -------------------------------------------------------------------------------------


def test_speakers_are_listed_by_organisation_and_role_in_two_groups():
    c = cohorts(1, 2)
    day, other_day = WorkshopFactory(cohort=c[2]), WorkshopFactory(cohort=c[2])

    def speaker(workshop, name, affiliation, role, sector):
        Speaker.objects.create(
            workshop=workshop, name=name, affiliation=affiliation, role_title=role, sector=sector
        )

    speaker(day, "A. One", "Hardian Health", "CEO", SpeakerSector.INDUSTRY)
    speaker(other_day, "A. One", "hardian  health", "ceo", SpeakerSector.INDUSTRY)  # same, twice
    speaker(day, "B. Two", "Skin Analytics", "", SpeakerSector.INDUSTRY)
    speaker(day, "C. Three", "MHRA", "AI Airlock team", SpeakerSector.REGULATOR)
    speaker(day, "D. Four", "DHSC", "Deputy Director", SpeakerSector.GOVERNMENT)
    speaker(day, "E. Five", "", "", SpeakerSector.REGULATOR)  # nothing to list
    speaker(day, "F. Six", "Guy's and St Thomas'", "Radiologist", SpeakerSector.NHS)
    speaker(WorkshopFactory(cohort=c[1]), "G. Seven", "Old Co", "CTO", SpeakerSector.INDUSTRY)

    o6 = compute_evidence(2).objective6

    assert o6.industry_speakers == ("Hardian Health: CEO", "Skin Analytics")
    assert o6.regulator_speakers == ("DHSC: Deputy Director", "MHRA: AI Airlock team")
    words = text_of(render_html(compute_evidence(2)))
    assert "A. One" not in words and "Old Co" not in words
    rows = sheet_rows(compute_evidence(2), "Objective 6")
    assert [r[1] for r in rows if r[0].startswith("Regulatory")] == [
        "DHSC: Deputy Director",
        "MHRA: AI Airlock team",
    ]


# 5. Teaching days --------------------------------------------------------------------------------


def test_a_teaching_day_counts_once_however_many_workshops_it_held():
    c = cohorts(1, 2)
    monday, friday = datetime.date(2025, 3, 3), datetime.date(2025, 3, 7)
    for title in ("Bootcamp: morning", "Bootcamp: afternoon", "Bootcamp: evening talk"):
        WorkshopFactory(cohort=c[2], date=monday, title=title)
    WorkshopFactory(cohort=c[2], date=friday, title="Showcase", regional_showcase=True)
    WorkshopFactory(cohort=c[2], date=friday, title="Showcase: posters", regional_showcase=True)
    WorkshopFactory(cohort=c[1], date=datetime.date(2024, 3, 1), title="Year one")

    o5 = compute_evidence(2).objective5

    assert [(t.cohort, t.workshops, t.days, t.showcase_days) for t in o5.teaching] == [
        (1, 1, 1, 0),
        (2, 5, 2, 1),
    ]
    assert o5.teaching_this_year.hours is None  # workshops record no duration
    words = text_of(render_html(compute_evidence(2)))
    assert "Cohort 2's fellowship year has 2 days of formal educational delivery" in words
    assert "(5 workshops), 1 of them designated as regional showcase" in words
    rows = sheet_rows(compute_evidence(2), "Objective 5")
    assert table(rows, "Teaching days")["Cohort 2"][0] == 2
    assert table(rows, "Showcase days")["Cohort 2"][0] == 1
    assert table(rows, "Workshops")["Cohort 2"][0] == 5


# 6. Funders and their memoranda ------------------------------------------------------------------


def test_funders_of_the_cohorts_with_and_without_a_memorandum():
    c = cohorts(1, 2, 3)
    wales = FunderFactory(
        name="Health Education and Improvement Wales",
        mou="mou/heiw.pdf",
        mou_signed_on=datetime.date(2024, 5, 1),
    )
    society = FunderFactory(
        name="British Society for Haematology", kind=FunderKind.PROFESSIONAL_SOCIETY
    )
    scotland = FunderFactory(name="NHS Education for Scotland", mou="mou/nes.pdf")
    later = FunderFactory(name="A funder of cohort 3 only", mou="mou/later.pdf")
    FellowFactory(cohort=c[1], funder=wales)
    FellowFactory(cohort=c[2], funder=wales)  # one funder, however many fellows
    FundedPostFactory(cohort=c[2], funder=society)
    FellowFactory(cohort=c[2], funder=scotland)
    FellowFactory(cohort=c[3], funder=later)

    o7 = compute_evidence(2).objective7

    assert [(f.name, f.has_mou, f.mou_text) for f in o7.funders] == [
        ("British Society for Haematology", False, "No"),
        ("Health Education and Improvement Wales", True, "Yes, signed 1 May 2024"),
        ("NHS Education for Scotland", True, "Yes"),
    ]
    assert o7.funders_with_mou == 2
    words = text_of(render_html(compute_evidence(2)))
    assert "2 of the 3 funders of cohorts 1 to 2 have one on file" in words
    assert "A funder of cohort 3 only" not in words
    rows = sheet_rows(compute_evidence(2), "Objective 7")
    mou = table(rows, "Funders with a memorandum of understanding")
    assert mou["Funders of cohorts 1 to 2"][:2] == (2, 3)
    assert table(rows, "Funders: memorandum of understanding")["NHS Education for Scotland"][2] == (
        "Yes"
    )


# 7. Policy and media -----------------------------------------------------------------------------


def test_policy_and_media_work_counts_entries_people_and_bodies():
    c = cohorts(1, 2, 3)
    amy, bob = FellowFactory(cohort=c[1]), FellowFactory(cohort=c[2])
    policy, media = EntryKind.POLICY, EntryKind.MEDIA
    PortfolioEntryFactory(
        fellow=amy, kind=policy, organisation="Royal College of Radiologists", national_body=True
    )
    PortfolioEntryFactory(
        fellow=amy, kind=policy, organisation="royal college of  radiologists", national_body=True
    )
    PortfolioEntryFactory(fellow=bob, kind=policy, organisation="Trust AI committee")
    PortfolioEntryFactory(fellow=bob, kind=media, organisation="Association of Optometrists")
    PortfolioEntryFactory(fellow=FellowFactory(cohort=c[3]), kind=media, organisation="Later")

    o5 = compute_evidence(2).objective5

    assert o5.policy.entries == 3 and o5.policy.with_national_bodies == 2
    assert o5.policy.fellows == 2
    assert o5.policy.organisations == ("Royal College of Radiologists", "Trust AI committee")
    assert (o5.media.entries, o5.media.fellows) == (1, 1)
    assert o5.media.organisations == ("Association of Optometrists",)
    words = text_of(render_html(compute_evidence(2)))
    assert (
        "2 fellows recorded 3 pieces of policy or guidelines work, 2 with a royal college or "
        "national body, including: Royal College of Radiologists Trust AI committee"
    ) in words
    assert "1 fellow recorded 1 media piece, including: Association of Optometrists" in words
    rows = sheet_rows(compute_evidence(2), "Objective 5")
    assert table(rows, "Policy and guidelines work")["Entries"][0] == 3
    policy_rows = table(rows, "Policy and guidelines work")
    assert policy_rows["With a royal college or national body"][:2] == (2, 3)
    assert table(rows, "Media pieces")["Fellows"][0] == 1


def test_no_policy_or_media_work_says_so():
    cohorts(1)
    words = text_of(render_html(compute_evidence(1)))
    assert "No policy or guidelines work is recorded in fellows' portfolios yet." in words
    assert "No media pieces are recorded in fellows' portfolios yet." in words


# 8. Cross-cohort trends --------------------------------------------------------------------------


def _survey_rows(cohort: int, recommend: list[str], achieved: list[str]) -> list[list[object]]:
    return [[cohort, r, a] for r, a in zip(recommend, achieved, strict=True)]


def load_trend_history() -> None:
    """Cohorts 1-4. Exit surveys: cohort 1, 5 answers (4 recommend); cohort 2, 6 answers (3);
    cohort 3, 3 answers (too few: hidden); cohort 4, none. Applicants by gender: cohort 1, 10
    women (5 appointed), 12 men (6), 2 non-binary (1) and 1 other; cohort 2, 3 women (1
    appointed) and 12 men (5)."""
    surveys = [
        *_survey_rows(
            1,
            ["strongly_recommend", "recommend", "recommend", "recommend", "neutral"],
            ["yes", "yes", "no", "no", "yes"],
        ),
        *_survey_rows(
            2,
            ["strongly_recommend", "recommend", "neutral", "neutral", "not_recommend", "recommend"],
            ["yes", "yes", "yes", "yes", "yes", "yes"],
        ),
        *_survey_rows(3, ["recommend"] * 3, ["yes"] * 3),
    ]
    applicants, number = [], 0
    for cohort, gender, count, appointed in (
        (1, "female", 10, 5),
        (1, "male", 12, 6),
        (1, "non_binary", 2, 1),
        (1, "other", 1, 0),
        (2, "female", 3, 1),
        (2, "male", 12, 5),
    ):
        for i in range(count):
            number += 1
            stage = "appointed" if i < appointed else "shortlisted"
            applicants.append([f"T-{number:04d}", cohort, "London", "medicine", stage, gender])
    files = [
        (
            "cohorts.csv",
            _csv(
                ["number", "start_date", "end_date"],
                [[n, f"{2020 + n}-09-01", f"{2021 + n}-08-31"] for n in (1, 2, 3, 4)],
            ),
        ),
        (
            "applicants.csv",
            _csv(["ref", "cohort", "region", "profession", "furthest_stage", "gender"], applicants),
        ),
        (
            "exit_survey.csv",
            _csv(["cohort", "recommend", "achieved:ai_fundamentals"], surveys),
        ),
    ]
    import_history(files, by=None, source="trends (tests)")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output, not untrusted XML)


def bars(svg: str) -> list[float]:
    return [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_the_recommendation_trend_gives_each_cohorts_own_survey():
    load_trend_history()
    trends = compute_evidence(4).trends

    assert [v.text for v in trends.recommend] == [
        "80% (4/5)",
        "50% (3/6)",
        "Hidden (too few answers)",
        "No survey",
    ]
    chart = trend_charts(trends)["trend_recommend"]
    root = parse(chart)
    assert root.get("role") == "img"
    desc = root.find(f"{SVG}desc").text
    assert "cohort 1: 80% (4 of 5)" in desc and "cohort 2: 50% (3 of 6)" in desc
    assert "cohort 3: hidden: too few answers to publish" in desc
    assert "cohort 4: no survey answered" in desc
    widths = bars(chart)
    assert len(widths) == 2 and widths[0] == pytest.approx(widths[1] * 80 / 50)
    words = text_of(render_html(compute_evidence(4)))
    assert "Cohort 1 80% (4/5) Cohort 2 50% (3/6) Cohort 3 Hidden (too few answers)" in words
    rows = sheet_rows(compute_evidence(4), "Objective 1")
    by_cohort = table(rows, "Would recommend, by cohort (exit surveys)")
    assert by_cohort["Cohort 1"] == (4, 5, "80% (4/5)")
    assert by_cohort["Cohort 3"] == (None, None, "Hidden (too few answers)")


def test_the_theme_trend_gives_each_cohorts_share_who_achieved_it():
    load_trend_history()
    trends = compute_evidence(4).trends

    (theme,) = trends.themes  # the only theme any survey answered
    assert theme.label == "AI Fundamentals"
    assert [v.short_text for v in theme.by_cohort] == ["60%", "100%", "Hidden", "–"]
    chart = trend_charts(trends)["trend_themes"]
    desc = parse(chart).find(f"{SVG}desc").text
    assert "cohort 1 60% (3 of 5)" in desc and "cohort 2 100% (6 of 6)" in desc
    widths = bars(chart)
    assert widths[0] == pytest.approx(widths[1] * 0.6)
    rows = sheet_rows(compute_evidence(4), "Objective 2")
    by_cohort = table(rows, "Curriculum theme achieved, by cohort (exit surveys)")
    assert by_cohort[f"{theme.label}, cohort 1"] == (3, 5, "60%")
    assert by_cohort[f"{theme.label}, cohort 4"] == (None, None, "–")


def test_the_gender_trend_never_shows_a_count_the_policy_hides():
    load_trend_history()
    evidence = compute_evidence(2)
    one, two = evidence.trends.gender

    women = one.row("Female")
    assert (women.applicants.text, women.fellows.text) == ("10 (40%)", "5 (42%)")
    women = two.row("Female")
    assert women.applicants.suppressed and women.applicants.count is None
    assert women.fellows.suppressed and women.applicants.text == "<5"
    # 12 men of 15 applicants leave 3 among four hidden counts: nothing given away.
    assert two.row("Male").applicants.text == "12 (80%)"

    chart = trend_charts(evidence.trends)["trend_gender"]
    root = parse(chart)
    desc = root.find(f"{SVG}desc").text
    assert "cohort 1: applicants 40% (10 of 25), fellows 42% (5 of 12)" in desc
    assert "cohort 2: applicants <5 (suppressed), fellows <5 (suppressed)" in desc
    assert len(bars(chart)) == 2  # cohort 1's two bars only
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<5" in texts and "20%" not in texts and "17%" not in texts  # 3/15, 1/6
    words = text_of(render_html(evidence))
    assert "Cohort 1 10 (40%) 5 (42%) 12 (48%) 6 (50%)" in words
    assert "Cohort 2 <5 <5 12 (80%) 5 (83%)" in words.replace("&lt;", "<")
    rows = sheet_rows(evidence, "Objective 4")
    by_cohort = table(rows, "Gender by cohort: applicants and appointed fellows")
    assert by_cohort["Cohort 1, women applying"] == (10, 25, "10 (40%)")
    assert by_cohort["Cohort 2, women applying"] == (None, 15, "<5")
    assert by_cohort["Cohort 2, women appointed"] == (None, 6, "<5")
    assert by_cohort["Cohort 2, men applying"] == (12, 15, "12 (80%)")


# 9. The methodology's data sources ---------------------------------------------------------------


def test_each_data_source_has_its_row_count_and_date_range():
    c = cohorts(1, 2, 3)
    WorkshopFactory(cohort=c[1], date=datetime.date(2022, 1, 10))
    WorkshopFactory(cohort=c[2], date=datetime.date(2023, 2, 20))
    WorkshopFactory(cohort=c[3], date=datetime.date(2024, 3, 30))  # not in the report
    fellow = FellowFactory(cohort=c[2], funder=None)
    PortfolioEntryFactory(fellow=fellow, date=datetime.date(2023, 5, 1))
    PortfolioEntryFactory(fellow=fellow, date=datetime.date(2023, 6, 1))

    sources = {s["name"]: s for s in compute_evidence(2).sources}

    assert (sources["Workshops"]["rows"], sources["Workshops"]["first"]) == (
        2,
        datetime.date(2022, 1, 10),
    )
    assert sources["Workshops"]["last"] == datetime.date(2023, 2, 20)
    assert sources["Cohorts"]["rows"] == 2
    assert sources["Cohorts"]["first"] == datetime.date(2021, 9, 1)
    assert sources["Cohorts"]["last"] == datetime.date(2023, 8, 31)
    assert sources["Portfolio entries"]["rows"] == 2
    assert sources["Speakers"] == {**sources["Speakers"], "rows": 0, "first": None, "last": None}
    rows = sheet_rows(compute_evidence(2), "Sources")
    assert rows[0] == ("Source", "What it holds", "Rows", "First", "Last")
    workshops = next(r for r in rows if r[0] == "Workshops")
    assert workshops[2] == 2 and workshops[3].date() == datetime.date(2022, 1, 10)

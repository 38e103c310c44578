"""The programme core's own e-mails: roles, invitations, welcome to a cohort, mentor pairs."""

from __future__ import annotations

from django.conf import settings

from .kinds import Placeholder, register
from .values import full_name, link, plural, when

MFA_SENTENCE = (
    "Because this role lets you see other people's personal data, you will be asked to set up an "
    "authenticator app {when}."
)

register(
    "role_granted",
    name="Role given",
    when="The programme team gives someone a role",
    placeholders=[
        Placeholder(
            "user_name",
            "The person's full name",
            lambda c: full_name(c.get("user")),
            "Grace Hopper",
        ),
        Placeholder("role", "The role given, such as Panellist", lambda c: c["role"], "Panellist"),
        Placeholder(
            "for_funder",
            "For the funder role, “ for ” and the funder's name; otherwise nothing",
            lambda c: f" for {c['funder']}" if c.get("funder") else "",
            " for North Health Education",
        ),
        Placeholder(
            "mfa_line",
            "For roles that see personal data, a sentence saying they must set up an authenticator app",
            lambda c: (
                MFA_SENTENCE.format(when="the next time you sign in")
                if c["role"] in ("Faculty", "Panellist", "Funder")
                else ""
            ),
            MFA_SENTENCE.format(when="the next time you sign in"),
        ),
    ],
)

register(
    "invitation",
    name="Invitation to a role",
    when="The programme team invites someone by e-mail (or sends the invitation again)",
    placeholders=[
        Placeholder(
            "inviter",
            "The full name of who sent the invitation",
            lambda c: c["inviter"],
            "Dr Grace Hopper",
        ),
        Placeholder(
            "roles",
            "The roles offered, such as “Panellist and Funder”",
            lambda c: " and ".join(c["roles"]),
            "Panellist",
        ),
        Placeholder(
            "this_role_or_these_roles",
            "“this role” for one role, “these roles” for more",
            lambda c: "this role" if len(c["roles"]) == 1 else "these roles",
            "this role",
        ),
        Placeholder(
            "role_list",
            "One line per role, starting “- ”, with the funder for the funder role",
            lambda c: "\n".join(
                f"- {role}"
                + (f", acting for {c['funder']}" if role == "Funder" and c.get("funder") else "")
                for role in c["roles"]
            ),
            "- Panellist",
        ),
        Placeholder(
            "fellow_line",
            "When the invitation is for a fellow's record, a sentence naming it; otherwise nothing",
            lambda c: (
                f"Your account will be linked to your fellowship record {c['fellow'].ref} in {c['fellow'].cohort}."
                if c.get("fellow")
                else ""
            ),
            "Your account will be linked to your fellowship record F4-012 in Cohort 4.",
        ),
        Placeholder(
            "expires_at",
            "When the link stops working, such as Friday 12 March 2027 at 5:00pm",
            lambda c: when(c["expires_at"], r"l j F Y \a\t g:ia"),
            "Friday 12 March 2027 at 5:00pm",
        ),
        Placeholder(
            "link",
            "The link to accept the invitation (it works only for this person)",
            lambda c: c["link"],
            "https://fellowship.example.nhs.uk/invitation/abc.def/",
        ),
        Placeholder(
            "email",
            "The e-mail address invited",
            lambda c: c["invitation"].email,
            "grace@example.nhs.uk",
        ),
        Placeholder(
            "mfa_line",
            "For roles that see personal data, a sentence saying they must set up an authenticator app",
            lambda c: (
                MFA_SENTENCE.format(when="on your phone when you accept")
                if c.get("needs_mfa")
                else ""
            ),
            MFA_SENTENCE.format(when="on your phone when you accept"),
        ),
    ],
)

register(
    "fellow_appointed",
    name="Welcome to a cohort",
    when="A candidate accepts an offer, or the programme team adds a fellow with an account",
    placeholders=[
        Placeholder(
            "fellow_name",
            "The fellow's full name",
            lambda c: full_name(c.get("user")),
            "Dr Ada Lovelace",
        ),
        Placeholder(
            "cohort",
            "The fellow's cohort, such as Cohort 5",
            lambda c: str(c["fellow"].cohort),
            "Cohort 5",
        ),
        Placeholder("fellow_ref", "The fellow's reference", lambda c: c["fellow"].ref, "F5-012"),
        Placeholder(
            "region",
            "The region of the fellow's post",
            lambda c: str(c["fellow"].region),
            "North West",
        ),
        Placeholder(
            "funded_by",
            "“, funded by ” and the funder, if the post has one; otherwise nothing",
            lambda c: f", funded by {c['fellow'].funder}" if c["fellow"].funder else "",
            ", funded by North Health Education",
        ),
    ],
)

MENTORING_LINK = Placeholder(
    "mentoring_link",
    "The link to the person's mentoring page",
    lambda c: link("my_mentoring"),
    "https://fellowship.example.nhs.uk/mentoring/",
)
MENTORING_COHORT = Placeholder(
    "cohort", "The fellows' cohort, such as Cohort 5", lambda c: str(c["cohort"]), "Cohort 5"
)

register(
    "mentoring_published_mentee",
    name="Mentor pairs published (to each fellow)",
    when="The programme team publishes the mentor pairs for a cohort",
    placeholders=[
        Placeholder(
            "mentee_name",
            "The fellow's name",
            lambda c: c["mentee"].display_name,
            "Dr Ada Lovelace",
        ),
        MENTORING_COHORT,
        Placeholder(
            "mentor_name",
            "The mentor's name",
            lambda c: c["mentor"].display_name,
            "Dr Grace Hopper",
        ),
        Placeholder(
            "mentor_cohort",
            "The cohort the mentor was in",
            lambda c: str(c["mentor"].cohort),
            "Cohort 2",
        ),
        Placeholder(
            "mentor_contact",
            "“E-mail: ” and the mentor's address, or that the programme team will introduce them",
            lambda c: (
                f"E-mail: {c['mentor'].user.email}"
                if c["mentor"].user_id
                else "The programme team will introduce you."
            ),
            "E-mail: grace@example.nhs.uk",
        ),
        Placeholder(
            "reason",
            "Why they were paired",
            lambda c: c["reason"],
            "Same region (North West) and clinical specialty (Radiology)",
        ),
        MENTORING_LINK,
    ],
)


def _mentee_list(context) -> str:
    items = []
    for mentee, reason in context["mentees"]:
        line = f"- {mentee.display_name}, {mentee.region}"
        line += f", {mentee.specialty}" if mentee.specialty else ""
        line += f" ({mentee.user.email})" if mentee.user_id else ""
        items.append(f"{line}\n  Why you were paired: {reason}.")
    return "\n\n".join(items)


register(
    "mentoring_published_mentor",
    name="Mentor pairs published (to each mentor)",
    when="The programme team publishes the mentor pairs for a cohort",
    placeholders=[
        Placeholder(
            "mentor_name",
            "The mentor's name",
            lambda c: c["mentor"].display_name,
            "Dr Grace Hopper",
        ),
        MENTORING_COHORT,
        Placeholder(
            "mentee_count", "How many fellows they mentor", lambda c: len(c["mentees"]), "2"
        ),
        Placeholder(
            "fellows",
            "“fellow” for one, “fellows” for more",
            lambda c: plural(len(c["mentees"]), "fellow", "fellows"),
            "fellows",
        ),
        Placeholder(
            "mentees",
            "“mentee” for one, “mentees” for more",
            lambda c: plural(len(c["mentees"]), "mentee", "mentees"),
            "mentees",
        ),
        Placeholder(
            "mentee_list",
            "Each fellow's name, region, specialty, e-mail address and why they were paired",
            _mentee_list,
            "- Dr Ada Lovelace, North West, Radiology (ada@example.nhs.uk)\n"
            "  Why you were paired: Same region (North West) and clinical specialty (Radiology).",
        ),
        MENTORING_LINK,
    ],
)


register(
    "interest_round_open",
    name="Applications open (to the interest list)",
    when="A recruitment round opens: sent once to each address on the public website's interest list",
    placeholders=[
        Placeholder("round_name", "The round's name", lambda c: c["round_name"], "Cohort 5"),
        Placeholder(
            "closes_at",
            "When applications close, in UK time",
            lambda c: when(c["closes_at"], r"l j F Y \a\t H:i T"),
            "Friday 30 January 2026 at 12:00 GMT",
        ),
        Placeholder(
            "apply_link",
            "The page where people apply",
            lambda c: settings.SITE_URL + c["apply_path"],
            "https://fellowship.example.nhs.uk/apply/",
        ),
        Placeholder(
            "unsubscribe_link",
            "The link that takes the address off the interest list",
            lambda c: settings.SITE_URL + c["unsubscribe_path"],
            "https://fellowship.example.nhs.uk/interest/unsubscribe/abc/",
        ),
    ],
)


def _unconfirmed_kept_for(context) -> str:
    from ..retention import policy  # the retention module imports the models; keep it late

    return policy("unconfirmed_interest_signups").period


register(
    "interest_confirm",
    name="Confirm your address (to someone joining the interest list)",
    when="Someone puts an address on the public website's interest list (again at most once an "
    "hour while it is not confirmed)",
    placeholders=[
        Placeholder(
            "confirm_link",
            "The link that confirms the address (it works only for this address)",
            lambda c: settings.SITE_URL + c["confirm_path"],
            "https://fellowship.example.nhs.uk/interest/confirm/abc/",
        ),
        Placeholder(
            "expires_at",
            "When the link stops working, such as Friday 12 March 2027 at 5:00pm",
            lambda c: when(c["expires_at"], r"l j F Y \a\t g:ia"),
            "Friday 12 March 2027 at 5:00pm",
        ),
        Placeholder(
            "kept_for",
            "How long an address that is never confirmed is kept, such as 1 month (the retention "
            "policy)",
            _unconfirmed_kept_for,
            "1 month",
        ),
    ],
)

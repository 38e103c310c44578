"""python manage.py load_demo — the fictional demo programme and demo users for every role.

The programme history comes from fellowship/demo/history/ through the history import, so the demo
exercises the same path as real data. Users are made through the same services the app uses.
"""

from importlib import import_module
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from fellowship.demo import invitations as invitations_demo
from fellowship.demo import mentoring as mentoring_demo
from fellowship.demo import privacy as privacy_demo
from fellowship.demo import public as public_demo
from fellowship.enums import FellowStatus, Role
from fellowship.management.commands.import_history import files_at
from fellowship.models import Cohort, Fellow, Funder, RoleGrant, User
from fellowship.services import import_history

HISTORY = Path(__file__).resolve().parents[2] / "demo" / "history"
DEMO_PASSWORD = "fellowship-demo-2026"  # noqa: S105 - printed for newcomers; demo data only
# Base32 secret shared by the demo accounts that must use MFA; add it to any authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPFCAIDEMO"  # noqa: S105
DOMAIN = "fellowship.example"

# (e-mail local part, full name, role, extra): invented people, two per role.
DEMO_PEOPLE = [
    ("applicant1", "Tamsin Okafor-Reid", Role.APPLICANT, {}),
    ("applicant2", "Dev Ramanathan", Role.APPLICANT, {}),
    ("fellow1", "Imogen Castellano", Role.FELLOW, {"cohort": "latest", "pick": 0}),
    ("fellow2", "Kwame Adjei-Brook", Role.FELLOW, {"cohort": "latest", "pick": 1}),
    ("alumnus1", "Harriet Voss", Role.ALUMNUS, {"cohort": "first", "pick": 0}),
    ("alumnus2", "Rahul Menon-Price", Role.ALUMNUS, {"cohort": "previous", "pick": 0}),
    ("supervisor1", "Dr Ada Quillfeather", Role.SUPERVISOR, {}),
    ("supervisor2", "Dr Bram Ellory", Role.SUPERVISOR, {}),
    ("panellist1", "Prof Celia Marchbank", Role.PANELLIST, {}),
    ("panellist2", "Dr Owen Treharne", Role.PANELLIST, {}),
    ("faculty1", "Dr Nadia Farrow", Role.FACULTY, {}),
    ("faculty2", "Sam Whitlock", Role.FACULTY, {}),
    ("funder1", "Gail Pemberton", Role.FUNDER, {"funder": 0}),
    ("funder2", "Emyr Llewellyn", Role.FUNDER, {"funder": 1}),
]


class Command(BaseCommand):
    help = "Load the fictional demo programme and demo users, if the database has no programme data yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if cohorts exist (re-import updates in place).",
        )

    def handle(self, *args, force: bool, **options):
        if Cohort.objects.exists() and not force:
            self.stdout.write(
                "The database already holds programme data; the demo was not loaded again (use --force)."
            )
        else:
            # The demo's own emails (submissions, invitations ...) would bury the credentials below.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                result = import_history(files_at(HISTORY), by=None, source="demo programme")
                for spec in DEMO_PEOPLE:
                    self._person(*spec)
                # Each app may add live demo data of its own (an open round, proposals ...) in demo.py.
                notes = [note for build in _app_demo_builders() for note in build()]
                notes += (
                    mentoring_demo.build_demo()
                )  # after the apps': it uses the projects demo's incoming fellows
                notes += invitations_demo.build_demo()
                notes += public_demo.build_demo()
                notes += privacy_demo.build_demo()  # last: an erasure walks every app's records
            for line in result.summary:
                self.stdout.write(f"Imported {line}")
            for note in notes:
                self.stdout.write(note)
        self._print_credentials()

    def _print_credentials(self) -> None:
        emails = [f"{local}@{DOMAIN}" for local, *_ in DEMO_PEOPLE]
        present = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        if not present:
            return
        self.stdout.write(f"\nDemo users (password for all: {DEMO_PASSWORD})")
        for (_, _, role, _), email in zip(DEMO_PEOPLE, emails, strict=True):
            if email in present:
                self.stdout.write(f"  {role.label:<11} {email}")
        self.stdout.write(
            "\nFaculty, panellists and funders must use multi-factor authentication. Add this secret to any\n"
            f"authenticator app (as a time-based key) and enter its 6-digit code when asked: {DEMO_TOTP_SECRET}"
        )

    def _person(self, local: str, name: str, role: Role, extra: dict):
        email = f"{local}@{DOMAIN}"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, DEMO_PASSWORD, full_name=name
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        funder = None
        if role == Role.FUNDER:
            funder = _funders()[extra["funder"]]
        RoleGrant.objects.get_or_create(
            user=user, role=Role.APPLICANT if role == Role.APPLICANT else role, funder=funder
        )
        if "cohort" in extra:
            _claim_fellow_record(user, extra["cohort"], extra["pick"], role)
        if (
            role in (Role.FACULTY, Role.PANELLIST, Role.FUNDER)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)


def _app_demo_builders():
    """`build_demo()` from each of our apps' demo.py, in INSTALLED_APPS order."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name == "fellowship" or not config.path.startswith(str(settings.BASE_DIR)):
            continue
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield module.build_demo


def _funders() -> list[Funder]:
    named = list(Funder.objects.filter(fellows__isnull=False).distinct().order_by("name"))
    return sorted(named, key=lambda f: -f.fellows.count())[:2]


def _claim_fellow_record(user: User, which: str, pick: int, role: Role) -> None:
    """Give a demo fellow or alumnus one of the imported fellow records, so their pages have data."""
    cohorts = list(Cohort.objects.order_by("number"))
    cohort = {"first": cohorts[0], "previous": cohorts[-2], "latest": cohorts[-1]}[which]
    status = FellowStatus.IN_POST if role == Role.FELLOW else FellowStatus.GRADUATED
    candidates = Fellow.objects.filter(cohort=cohort, status=status, user__isnull=True).order_by(
        "ref"
    )
    fellow = candidates[pick] if candidates.count() > pick else candidates.first()
    if fellow is not None:
        fellow.user = user
        fellow.full_name = user.full_name
        fellow.save(update_fields=["user", "full_name"])

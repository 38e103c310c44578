import datetime

import factory
from allauth.account.models import EmailAddress

from fellowship.enums import FellowStatus, Profession, Role
from fellowship.models import (
    Cohort,
    Fellow,
    FundedPost,
    Funder,
    Organisation,
    Region,
    RoleGrant,
    User,
    Workshop,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                RoleGrant.objects.create(user=obj, role=role, funder=kwargs.get("funder"))
            obj.forget_roles()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Region {n}")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyAttribute(lambda o: datetime.date(2020 + o.number, 9, 1))
    end_date = factory.LazyAttribute(lambda o: datetime.date(2021 + o.number, 8, 31))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n} NHS Trust")


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Funder {n}")


class FundedPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundedPost

    funder = factory.SubFactory(FunderFactory)
    cohort = factory.SubFactory(CohortFactory)
    region = factory.SubFactory(RegionFactory)
    places = 2


class FellowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fellow

    ref = factory.Sequence(lambda n: f"F-{n:04d}")
    cohort = factory.SubFactory(CohortFactory)
    region = factory.SubFactory(RegionFactory)
    profession = Profession.MEDICINE
    specialty = "Radiology"
    funder = factory.SubFactory(FunderFactory)
    status = FellowStatus.IN_POST


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    cohort = factory.SubFactory(CohortFactory)
    date = factory.Sequence(lambda n: datetime.date(2030, 1, 1) + datetime.timedelta(days=n))
    title = factory.Sequence(lambda n: f"Workshop {n}")


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.APPLICANT


# Mentoring ---------------------------------------------------------------------------------------


class MentorOfferFactory(factory.django.DjangoModelFactory):
    """An alumnus offering one place in `cohort` (pass a mentor from an earlier cohort)."""

    class Meta:
        model = "fellowship.MentorOffer"

    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(FellowFactory, status=FellowStatus.GRADUATED)
    capacity = 1
    region = factory.LazyAttribute(lambda o: o.mentor.region)
    specialty = factory.LazyAttribute(lambda o: o.mentor.specialty)
    domains = factory.LazyFunction(list)


class MentorRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fellowship.MentorRequest"

    fellow = factory.SubFactory(FellowFactory)
    domain = ""
    region_importance = 1
    specialty_importance = 1
    domain_importance = 1

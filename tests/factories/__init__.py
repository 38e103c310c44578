"""factory_boy factories for every model, building real objects (no mocks)."""

from .fellowship import (
    PASSWORD,
    CohortFactory,
    FellowFactory,
    FundedPostFactory,
    FunderFactory,
    OrganisationFactory,
    RegionFactory,
    RoleGrantFactory,
    UserFactory,
    WorkshopFactory,
)

__all__ = [
    "PASSWORD",
    "CohortFactory",
    "FellowFactory",
    "FundedPostFactory",
    "FunderFactory",
    "OrganisationFactory",
    "RegionFactory",
    "RoleGrantFactory",
    "UserFactory",
    "WorkshopFactory",
]

"""factory_boy factories for every model, building real objects (no mocks)."""

from .fellowship import (
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

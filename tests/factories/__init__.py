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
from .portfolio import PortfolioEntryFactory as PortfolioEntryFactory
from .projects import ProjectFactory, complete_proposal
from .recruitment import (
    ApplicationFactory,
    CriterionFactory,
    EligibilityFactory,
    RequiredDocumentFactory,
    RoundFactory,
    complete_draft,
    submitted,
)

__all__ = [
    "PASSWORD",
    "ApplicationFactory",
    "CohortFactory",
    "CriterionFactory",
    "EligibilityFactory",
    "FellowFactory",
    "FundedPostFactory",
    "FunderFactory",
    "OrganisationFactory",
    "ProjectFactory",
    "RegionFactory",
    "RequiredDocumentFactory",
    "RoleGrantFactory",
    "RoundFactory",
    "UserFactory",
    "WorkshopFactory",
    "complete_draft",
    "complete_proposal",
    "submitted",
]

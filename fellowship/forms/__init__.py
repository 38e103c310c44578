"""Forms of the programme core, one module per resource. Decisions live in services; these only
validate input.

Every form is re-exported here, so `fellowship.forms.X` (and ACCOUNT_SIGNUP_FORM_CLASS) keep working.
"""

from .audit import AuditFilterForm
from .email_texts import EmailTextForm
from .fellows import FellowFilterForm, FellowForm, UserChoiceField
from .fields import (
    BoundedModelMultipleChoiceField,
    DateInput,
    DateTimeLocalInput,
    MultipleFileField,
    MultipleFileInput,
)
from .history import HistoryUploadForm
from .mentoring import (
    MentorOfferForm,
    MentorPairAddForm,
    MentorPairForm,
    MentorRequestForm,
    OfferChoiceField,
    RequestChoiceField,
)
from .people import PersonSearchForm, RoleGrantForm, SignupDetailsForm
from .programme import (
    CohortForm,
    FundedPostFormSet,
    FunderForm,
    OrganisationForm,
    ProgrammeForm,
    RegionForm,
)
from .workshops import SpeakerForm, SpeakerFormSet, WorkshopForm

__all__ = [
    "AuditFilterForm",
    "BoundedModelMultipleChoiceField",
    "CohortForm",
    "DateInput",
    "DateTimeLocalInput",
    "EmailTextForm",
    "FellowFilterForm",
    "FellowForm",
    "FundedPostFormSet",
    "FunderForm",
    "HistoryUploadForm",
    "MentorOfferForm",
    "MentorPairAddForm",
    "MentorPairForm",
    "MentorRequestForm",
    "MultipleFileField",
    "MultipleFileInput",
    "OfferChoiceField",
    "OrganisationForm",
    "PersonSearchForm",
    "ProgrammeForm",
    "RegionForm",
    "RequestChoiceField",
    "RoleGrantForm",
    "SignupDetailsForm",
    "SpeakerForm",
    "SpeakerFormSet",
    "UserChoiceField",
    "WorkshopForm",
]

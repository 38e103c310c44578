"""The applicant's side of recruitment, gathered under one name for the URLs and older imports.

The pages live by what they do: `apply_rounds` (open rounds, starting, the application's page),
`apply_steps` (the steps of a draft), `apply_submit` (check your answers and submit, withdrawal,
equality monitoring), `apply_files` (downloads and the form for the manager to sign) and
`manager_approval` (the manager's link). The steps themselves are described in
`recruitment.steps`; the changes they make are `recruitment.applications` and
`recruitment.services`.
"""

from ..steps import NEXT_URL, STEP_URLS, STEPS
from .apply_files import approval_file, approval_form_pdf, cv_file, document_file
from .apply_rounds import overview, round_list, start
from .apply_steps import approval, documents, eligibility, statement
from .apply_submit import equality, review, withdraw
from .manager_approval import manager_approval

__all__ = [
    "NEXT_URL",
    "STEPS",
    "STEP_URLS",
    "approval",
    "approval_file",
    "approval_form_pdf",
    "cv_file",
    "document_file",
    "documents",
    "eligibility",
    "equality",
    "manager_approval",
    "overview",
    "review",
    "round_list",
    "start",
    "statement",
    "withdraw",
]

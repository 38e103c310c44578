"""Who may do what with benefits reports."""

import rules

from fellowship.rules import is_faculty, is_funder
from recruitment.rules import may_see_equality

rules.add_perm("reports.request_report", is_faculty)
rules.add_perm("reports.list_reports", is_faculty | is_funder)
# Faculty oversee every report: drafts and releases, download counts and requesting it again.
rules.add_perm("reports.oversee_reports", is_faculty)
rules.add_perm("reports.edit_wording", is_faculty)
# A report whose equality threshold is not the policy's (EQUALITY_SUPPRESS_BELOW) is for the
# equality team's own use: only faculty who may see equality monitoring may make, see or download
# one, and funders never see it. Below the policy it shows small counts; above it, set beside the
# policy's report, it could let a reader work a hidden count out.
rules.add_perm("reports.request_internal_report", is_faculty & may_see_equality)
# A finished report's narrative and claims are faculty's to word and confirm, and only faculty
# release it to funders.
rules.add_perm("reports.edit_report", is_faculty)
rules.add_perm("reports.release_report", is_faculty)

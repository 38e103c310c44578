"""Who may do what with benefits reports."""

import rules

from fellowship.rules import is_faculty, is_funder

rules.add_perm("reports.request_report", is_faculty)
rules.add_perm("reports.list_reports", is_faculty | is_funder)
rules.add_perm("reports.edit_wording", is_faculty)

"""Who may do what with surveys.

Answering needs no permission of its own: the answer views look the survey up through the
person's own invitation, so anyone not invited gets a 404.
"""

import rules

from fellowship.rules import is_faculty

rules.add_perm("surveys.manage_surveys", is_faculty)
rules.add_perm("surveys.view_results", is_faculty)

"""Survey pages, by resource: answering, results, building and sending."""

from rules.contrib.views import permission_required

manage_surveys = permission_required("surveys.manage_surveys", raise_exception=True)
view_results = permission_required("surveys.view_results", raise_exception=True)

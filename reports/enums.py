"""Vocabularies of the reports app."""

from django.db import models


class ReportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# A job in these states is still to finish: an identical request shares it.
ACTIVE_STATES = (ReportState.QUEUED, ReportState.RENDERING)


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel workbook (XLSX)"

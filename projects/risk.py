"""Clinical risk from a hazard's severity and likelihood, as in the DCB0129/DCB0160 risk matrix.

Pure: no Django import. Ratings run from 1 (acceptable) to 5 (unacceptable).
"""

# Rows: likelihood 1 (very low) .. 5 (very high); columns: severity 1 (minor) .. 5 (catastrophic).
MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
LABELS = {
    1: "Acceptable",
    2: "Acceptable where cost outweighs benefit",
    3: "Undesirable",
    4: "Unacceptable",
    5: "Unacceptable",
}


def clinical_risk(severity: int, likelihood: int) -> int:
    if not (1 <= severity <= 5 and 1 <= likelihood <= 5):
        raise ValueError("severity and likelihood run from 1 to 5")
    return MATRIX[likelihood - 1][severity - 1]

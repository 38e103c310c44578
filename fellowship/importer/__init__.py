"""The programme-history import: the framework every app registers its tables with.

A table is a named set of columns, each with a parser that turns a cell into a value or raises
`CellError`. The import runs in three passes, and nothing is written until the first two pass:

1. Read and parse every table of every file, streaming (CSV through a text wrapper, each
   worksheet's XML through an incremental parser), counting decompressed bytes and rows against
   the caps in settings (`HISTORY_IMPORT_MAX_BYTES`, `HISTORY_IMPORT_MAX_ROWS`).
2. Check keys (a `ref` or cohort `number` twice in one table names both rows), references to
   other tables (resolved in the same import or the database, one query per target table) and
   each table's own rules.
3. Write the tables in dependency order inside one transaction, in bulk: existing rows are
   fetched by key once per table, new ones created with `bulk_create` and changed ones saved with
   `bulk_update`, so the number of queries does not grow with the number of rows.

Problems are reported as `TABLE row N, column C: message`, where N is the spreadsheet row (the
header is row 1). A dry run does the writing inside the transaction and rolls it back, so it
counts exactly what an import would create, update and leave unchanged; the `fingerprint` of
the rows it read lets a later import refuse if the database changed in between.

The modules: `cells` (cell parsers), `tables` (tables and their registry), `sources` and
`reading`/`xlsx` (pass 1, reading files), `parsing` (row validation), `checks` (pass 2),
`writing` (matching rows and bulk writes, for the table writers), `apply` (the all-or-nothing
import) and `report` (problems and counts).
"""

from .apply import import_tables
from .cells import (
    MAX_CELL_CHARS,
    SMALL_INT_MAX,
    CellError,
    choice,
    email_address,
    iso_date,
    multi_choice,
    positive_int,
    required_text,
    text,
    whole_number,
    yes_no,
)
from .checks import CheckContext
from .parsing import ParsedTable, parse_table
from .report import (
    MAX_REPORTED_PROBLEMS,
    ImportChanged,
    ImportFailed,
    ImportResult,
    Problem,
    TableReport,
)
from .sources import Budget, RawTable, Source, TooMuch, path_source, read_sources
from .tables import Column, Reference, Rows, Table, register, registered_tables, write_order
from .writing import (
    LOOKUP_CHUNK,
    UPDATE_BATCH,
    WriteContext,
    bulk_create,
    bulk_update,
    in_chunks,
    named,
    sync,
)
from .xlsx import BUILTIN_DATE_FORMATS, MAX_COLUMNS

__all__ = [
    "BUILTIN_DATE_FORMATS",
    "LOOKUP_CHUNK",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_REPORTED_PROBLEMS",
    "SMALL_INT_MAX",
    "UPDATE_BATCH",
    "Budget",
    "CellError",
    "CheckContext",
    "Column",
    "ImportChanged",
    "ImportFailed",
    "ImportResult",
    "ParsedTable",
    "Problem",
    "RawTable",
    "Reference",
    "Rows",
    "Source",
    "Table",
    "TableReport",
    "TooMuch",
    "WriteContext",
    "bulk_create",
    "bulk_update",
    "choice",
    "email_address",
    "import_tables",
    "in_chunks",
    "iso_date",
    "multi_choice",
    "named",
    "parse_table",
    "path_source",
    "positive_int",
    "read_sources",
    "register",
    "registered_tables",
    "required_text",
    "sync",
    "text",
    "whole_number",
    "write_order",
    "yes_no",
]

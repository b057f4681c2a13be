"""Caps on what is read from an untrusted file (shared by the workbook reader and
the importers). Every cap is checked before or while reading, never after."""

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 250_000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 32_767  # Excel's own limit
#: Largest declared uncompressed size of one part of an ``.xlsx`` (a sheet).
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: Largest uncompressed size of the shared-strings part (read whole by openpyxl).
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
#: Largest total uncompressed size of an ``.xlsx``.
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
#: Most times smaller a part above :data:`RATIO_FROM_BYTES` may be compressed
#: (real workbooks compress about ten times).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000
#: Most cells one row of a sheet may hold, and the widest column a cell may be
#: in (Excel's own limit, column XFD): checked while streaming, before openpyxl
#: builds a row (which it pads to its last cell's column).
MAX_ROW_CELLS = 16_384
#: Most cells a workbook's sheets may hold in all, counting each row as wide as
#: its last cell (what openpyxl builds): 250,000 rows of 40 columns.
MAX_CELLS = 10_000_000

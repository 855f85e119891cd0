"""Reading Parquet: one article per row, read in batches to bound memory.

``row N`` counts rows from 1.  Invalid UTF-8 in a string column rejects only the rows
holding it, not the whole batch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from wiretrace.ingest.decoding import FileRejected, open_regular
from wiretrace.ingest.records import Accept, Options, check_columns, field_names, to_article
from wiretrace.model import Article, Rejected

_BATCH = 1024  # rows per batch: bounds memory when texts are large


def read_parquet(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each row of the file."""
    # Imported here so that reading text formats never pays for loading pyarrow.
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open_regular(source) as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return
        try:
            pf = pq.ParquetFile(fh)
        except (pa.ArrowException, ValueError, OSError) as exc:
            raise FileRejected(f"not a readable Parquet file: {exc}") from None
        check_columns(pf.schema_arrow.names, opts.fields)
        wanted = [n for n in field_names(opts.fields) if n in pf.schema_arrow.names]
        row = 0
        try:
            for batch in pf.iter_batches(batch_size=_BATCH, columns=wanted):
                values = {}
                for name in wanted:
                    col = batch.column(batch.schema.get_field_index(name))
                    # Nanosecond timestamps do not fit datetime; microseconds do.
                    if pa.types.is_timestamp(col.type) and col.type.unit == "ns":
                        col = col.cast(pa.timestamp("us", col.type.tz), safe=False)
                    elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                        try:
                            col.validate(full=True)
                        except pa.ArrowInvalid:
                            # Invalid UTF-8 would make to_pylist fail the whole batch;
                            # as raw bytes, only the bad rows get rejected.
                            col = col.view(pa.large_binary() if pa.types.is_large_string(
                                col.type) else pa.binary())
                    values[name] = col.to_pylist()
                for i in range(batch.num_rows):
                    row += 1
                    location = f"row {row}"
                    record = {name: values[name][i] for name in wanted}
                    yield accept(to_article(record, source, location, opts), source, location)
        except (pa.ArrowException, OSError) as exc:
            yield Rejected(source, f"row {row + 1}", None,
                           f"unreadable Parquet data, rest of file skipped: {exc}")

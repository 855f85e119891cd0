"""Reading CSV: a header row naming the columns, then one article per data row.

The dialect is the stdlib "excel" one (comma separated, ``"`` quoting, strict); column
names are matched exactly after stripping spaces.  ``row N`` counts data records from 1
(the header is not a row); a malformed row rejects only itself.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from wiretrace.ingest.decoding import FileRejected, label, open_text, undecodable
from wiretrace.ingest.records import (
    SURROGATE,
    Accept,
    Options,
    check_columns,
    field_names,
    id_of,
    to_article,
)
from wiretrace.model import Article, Rejected


def read_csv(source: str, opts: Options, accept: Accept) -> Iterator[Article | Rejected]:
    """Yield an article or a rejection for each non-blank data row of the file."""
    with open(source, "rb") as fh:
        codec, lines = open_text(fh, opts.encoding)
        bad: list[tuple[int, int]] = []  # first undecodable byte of the current row

        def feed() -> Iterator[str]:
            for line, line_bad in lines:
                if line_bad and not bad:
                    bad.append(line_bad)
                yield line

        old_limit = csv.field_size_limit()
        # Big enough for any text we would accept, yet bounded so that a stray
        # unclosed quote cannot swallow a whole multi-gigabyte file into one field.
        csv.field_size_limit(min(max(4 * opts.max_chars, 1 << 20), 2**31 - 1))
        row = 0
        try:
            reader = csv.reader(feed(), strict=True)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                return
            if bad:
                raise FileRejected("header: " + undecodable(codec, *bad[0]))
            check_columns(header, opts.fields)
            wanted = {n: header.index(n) for n in field_names(opts.fields) if n in header}
            while True:
                bad.clear()
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    row += 1
                    why = "unclosed quote runs to the end of the file" \
                        if "unexpected end of data" in str(exc) else str(exc)
                    yield Rejected(source, f"row {row}", None, f"malformed CSV: {why}")
                    continue
                if not cells:
                    continue
                row += 1
                location = f"row {row}"
                record = {name: cells[i] for name, i in wanted.items() if i < len(cells)}
                rid = id_of(record, opts.fields)[0]
                if len(cells) != len(header):
                    yield Rejected(source, location, rid, f"expected {len(header)} "
                                                          f"columns, found {len(cells)}")
                elif bad:
                    yield Rejected(source, location, rid and SURROGATE.sub("\ufffd", rid),
                                   undecodable(codec, *bad[0]))
                else:
                    yield accept(to_article(record, source, location, opts), source, location)
        except UnicodeDecodeError:
            yield Rejected(source, f"row {row + 1}", None,
                           f"not valid {label(codec)} text; rest of file skipped")
        finally:
            csv.field_size_limit(old_limit)

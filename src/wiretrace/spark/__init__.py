"""wiretrace on Apache Spark: the same stages as the local run, driven over a cluster.

``trace(spark, articles)`` takes a DataFrame of articles (``id``, ``text`` and
the optional ``title``, ``outlet``, ``url``, ``published`` as ISO 8601 text)
and runs:

1. **numbering**: input order, as the local run reads it (a later article with
   an id already taken is left out and counted, as a duplicate id is rejected);
2. **fingerprint** on the executors (:func:`.stages.fingerprints`: the stage
   function ``fingerprint.fingerprint`` over Arrow batches);
3. **candidates** as distributed joins: n-gram postings grouped by n-gram,
   those held by more than ``max_df`` articles set aside as boilerplate (they
   come to the driver, to mask the texts as the local run does), pairs sharing
   ``min_shared_seeds`` of the others; LSH band keys grouped by key; each
   article paired with its ``max_earlier_candidates`` earliest earlier ones;
4. **alignment** on the executors (:func:`.stages.alignments`:
   ``align.align_tokens``), each distinct pair of texts once (copies share it,
   as in the local run), pairs partitioned and sorted by their later article
   so that a worker tokenises each article about once (a version meets its
   earlier partners one after another: a story re-published thousands of
   times spreads over every partition, its first versions kept in the
   worker's tokens);
5. **stories** on the driver, from the passages and the articles' facts
   (``stories.build_stories``, what the index does too): the link graph is
   small next to the texts; each version's base is chosen there too;
   **attributions** on the executors (``attribute.attribute_text``), the
   story members' credits brought to the driver for the provenance graphs;
6. **diffs** on the executors (:func:`.stages.diffs`: ``diff.diff_versions``),
   a story's versions in one partition.

The result (:class:`SparkTrace`) holds the passages and the diffs as
DataFrames and the stories; ``to_result()`` gives the local run's
:class:`~wiretrace.model.TraceResult` (the articles collected to the driver)
for the report and the output files; ``write_parquet`` writes the tables as
Parquet datasets from the executors.  ``trace_files`` reads input files on the
executors (:mod:`.reading`) and traces them.
"""

from wiretrace.spark.driver import trace, trace_files
from wiretrace.spark.result import SparkTrace

__all__ = ["SparkTrace", "trace", "trace_files"]

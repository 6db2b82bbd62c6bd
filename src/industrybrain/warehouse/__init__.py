"""The industrial data warehouse (产业数据仓): connectors land files into the raw zone; one SQL
pipeline definition standardises, conforms and aggregates them (raw → standard → core → mart)
on DuckDB or Spark, and publishes the result atomically into the warehouse file.

Public surface: :mod:`.entities` (standard entities), :mod:`.mapping` (source specs and the
standardisation SQL), :mod:`.pipeline` (``run_pipeline``), :mod:`.raw` (content-addressed raw
store), :mod:`.query` (tenant-scoped reads)."""

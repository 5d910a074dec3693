"""Excel without a database: safe reading of uploads (readers, parse_child), the one workbook writer
(workbooks) and the per-row import report (report). A plain package under every app but core, so any app may
read or write a workbook; the import framework (ImportJob, importers, their pages) is the `imports` app."""

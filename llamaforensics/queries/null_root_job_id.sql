-- null_root_job_id: log rows that belong to a job but carry no root_job_id.
-- entity: LOG
-- severity: info
-- fix: backfill_root
-- summary: rows with a job but no root_job_id
-- needs: job_chains
--
-- What: rows with a job_id and a NULL root_job_id whose parent_job_id chain,
-- followed with no depth limit, reaches a top without looping (a chain that
-- breaks at a missing parent tops out at the highest job it reaches). Reads
-- _lf_chain_rows (queries/job_chain_rows.sql). Legacy rows, and child jobs
-- whose writer did not pass the root on.
-- Why: the app's admin views group a sync's rows by root_job_id: these rows are
-- missing from their job's tree.
-- Fix suggested: backfill_root: set root_job_id to the inferred root.
SELECT id::VARCHAR AS entity_id, job_id, inferred_root, [id::VARCHAR] AS evidence
FROM _lf_chain_rows
WHERE null_root
ORDER BY job_id, created_at, id

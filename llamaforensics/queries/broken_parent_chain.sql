-- broken_parent_chain: log rows whose parent_job_id names a job no log row has.
-- entity: LOG
-- severity: warning
-- fix: none
-- summary: parent_job_id names a job no row has
-- needs: job_chains
--
-- What: rows with a parent_job_id that is no row's job_id (e.g. a batch request
-- id such as mb-sync-batch-...). Each row is judged by its own parent_job_id,
-- also when other rows of its job name another parent, or it has no job_id.
-- Reads _lf_chain_rows (queries/job_chain_rows.sql).
-- Why: the chain stops there: the job's true root is unknown, and the rows above
-- it were never logged or were deleted.
-- Fix suggested: none automatic: a person decides whether the missing parent was
-- a real job (and its rows were lost) or only a request id.
SELECT id::VARCHAR AS entity_id, job_id, parent_job_id AS missing_parent, [id::VARCHAR] AS evidence
FROM _lf_chain_rows
WHERE broken
ORDER BY parent_job_id, created_at, id

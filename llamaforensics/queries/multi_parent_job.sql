-- multi_parent_job: log rows of a job whose rows name different parents.
-- entity: LOG
-- severity: warning
-- fix: none
-- summary: one job whose rows name different parents
-- needs: job_chains
--
-- What: llama_logs.job_id is not unique, and nothing stops two rows of one job
-- from naming different parent_job_id values: the job forks upwards, with two
-- spawners. Every row of such a job is listed with the parent it names (rows
-- naming none included); the chain walk follows the parent most rows name.
-- Reads _lf_chain_rows (queries/job_chain_rows.sql).
-- Why: "which sync created this album" has two answers; a tree drawn from one
-- parent shows the other as missing, and a walk by row fans out (the upstream
-- backfill's mistake).
-- Fix suggested: none automatic: a person decides which spawner was real (the
-- rows' times and operations are the evidence).
SELECT id::VARCHAR AS entity_id, job_id, parent_job_id, [id::VARCHAR] AS evidence
FROM _lf_chain_rows
WHERE multi_parent
ORDER BY job_id, created_at, id

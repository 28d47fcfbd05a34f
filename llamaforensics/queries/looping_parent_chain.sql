-- looping_parent_chain: log rows whose job chain loops.
-- entity: LOG
-- severity: critical
-- fix: none
-- summary: parent_job_id chains that loop
-- needs: job_chains
--
-- What: rows whose job lies on a parent_job_id cycle (a job naming itself, two
-- jobs naming each other, ...; on_cycle true), or under one (on_cycle false):
-- following parents from them never reaches a top. cycle names the loop by its
-- smallest job id. Reads _lf_chain_rows (queries/job_chain_rows.sql).
-- Why: such chains have no root; a naive recursive walk never ends (the
-- upstream backfill only stopped at its depth limit of 10).
-- Fix suggested: none automatic: a person breaks the loop by clearing the
-- parent_job_id that closes it.
SELECT id::VARCHAR AS entity_id, job_id, cycle, on_cycle, [id::VARCHAR] AS evidence
FROM _lf_chain_rows
WHERE looping
ORDER BY cycle, job_id, created_at, id

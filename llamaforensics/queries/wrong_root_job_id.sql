-- wrong_root_job_id: log rows whose root_job_id is not the top of their job chain.
-- entity: LOG
-- severity: warning
-- fix: backfill_root
-- summary: root_job_id is not the top of the chain
-- needs: job_chains
--
-- What: rows whose root_job_id is set and differs from the root inferred by
-- following parent_job_id with no depth limit -- including rows under chains
-- deeper than 10, which the upstream backfill's depth-limited walk cut short.
-- Rows on or under a loop have no top and are looping_parent_chain instead.
-- Reads _lf_chain_rows (queries/job_chain_rows.sql).
-- Why: a wrong root files the row under another sync's tree: "what did this
-- job do" answers wrong in both trees.
-- Fix suggested: backfill_root: set root_job_id to the inferred root.
SELECT id::VARCHAR AS entity_id, job_id, root_job_id AS stored, inferred_root AS inferred,
    [id::VARCHAR] AS evidence
FROM _lf_chain_rows
WHERE wrong_root
ORDER BY job_id, created_at, id

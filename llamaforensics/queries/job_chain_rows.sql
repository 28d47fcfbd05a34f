-- job_chain_rows: every log row whose job chain has a problem, a flag per problem (one pass).
--
-- What: joins each row to its job's inferred root (temp table _lf_chain_roots,
-- one row per job that can have such a row, from lineage.infer_roots: no depth
-- limit, loops and breaks detected) and keeps the rows with at least one of:
--   null_root   the row has a job but no root_job_id, and its chain has a top
--   wrong_root  root_job_id is set and is not the top of the chain
--   broken      the row's own parent_job_id names a job no row has
--   looping     the row's job is on a parent_job_id loop, or under one
--   multi_parent the row's job has rows naming different parents
-- A job's rows usually name one parent; a row naming another one (a disputed
-- job), and a row with a parent but no job_id, are looked up by their own parent
-- among the log's job ids.
-- Why: the five job-chain findings (null_root_job_id, wrong_root_job_id,
-- broken_parent_chain, looping_parent_chain, multi_parent_job) read this table:
-- one join of the log instead of five.
-- Fix suggested: see each kind's own file.
CREATE OR REPLACE TEMP TABLE _lf_chain_rows AS
WITH flagged AS MATERIALIZED (
    -- one scan of the log: the rows of the jobs kept in _lf_chain_roots, and the rows with a parent
    -- but no job
    SELECT l.id, l.job_id, l.parent_job_id, l.root_job_id, l.created_at, r.inferred_root, r.cycle,
           coalesce(r.on_cycle, false) AS on_cycle,
           coalesce(l.root_job_id IS NULL AND NOT r.looping, false) AS null_root,
           coalesce(l.root_job_id <> r.inferred_root, false) AS wrong_root,
           coalesce(r.looping, false) AS looping,
           coalesce(r.multi_parent, false) AS multi_parent,
           CASE WHEN l.parent_job_id IS NULL THEN false
                WHEN l.parent_job_id = r.parent
                    THEN r.parent_missing END AS broken  -- NULL: looked up below
    FROM llama_logs l LEFT JOIN _lf_chain_roots r ON r.job_id = l.job_id
    WHERE (r.job_id IS NOT NULL
           AND ((l.root_job_id IS NULL AND NOT r.looping) OR l.root_job_id <> r.inferred_root
                 OR r.looping
                OR r.multi_parent
                OR (l.parent_job_id IS NOT NULL
                      AND (r.parent_missing OR r.parent IS NULL OR l.parent_job_id <> r.parent))))
       OR (l.job_id IS NULL AND l.parent_job_id IS NOT NULL)
), checked AS (
    SELECT * FROM flagged WHERE broken IS NOT NULL
    UNION ALL
    -- the columns of flagged, in order (not f.* REPLACE: Spark has no REPLACE)
    SELECT f.id, f.job_id, f.parent_job_id, f.root_job_id, f.created_at, f.inferred_root, f.cycle,
           f.on_cycle, f.null_root, f.wrong_root, f.looping, f.multi_parent,
               p.job_id IS NULL AS broken
    FROM (SELECT * FROM flagged WHERE broken IS NULL) f
    LEFT JOIN (SELECT DISTINCT job_id FROM llama_logs
               WHERE job_id IN (SELECT parent_job_id FROM flagged WHERE broken IS NULL)) p
                   ON p.job_id = f.parent_job_id
)
SELECT * FROM checked WHERE null_root OR wrong_root OR broken OR looping OR multi_parent;

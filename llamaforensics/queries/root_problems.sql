-- root_problems: log rows whose job chain is wrong, one row per (log row, problem).
--
-- What: compares every row's stored root_job_id and is_root_job with the root
-- inferred from the parent chain (temp table _lf_roots, built by
-- lineage.infer_roots: no depth limit, loops and breaks detected).
--   null_root         the row has a job but no root_job_id (legacy rows; child
--                     writers that did not pass it on)
--   wrong_root        root_job_id is set and is not the top of the chain
--   is_root_mismatch  is_root_job disagrees with "the job has no parent"
--   broken_chain      the row's parent_job_id names a job no row has
--   looping_chain     the row's job is on, or under, a parent_job_id loop
-- Why: the app's admin views and every "what did this sync do" question group
-- rows by root_job_id; a NULL or wrong root hides rows from their job tree.
-- Fix suggested: backfill root_job_id = inferred_root (null_root, wrong_root);
-- a broken or looping chain needs a person: the evidence is the chain itself.
WITH rows AS (
    SELECT l.id, l.job_id, l.parent_job_id, l.root_job_id, l.is_root_job, l.created_at,
           r.inferred_root, r.status, r.depth, r.missing_parent
    FROM llama_logs l
    JOIN _lf_roots r ON r.job_id = l.job_id
)
SELECT id::VARCHAR AS id, job_id, parent_job_id, root_job_id, is_root_job, inferred_root, status, depth, problem,
       CASE problem WHEN 'broken_chain' THEN parent_job_id END AS missing_parent, created_at
FROM (
    SELECT *, 'null_root' AS problem FROM rows WHERE root_job_id IS NULL AND status <> 'cycle'
    UNION ALL
    SELECT *, 'wrong_root' FROM rows WHERE root_job_id IS NOT NULL AND status <> 'cycle' AND root_job_id <> inferred_root
    UNION ALL
    SELECT *, 'is_root_mismatch' FROM rows WHERE is_root_job <> (parent_job_id IS NULL)
    UNION ALL
    SELECT *, 'broken_chain' FROM rows
    WHERE parent_job_id IS NOT NULL AND parent_job_id NOT IN (SELECT job_id FROM _lf_roots)
    UNION ALL
    SELECT *, 'looping_chain' FROM rows WHERE status = 'cycle'
) problems
ORDER BY problem, job_id, id

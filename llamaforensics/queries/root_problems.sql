-- root_problems: log rows whose job chain is wrong, one row per (log row, problem).
--
-- What: compares every row's stored root_job_id and is_root_job with the root
-- inferred from the parent chain (temp table _lf_roots, kept by
-- lineage.store_roots: no depth limit, loops and breaks detected).
--   null_root         the row has a job but no root_job_id, though its chain has
--                     a top (legacy rows; child writers that did not pass it on)
--   wrong_root        root_job_id is set and is not the top of the chain
--   is_root_mismatch  is_root_job disagrees with "the job has no parent"
--   broken_chain      the row's parent_job_id names a job no row has
--   looping_chain     the row's job is on, or under, a parent_job_id loop
--   multi_parent      the row's job has rows naming different parents (one job_id,
--                     two spawners: the chain forks upwards; the walk follows the
--                     parent most rows name, conflicting_parents counts the others)
-- Why: the app's admin views and every "what did this sync do" question group
-- rows by root_job_id; a NULL or wrong root hides rows from their job tree.
-- Fix suggested: backfill root_job_id = inferred_root (null_root, wrong_root),
-- is_root_job = (the job has no parent); a broken or looping chain needs a
-- person: the evidence is the chain itself (missing_parent, cycle); so does a
-- multi-parent job (which spawner was real: the rows' parent_job_id say).
SELECT id::VARCHAR AS id, job_id, parent_job_id, root_job_id, is_root_job, inferred_root, status,
    depth, problem,
       CASE problem WHEN 'broken_chain' THEN parent_job_id END AS missing_parent,
       CASE problem WHEN 'looping_chain' THEN cycle END AS cycle, created_at
FROM (
    SELECT l.id, l.job_id, l.parent_job_id, l.root_job_id, l.is_root_job, l.created_at,
           r.inferred_root, r.status, r.depth, r.cycle,
           unnest([  -- one output row per problem the row has; one pass over the log
               CASE WHEN l.root_job_id IS NULL AND r.status <> 'cycle' THEN 'null_root' END,
               CASE WHEN l.root_job_id <> r.inferred_root THEN 'wrong_root' END,
               CASE WHEN l.is_root_job <> (r.parent_job_id IS NULL) THEN 'is_root_mismatch' END,
               CASE WHEN l.parent_job_id IS NOT NULL AND parent.job_id IS NULL
                   THEN 'broken_chain' END,
               CASE WHEN r.status = 'cycle' THEN 'looping_chain' END,
               CASE WHEN r.conflicting_parents > 0 THEN 'multi_parent' END]) AS problem
    FROM llama_logs l
    JOIN _lf_roots r ON r.job_id = l.job_id
    LEFT JOIN _lf_roots parent ON parent.job_id = l.parent_job_id
) flagged
WHERE problem IS NOT NULL
ORDER BY problem, job_id, id;

-- rank_parents: the parent of each job whose rows name several (the jobs _lf_jobs marks disputed).
--
-- What: after queries/job_parents.sql (or job_chain_jobs.sql) has built
-- _lf_jobs, ranks the parents a disputed job's rows name: the one most rows
-- name wins (ties: the one named first, then the smaller id), and
-- `conflicting_parents` counts the others.
-- Why: a job's rows should all name one parent; when they do not, the walk
-- up still needs one, and the others are evidence a person should see.
-- Fix suggested: none here; conflicting parents are evidence for a person to read.
UPDATE _lf_jobs SET parent = ranked.parent, conflicting_parents = ranked.conflicting_parents
FROM (
    SELECT l.job_id, l.parent_job_id AS parent,
        count(*) OVER (PARTITION BY l.job_id) - 1 AS conflicting_parents
    FROM llama_logs l
    WHERE l.parent_job_id IS NOT NULL AND l.job_id IN (SELECT job_id FROM _lf_jobs WHERE disputed)
    GROUP BY l.job_id, l.parent_job_id
    QUALIFY row_number() OVER (
        PARTITION BY l.job_id ORDER BY count(*) DESC, min(l.created_at), l.parent_job_id
    ) = 1
) ranked
WHERE _lf_jobs.job_id = ranked.job_id;

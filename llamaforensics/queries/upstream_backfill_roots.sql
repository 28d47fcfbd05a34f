-- upstream_backfill_roots: root_job_id as the app's own backfill computed it, reproduced.
--
-- What: the upstream migration walked parent_job_id upwards with a recursive
-- query limited to depth 10, joining on job_id -- which is not unique, so the
-- walk fans out over every parent a job's rows name, and a row whose job has
-- several parents gets one of several roots (the UPDATE keeps an arbitrary
-- one; here: the smallest, with candidate_roots saying how many there were).
-- A loop is walked round until the limit; a chain deeper than 10 stops short.
-- Rows with the same (job_id, parent_job_id) walk the same way, so this
-- answers per such pair, walking numbered pairs: the fan-out over different
-- parents is kept, the copies of one path (one per row of the parent job) are
-- not, and the answer is the upstream one without its cost.
-- Why: to show where that method and the unlimited, job-level inference
-- disagree (chains deeper than 10, loops, conflicting parents).
-- Fix suggested: backfill root_job_id from the inferred root instead.
WITH RECURSIVE pairs AS MATERIALIZED (
    SELECT row_number() OVER () AS pair, job_id, parent_job_id
    FROM (SELECT DISTINCT job_id, parent_job_id FROM llama_logs WHERE job_id IS NOT NULL)
), steps AS MATERIALIZED (  -- joined on job_id: one step to every pair of the parent job
    SELECT child.pair AS child, parent.pair AS parent
    FROM pairs child
    JOIN pairs parent ON parent.job_id = child.parent_job_id
), walk(start, cur, depth) AS (
    SELECT pair, pair, 0 FROM pairs
    UNION
    SELECT w.start, s.parent, w.depth + 1
    FROM walk w
    JOIN steps s ON s.child = w.cur
    WHERE w.depth < 10
), ends AS (
    SELECT start, cur, depth FROM walk QUALIFY depth = max(depth) OVER (PARTITION BY start)
)
SELECT s.job_id, s.parent_job_id, min(c.job_id) AS upstream_root, any_value(e.depth) AS steps,
       count(DISTINCT c.job_id) AS candidate_roots
FROM ends e
JOIN pairs s ON s.pair = e.start
JOIN pairs c ON c.pair = e.cur
GROUP BY s.job_id, s.parent_job_id

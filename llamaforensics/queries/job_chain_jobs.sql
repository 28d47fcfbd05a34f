-- job_chain_jobs: job_parents.sql for the job-chain findings, with each job's stored root_job_id.
--
-- What: one row per distinct job of llama_logs, its parent (as in
-- job_parents.sql), and the root_job_id its rows store, as the least and the
-- greatest 64-bit hash among them (NULL hashes like a value): `root_lo` <>
-- `root_hi` when its rows disagree; otherwise `root_lo` is the hash of the one
-- root they all store, to compare with `job_hash` (the job id's hash) of the
-- job inferred as its root. Integers, not strings: the pass stays as cheap as
-- job_parents.sql's, and a wrong root is missed only if two ids' hashes collide.
-- Why: the same pass over the log that collapses it to jobs tells which jobs'
-- rows could have a null or wrong root_job_id (roots that vary, or one root that
-- is not the inferred one), so only those jobs' rows are joined back to the log
-- (queries/job_chain_rows.sql), not all 10 million.
-- Fix suggested: see the job-chain findings' own files.
CREATE OR REPLACE TEMP TABLE _lf_jobs AS
SELECT job_id, any_value(parent_job_id) AS parent, 0::INTEGER AS conflicting_parents,
       min(hash(parent_job_id)) <> max(hash(parent_job_id)) AS disputed,
       hash(job_id) AS job_hash, min(hash(root_job_id)) AS root_lo,
           max(hash(root_job_id)) AS root_hi
FROM llama_logs
WHERE job_id IS NOT NULL
GROUP BY job_id;

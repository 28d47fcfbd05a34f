-- job_chain_roots: the jobs whose log rows can have a job-chain problem, and what the checks read.
--
-- What: reads _lf_job_roots (one row per job, from the root inference: the
-- DuckDB engine's lineage.infer_roots, or the Spark engine's pointer jumping)
-- and keeps the jobs whose rows store roots that vary or differ from the
-- inferred one (root_lo/root_hi: the least and greatest hash of the stored
-- roots; root_job_hash: the hash of the inferred root's id), that are on or
-- under a loop, whose own parent is missing, or that name conflicting parents.
-- Every other job's rows all store its inferred root under a parent that
-- exists: it is left out, and with it most of the log.
-- Why: queries/job_chain_rows.sql joins only these jobs back to the log.
-- Fix suggested: see the job-chain findings' own files.
CREATE OR REPLACE TEMP TABLE _lf_chain_roots AS
SELECT job_id, parent_job_id AS parent, inferred_root, status = 'cycle' AS looping,
       status = 'broken' AND missing_parent = parent_job_id AS parent_missing, cycle, on_cycle,
       conflicting_parents > 0 AS multi_parent
FROM _lf_job_roots
WHERE root_lo <> root_hi OR coalesce(root_lo <> root_job_hash, true) OR status = 'cycle'
   OR (status = 'broken' AND missing_parent = parent_job_id) OR conflicting_parents > 0;

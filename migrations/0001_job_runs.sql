-- Jobs the `jobs` worker has processed: one row per queue message, written when the message is handled.
CREATE TABLE job_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  processed_at INTEGER NOT NULL
);
CREATE INDEX job_runs_processed_at ON job_runs (processed_at);

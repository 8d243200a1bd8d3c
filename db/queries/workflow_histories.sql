-- name: WorkflowHistoryInsert :execrows
-- WorkflowHistoryInsert keeps a closed run's history once.
INSERT INTO workflow_histories (workflow_id, run_id, started_at, closed_at, status, events, history)
VALUES (@workflow_id, @run_id, @started_at, @closed_at, @status, @events, @history)
ON CONFLICT (workflow_id, run_id) DO NOTHING;

-- name: WorkflowHistoryExists :one
SELECT EXISTS (SELECT 1 FROM workflow_histories WHERE workflow_id = @workflow_id AND run_id = @run_id);

-- name: WorkflowHistoryGet :one
SELECT history FROM workflow_histories WHERE workflow_id = @workflow_id AND run_id = @run_id;

-- name: WorkflowHistoryLatest :one
-- WorkflowHistoryLatest returns the history of a workflow's last run kept.
SELECT history FROM workflow_histories WHERE workflow_id = @workflow_id
ORDER BY started_at DESC, run_id DESC LIMIT 1;

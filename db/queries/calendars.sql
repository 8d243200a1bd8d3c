-- name: CalendarLatest :one
-- CalendarLatest returns the revision in force of a jurisdiction's year.
SELECT * FROM calendars
WHERE jurisdiction = @jurisdiction AND year = @year
ORDER BY revision DESC
LIMIT 1;

-- name: CalendarInsert :one
-- CalendarInsert publishes the next revision of a jurisdiction's year. Two
-- publishers racing for the same revision collide on the unique key.
INSERT INTO calendars (jurisdiction, year, revision, source, arrangement, digest, published_by)
SELECT @jurisdiction, @year, coalesce(max(revision), 0) + 1, @source, @arrangement, @digest, @published_by
FROM calendars WHERE jurisdiction = @jurisdiction AND year = @year
RETURNING *;

-- name: CalendarListInForce :many
-- CalendarListInForce returns the revision in force of every published
-- jurisdiction and year.
SELECT DISTINCT ON (jurisdiction, year) *
FROM calendars
ORDER BY jurisdiction, year, revision DESC;

-- name: CalendarVersion :one
-- CalendarVersion is the version of the latest publication, 0 for none.
SELECT coalesce(max(version), 0)::bigint FROM calendars;

-- name: CalendarHistory :many
-- CalendarHistory lists every revision of a jurisdiction's year, newest first.
SELECT * FROM calendars
WHERE jurisdiction = @jurisdiction AND year = @year
ORDER BY revision DESC;

-- name: CalendarProvisionalCases :one
-- CalendarProvisionalCases counts the open cases of a jurisdiction and its
-- subdivisions whose pending deadline falls in year and was computed on a
-- provisional calendar: the deadlines a publication for that year may move.
SELECT count(*) FROM cases
WHERE status = 'open' AND next_deadline_provisional
  AND next_deadline_on BETWEEN make_date(@year::integer, 1, 1) AND make_date(@year::integer, 12, 31)
  AND (jurisdiction = @jurisdiction::text OR starts_with(jurisdiction, @jurisdiction::text || '-'));

-- name: CalendarRearmCandidates :many
-- CalendarRearmCandidates pages through the open cases of a jurisdiction
-- and its subdivisions a publication may concern, by ID, with the plans
-- each has still performing (a plan is a workflow of its own); with
-- opened_since, only those opened since then.
SELECT c.id, c.workflow_id,
       coalesce(array_agg(p.plan_id ORDER BY p.plan_id) FILTER (WHERE p.plan_id IS NOT NULL), '{}')::text[] AS plans
FROM cases c
LEFT JOIN plans p ON p.case_id = c.id AND p.stage = 'performing'
WHERE c.status = 'open' AND c.id > @after::text
  AND (sqlc.narg(opened_since)::timestamptz IS NULL OR c.opened_at >= sqlc.narg(opened_since)::timestamptz)
  AND (c.jurisdiction = @jurisdiction::text OR starts_with(c.jurisdiction, @jurisdiction::text || '-'))
GROUP BY c.id
ORDER BY c.id
LIMIT @max::integer;

-- name: CalendarRearmSave :exec
-- CalendarRearmSave records the progress of a re-arm as the workflow
-- counts it; a retried page writes the same figures again.
INSERT INTO calendar_rearms (version, jurisdiction, year, cases, recounted, moved_cases, moved, closed, failed, recent, last_pass, cursor, done)
VALUES (@version, @jurisdiction, @year, @cases, @recounted, @moved_cases, @moved, @closed, @failed, @recent, @last_pass, @cursor, @done)
ON CONFLICT (version) DO UPDATE SET
    cases = excluded.cases, recounted = excluded.recounted, moved_cases = excluded.moved_cases,
    moved = excluded.moved, closed = excluded.closed, failed = excluded.failed,
    recent = excluded.recent, last_pass = excluded.last_pass,
    cursor = excluded.cursor, done = excluded.done, updated_at = now();

-- name: CalendarRearmGet :one
SELECT * FROM calendar_rearms WHERE version = @version;

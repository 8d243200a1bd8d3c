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

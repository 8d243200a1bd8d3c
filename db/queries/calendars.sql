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

-- The application role (021) on what the calendar publication (007, 008)
-- added before it: the worker reads published calendars and a court
-- administrator publishes them through the API; a case summary's next
-- deadline says whether a provisional calendar computed it.
GRANT SELECT, INSERT ON calendars TO casework_app;
GRANT USAGE ON SEQUENCE calendars_version_seq TO casework_app;
GRANT UPDATE (next_deadline_provisional) ON cases TO casework_app;

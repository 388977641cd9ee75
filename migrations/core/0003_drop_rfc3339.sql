-- Timestamps are no longer formatted by the database: queries return timestamptz as text (every
-- pooled connection runs with TimeZone UTC) and the server rewrites it to the API's RFC 3339
-- form, which costs PostgreSQL far less than to_char() per column and row.
DROP FUNCTION IF EXISTS autoblog_core.rfc3339(timestamptz);

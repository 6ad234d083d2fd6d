-- Usernames are one name whatever their case: `alice` and `ALICE` are the same user.
-- (Usernames are ASCII, so lower() means the same in SQLite and PostgreSQL.) The stored
-- name keeps the case it was created with; lookups compare lower(username).
-- migrations/sqlite/auth links here: the same DDL runs on both.
CREATE UNIQUE INDEX users_username_ignoring_case ON users (lower(username));

-- Users and API keys: the distributed deployment's PostgreSQL database, and the embedded
-- deployment's auth.db (migrations/sqlite/auth links here: the same DDL runs on both).
-- Secrets are never stored: users keep an argon2id hash (PHC string),
-- keys a SHA-256 of the whole key (keys are 256-bit random, so a fast hash is enough).

CREATE TABLE users
(
    username      TEXT PRIMARY KEY NOT NULL,
    tenant        TEXT             NOT NULL,
    role          TEXT             NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT             NOT NULL,
    created_at    TEXT             NOT NULL
);

CREATE TABLE api_keys
(
    -- the short public part of the key (`folio_<id>_<secret>`), used to find it
    id         TEXT PRIMARY KEY NOT NULL,
    tenant     TEXT             NOT NULL,
    name       TEXT             NOT NULL,
    -- whose key it is: `user:<name>`, or `key:<id>` for keys made by the CLI
    owner      TEXT             NOT NULL,
    -- comma-separated subset of read,write,admin
    scopes     TEXT             NOT NULL,
    key_hash   TEXT             NOT NULL,
    created_at TEXT             NOT NULL,
    created_by TEXT             NOT NULL,
    revoked_at TEXT
);

CREATE INDEX api_keys_by_owner ON api_keys (tenant, owner);

-- Set once, when `folio serve` printed the bootstrap admin key: it never prints another.
CREATE TABLE credentials_bootstrap
(
    id     INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    key_id TEXT                NOT NULL,
    at     TEXT                NOT NULL
);

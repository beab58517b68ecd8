-- Who may see and change what: users, their parks, API tokens, and the audit trail.

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('admin', 'bureau', 'committee', 'applicant')),
    -- A bureau's jurisdiction: the administrative division code (prefix) of its area,
    -- e.g. 361021 (a county) or 3610 (a prefecture-level city).
    jurisdiction TEXT,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    disabled_at  TIMESTAMP
);

-- The parks a committee user manages.
CREATE TABLE user_parks (
    user_id INTEGER NOT NULL REFERENCES users (id),
    park_id INTEGER NOT NULL REFERENCES parks (id),
    PRIMARY KEY (user_id, park_id)
);

-- API tokens: only a SHA-256 hash of the secret is kept; `prefix` identifies it in lists.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL,
    expires_at   TIMESTAMP,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Every write: who, when, what, on which record, before and after (JSON).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    park_id   INTEGER,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_park ON audit_log (park_id);

-- Append-only, whoever connects: no UPDATE or DELETE.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Passwords for signing in from the dashboard (argon2id; NULL: token-only account).
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Back-off after failed sign-ins (and failed current-password checks), replacing the lockout
-- columns on users. A sign-in attempt is throttled before any tenant or user is known, by what
-- the form sent, so this is one shared table of hashed keys and counters: it holds no tenant
-- data and is read and written only as the owner (login) or by key (unlock).
CREATE TABLE login_throttle (
  -- sha256 of what is throttled, e.g. tenant code + login; never the login itself
  account_key text NOT NULL,
  -- the client address for per-(account, address) back-off; '' for the account-wide counter
  ip text NOT NULL,
  failures integer NOT NULL,
  blocked_until timestamptz NOT NULL,
  last_failure_at timestamptz NOT NULL,
  PRIMARY KEY (account_key, ip)
);
CREATE INDEX login_throttle_stale ON login_throttle (last_failure_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO kehu_app;

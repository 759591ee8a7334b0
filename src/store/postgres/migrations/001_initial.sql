-- blackout schema, version 1 (PostgreSQL). Times are microseconds since the Unix epoch (UTC).
-- Outcome codes are the order of the Outcome enum in src/model/outcome.hpp (append-only);
-- the outcomes table spells them out for anyone reading the file with sqlite3.

CREATE TABLE schema_version (
  version    BIGINT NOT NULL,
  applied_at BIGINT NOT NULL
);

CREATE TABLE outcomes (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- One row per (vantage, target, check): results refer to it by number.
CREATE TABLE series (
  id       BIGSERIAL PRIMARY KEY,
  vantage  TEXT NOT NULL,
  target   TEXT NOT NULL,
  check_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  UNIQUE (vantage, target, check_id)
);

-- Raw results, kept for the configured window. id orders results of the same microsecond
-- in the order they were written.
CREATE TABLE results (
  id            BIGSERIAL,
  time_us       BIGINT NOT NULL,
  series        BIGINT NOT NULL,
  outcome       BIGINT NOT NULL,
  rtt_us        BIGINT,
  dns_us        BIGINT,
  connect_us    BIGINT,
  tls_us        BIGINT,
  first_byte_us BIGINT,
  confirmation  BIGINT NOT NULL,
  fields        TEXT,
  detail        TEXT
);
CREATE INDEX results_by_time ON results (time_us);

-- Per series and minute, for the long run.
CREATE TABLE rollups (
  series        BIGINT NOT NULL,
  minute_us     BIGINT NOT NULL,
  count         BIGINT NOT NULL,
  successes     BIGINT NOT NULL,
  rtt_min_us    BIGINT,
  rtt_median_us BIGINT,
  rtt_p95_us    BIGINT,
  rtt_max_us    BIGINT,
  PRIMARY KEY (series, minute_us)
);
CREATE INDEX rollups_by_minute ON rollups (minute_us);

-- The targets each vantage was configured with, and when: a changed definition closes the
-- old row (valid_to_us) and opens a new one.
CREATE TABLE config_targets (
  vantage       TEXT NOT NULL,
  name          TEXT NOT NULL,
  layer         TEXT NOT NULL,
  definition    TEXT NOT NULL,
  valid_from_us BIGINT NOT NULL,
  valid_to_us   BIGINT
);
CREATE INDEX config_targets_current ON config_targets (vantage, name, valid_to_us);

-- Filled by detection (issue 6): kept forever.
CREATE TABLE state_changes (
  time_us    BIGINT NOT NULL,
  vantage    TEXT NOT NULL,
  scope      TEXT NOT NULL,
  subject    TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  reason     TEXT
);
CREATE INDEX state_changes_by_time ON state_changes (time_us);

CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  scope       TEXT NOT NULL,
  layer       TEXT,
  kind        TEXT NOT NULL,
  start_us    BIGINT NOT NULL,
  end_us      BIGINT,
  peak_stress DOUBLE PRECISION,
  peak_loss   DOUBLE PRECISION,
  signature   TEXT,
  document    TEXT NOT NULL
);

CREATE TABLE waves (
  id       TEXT PRIMARY KEY,
  start_us BIGINT NOT NULL,
  end_us   BIGINT,
  document TEXT NOT NULL
);

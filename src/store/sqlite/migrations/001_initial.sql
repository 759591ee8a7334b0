-- blackout schema, version 1 (SQLite). Times are microseconds since the Unix epoch (UTC).
-- Outcome codes are the order of the Outcome enum in src/model/outcome.hpp (append-only);
-- the outcomes table spells them out for anyone reading the file with sqlite3.

CREATE TABLE schema_version (
  version    INTEGER NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE outcomes (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- One row per (vantage, target, check): results refer to it by number.
CREATE TABLE series (
  id       INTEGER PRIMARY KEY,
  vantage  TEXT NOT NULL,
  target   TEXT NOT NULL,
  check_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  UNIQUE (vantage, target, check_id)
);

-- Raw results, kept for the configured window.
CREATE TABLE results (
  time_us       INTEGER NOT NULL,
  series        INTEGER NOT NULL,
  outcome       INTEGER NOT NULL,
  rtt_us        INTEGER,
  dns_us        INTEGER,
  connect_us    INTEGER,
  tls_us        INTEGER,
  first_byte_us INTEGER,
  confirmation  INTEGER NOT NULL,
  fields        TEXT,
  detail        TEXT
);
CREATE INDEX results_by_time ON results (time_us);

-- Per series and minute, for the long run.
CREATE TABLE rollups (
  series        INTEGER NOT NULL,
  minute_us     INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  successes     INTEGER NOT NULL,
  rtt_min_us    INTEGER,
  rtt_median_us INTEGER,
  rtt_p95_us    INTEGER,
  rtt_max_us    INTEGER,
  PRIMARY KEY (series, minute_us)
) WITHOUT ROWID;
CREATE INDEX rollups_by_minute ON rollups (minute_us);

-- The targets each vantage was configured with, and when: a changed definition closes the
-- old row (valid_to_us) and opens a new one.
CREATE TABLE config_targets (
  vantage       TEXT NOT NULL,
  name          TEXT NOT NULL,
  layer         TEXT NOT NULL,
  definition    TEXT NOT NULL,
  valid_from_us INTEGER NOT NULL,
  valid_to_us   INTEGER
);
CREATE INDEX config_targets_current ON config_targets (vantage, name, valid_to_us);

-- Filled by detection (issue 6): kept forever.
CREATE TABLE state_changes (
  time_us    INTEGER NOT NULL,
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
  start_us    INTEGER NOT NULL,
  end_us      INTEGER,
  peak_stress REAL,
  peak_loss   REAL,
  signature   TEXT,
  document    TEXT NOT NULL
);

CREATE TABLE waves (
  id       TEXT PRIMARY KEY,
  start_us INTEGER NOT NULL,
  end_us   INTEGER,
  document TEXT NOT NULL
);

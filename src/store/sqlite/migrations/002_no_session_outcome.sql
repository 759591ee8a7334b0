-- blackout schema, version 2 (SQLite): the outcome no-session (BGP: no collector session is
-- up) appended to the Outcome enum after version 1 spelled the codes out.
INSERT OR IGNORE INTO outcomes (code, name) VALUES (25, 'no-session');

-- blackout schema, version 3 (SQLite): events and waves are read back by time, so their start
-- and end columns must hold them. Versions 1 and 2 wrote waves with start_us 0 and no end:
-- they are filled from the wave's document (RFC 3339 with milliseconds).
UPDATE waves SET
  start_us = CAST(round((julianday(json_extract(document, '$.start')) - 2440587.5) * 86400000.0) AS INTEGER) * 1000,
  end_us = CASE WHEN json_extract(document, '$.end') IS NULL THEN NULL
                ELSE CAST(round((julianday(json_extract(document, '$.end')) - 2440587.5) * 86400000.0) AS INTEGER) * 1000 END
  WHERE start_us = 0 AND json_valid(document) AND json_extract(document, '$.start') IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_start ON events (start_us);
CREATE INDEX IF NOT EXISTS waves_by_start ON waves (start_us);

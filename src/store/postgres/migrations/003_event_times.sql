-- blackout schema, version 3 (PostgreSQL): events and waves are read back by time, so their
-- start and end columns must hold them. Versions 1 and 2 wrote events and waves with
-- start_us 0 and never an end: they are filled from their documents.
UPDATE events SET
  start_us = round(extract(epoch FROM (document::jsonb->>'start')::timestamptz) * 1000000)::bigint,
  end_us = CASE WHEN document::jsonb->>'end' IS NULL THEN NULL
                ELSE round(extract(epoch FROM (document::jsonb->>'end')::timestamptz) * 1000000)::bigint END
  WHERE start_us = 0;
UPDATE waves SET
  start_us = round(extract(epoch FROM (document::jsonb->>'start')::timestamptz) * 1000000)::bigint,
  end_us = CASE WHEN document::jsonb->>'end' IS NULL THEN NULL
                ELSE round(extract(epoch FROM (document::jsonb->>'end')::timestamptz) * 1000000)::bigint END
  WHERE start_us = 0;
CREATE INDEX IF NOT EXISTS events_by_start ON events (start_us);
CREATE INDEX IF NOT EXISTS waves_by_start ON waves (start_us);

-- China 2027 (PROVISIONAL, see CHINA_HOLIDAYS_2027 in sla/calendar.ts): tenants that saved their own
-- calendar keep it, so they would have no 2027 at all. Those with no 2027 day get the provisional list
-- (the 调休 days must be checked against the State Council notice when it is published); the version
-- moves so an editor open on the old list gets a 409 instead of silently dropping 2027.
WITH y2027 (day, kind, name) AS (VALUES
    ('2027-01-01', 'holiday', '元旦'),
    ('2027-01-02', 'holiday', '元旦'),
    ('2027-01-03', 'holiday', '元旦'),
    ('2027-01-31', 'workday', '春节调休上班（待国务院通知确认）'),
    ('2027-02-05', 'holiday', '春节'),
    ('2027-02-06', 'holiday', '春节'),
    ('2027-02-07', 'holiday', '春节'),
    ('2027-02-08', 'holiday', '春节'),
    ('2027-02-09', 'holiday', '春节'),
    ('2027-02-10', 'holiday', '春节'),
    ('2027-02-11', 'holiday', '春节'),
    ('2027-02-12', 'holiday', '春节'),
    ('2027-02-13', 'holiday', '春节'),
    ('2027-02-14', 'workday', '春节调休上班（待国务院通知确认）'),
    ('2027-04-03', 'holiday', '清明节'),
    ('2027-04-04', 'holiday', '清明节'),
    ('2027-04-05', 'holiday', '清明节'),
    ('2027-05-01', 'holiday', '劳动节'),
    ('2027-05-02', 'holiday', '劳动节'),
    ('2027-05-03', 'holiday', '劳动节'),
    ('2027-05-04', 'holiday', '劳动节'),
    ('2027-05-05', 'holiday', '劳动节'),
    ('2027-05-08', 'workday', '劳动节调休上班（待国务院通知确认）'),
    ('2027-06-09', 'holiday', '端午节'),
    ('2027-09-15', 'holiday', '中秋节'),
    ('2027-09-26', 'workday', '国庆节调休上班（待国务院通知确认）'),
    ('2027-10-01', 'holiday', '国庆节'),
    ('2027-10-02', 'holiday', '国庆节'),
    ('2027-10-03', 'holiday', '国庆节'),
    ('2027-10-04', 'holiday', '国庆节'),
    ('2027-10-05', 'holiday', '国庆节'),
    ('2027-10-06', 'holiday', '国庆节'),
    ('2027-10-07', 'holiday', '国庆节'),
    ('2027-10-09', 'workday', '国庆节调休上班（待国务院通知确认）')
), todo AS (
  SELECT c.tenant_id FROM service_calendars c
  WHERE NOT EXISTS (SELECT 1 FROM service_calendar_days d WHERE d.tenant_id = c.tenant_id
    AND d.day BETWEEN DATE '2027-01-01' AND DATE '2027-12-31')
), ins AS (
  INSERT INTO service_calendar_days (tenant_id, day, kind, name)
  SELECT t.tenant_id, y.day::date, y.kind, y.name FROM todo t CROSS JOIN y2027 y
  ON CONFLICT DO NOTHING
)
UPDATE service_calendars c SET version = version + 1, updated_at = now()
FROM todo t WHERE t.tenant_id = c.tenant_id;

-- The calendar keys dim_date must (re)generate: every key when the calendar is missing,
-- incomplete or made for another fiscal start month (var fiscal_start_month), none
-- otherwise (the calendar is fixed: 2000-01-01 .. 2060-12-31 plus -1 = unknown date).
with calendar_ok as (
  select count(*) = 3 as ok
  from {{ previous_state('dim_date') }} d
  where d.date_key = -1 or d.date_key = 20601231
     or (d.date_key = 20000101
         and d.fiscal_month = (13 - {{ var('fiscal_start_month', 1) | int }}) % 12 + 1)
)
select -1 as date_key from calendar_ok where not ok
union all
select to_char(g.d, 'YYYYMMDD')::int
from calendar_ok, generate_series(date '2000-01-01', date '2060-12-31', interval '1 day') as g(d)
where not ok

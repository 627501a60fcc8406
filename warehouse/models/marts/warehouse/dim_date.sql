-- dim_date: one row per calendar day 2000-01-01 .. 2060-12-31, plus date_key -1
-- ("unknown date") for facts whose date is not known yet. date_key = yyyymmdd. ISO
-- week/year per ISO 8601; the fiscal year starts in month var('fiscal_start_month') and
-- is named after the calendar year it ends in (decision 0039). Holidays: a fixed list
-- (docs/warehouse.md): New Year's Day, Good Friday, Easter Sunday, Easter Monday, Labour
-- Day, Black Friday, Cyber Monday, Christmas Eve, Christmas Day, St Stephen's Day, New
-- Year's Eve. Written only when dim_date_scope says the calendar must be (re)generated.
{{ config(scope='dim_date_scope', scope_keys=['date_key']) }}
{%- set start_month = var('fiscal_start_month', 1) | int %}
with days as (
  select g.d::date as d
  from generate_series(date '2000-01-01', date '2060-12-31', interval '1 day') as g(d)
  where exists (select 1 from {{ ref('dim_date_scope') }})
), easter as (
  -- Anonymous Gregorian algorithm (Meeus/Jones/Butcher), one row per year.
  select y, make_date(y, (h + l - 7 * m + 114) / 31, ((h + l - 7 * m + 114) % 31) + 1) as sunday
  from (
    select y, h, l, (a + 11 * h + 22 * l) / 451 as m
    from (
      select y, a, h, (32 + 2 * e + 2 * i - h - k) % 7 as l
      from (
        select y, a, e, i, k, (19 * a + b - d - g + 15) % 30 as h
        from (
          select y, y % 19 as a, y / 100 as b, (y / 100) / 4 as d, (y / 100) % 4 as e,
                 ((y / 100) - ((y / 100) + 8) / 25 + 1) / 3 as g, (y % 100) / 4 as i,
                 (y % 100) % 4 as k
          from generate_series(2000, 2060) as years(y)
        ) s1
      ) s2
    ) s3
  ) s4
), black_friday as (
  -- The day after the fourth Thursday of November.
  select y, nov1 + ((4 - extract(isodow from nov1)::int + 7) % 7) + 21 + 1 as friday
  from (select y, make_date(y, 11, 1) as nov1 from generate_series(2000, 2060) as t(y)) n
), holidays as (
  select make_date(y, mm, dd) as d, name
  from generate_series(2000, 2060) as t(y),
       (values (1, 1, 'New Year''s Day'), (5, 1, 'Labour Day'), (12, 24, 'Christmas Eve'),
               (12, 25, 'Christmas Day'), (12, 26, 'St Stephen''s Day'),
               (12, 31, 'New Year''s Eve')) as fixed(mm, dd, name)
  union all select sunday - 2, 'Good Friday' from easter
  union all select sunday, 'Easter Sunday' from easter
  union all select sunday + 1, 'Easter Monday' from easter
  union all select friday, 'Black Friday' from black_friday
  union all select friday + 3, 'Cyber Monday' from black_friday
), fiscal as (
  select d, ((extract(month from d)::int - {{ start_month }} + 12) % 12) + 1 as fiscal_month,
         extract(year from d)::int
           + case when {{ start_month }} > 1 and extract(month from d)::int >= {{ start_month }}
                  then 1 else 0 end as fiscal_year
  from days
)
select -1 as date_key, null::date as full_date, null::int as year, null::int as quarter,
       null::int as month, null::text as month_name, null::int as day_of_month,
       null::int as day_of_year, null::int as iso_year, null::int as iso_week,
       null::int as iso_day_of_week, null::text as day_name, null::date as week_start,
       false as is_weekend, false as is_month_end, null::int as fiscal_year,
       null::int as fiscal_quarter, null::int as fiscal_month, false as is_holiday,
       null::text as holiday_name
where exists (select 1 from {{ ref('dim_date_scope') }} where date_key = -1)
union all
select to_char(days.d, 'YYYYMMDD')::int, days.d,
       extract(year from days.d)::int, extract(quarter from days.d)::int,
       extract(month from days.d)::int, trim(to_char(days.d, 'Month')),
       extract(day from days.d)::int, extract(doy from days.d)::int,
       extract(isoyear from days.d)::int, extract(week from days.d)::int,
       extract(isodow from days.d)::int, trim(to_char(days.d, 'Day')),
       date_trunc('week', days.d)::date,
       extract(isodow from days.d) in (6, 7),
       days.d = (date_trunc('month', days.d) + interval '1 month - 1 day')::date,
       fiscal.fiscal_year, (fiscal.fiscal_month - 1) / 3 + 1, fiscal.fiscal_month,
       h.name is not null, h.name
from days
join fiscal using (d)
left join (select d, string_agg(name, ', ' order by name) as name
           from holidays group by d) h using (d)

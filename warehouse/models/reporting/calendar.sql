-- One row per calendar date: ISO and fiscal calendars, weekends and holidays.
select full_date as calendar_date, year, quarter, month, month_name, day_of_month,
       iso_year, iso_week, iso_day_of_week, day_name, week_start, is_weekend, is_month_end,
       fiscal_year, fiscal_quarter, fiscal_month, is_holiday, holiday_name
from {{ source('warehouse', 'dim_date') }}
where date_key <> -1

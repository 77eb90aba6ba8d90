-- Running totals per town and indicator, every tier together, summed from fresh_indicator_town_fact
-- (data/grain_rollups.sql): a period of any length is then its last month's row less the row of the
-- month before it, two rows per town and indicator instead of a sum over the period's months
-- (queries/public_health_by_place.sql lists the province's 3,000 towns this way). Stocks read at period
-- end (macro at_period_end) come from the last month with data up to the row's month.
-- One row per indicator, town and month, from the town's first month with data to the last month of the
-- indicator facts (every month, so that any period finds its two rows); stored by month, then place
-- (healthdash/data/build.py MONTHLY_ROLLUPS). For the months from rebuild_window.from_month on, the
-- totals carry on from the stored row of the month before.
-- Columns: *_total and *_count (the sum of the non-null values and their number: a period whose
-- values are all missing stays missing), months (months with data), last_month, last_numerator and
-- last_denominator (that month's sums, a missing denominator left missing).
create table if not exists indicator_town_running (
    indicator_code varchar,
    month date,
    city_code varchar,
    county_code varchar,
    town_code varchar,
    numerator_total decimal(38, 10),
    numerator_count bigint,
    denominator_total decimal(38, 10),
    denominator_count bigint,
    months bigint,
    last_month date,
    last_numerator double,
    last_denominator double,
);

create or replace table fresh_indicator_town_running as
with monthly as (
    select indicator_code, town_code, month,
        any_value(city_code) as city_code,
        any_value(county_code) as county_code,
        sum(numerator::decimal(38, 10)) as numerator,
        sum(denominator::decimal(38, 10)) as denominator,
    from fresh_indicator_town_fact
    where town_code is not null
    group by indicator_code, town_code, month
),
carried as (
    select r.*
    from indicator_town_running r
    where r.month = (select (from_month - interval 1 month)::date from rebuild_window)
),
series as (
    select indicator_code, town_code, any_value(city_code) as city_code, any_value(county_code) as county_code,
    from (
        select indicator_code, town_code, city_code, county_code from carried
        union all
        select indicator_code, town_code, city_code, county_code from monthly
    )
    group by indicator_code, town_code
),
-- From the window's first month when totals carry on into it, else from the first month with data; to
-- the last month of the indicator facts, at most December of next year (as queries/data_months.sql).
calendar as (
    select unnest(generate_series(
        coalesce(
            (select w.from_month from rebuild_window w where exists (select 1 from carried)),
            (select min(month) from monthly)
        ),
        least(
            (select max(month) from fresh_indicator_fact),
            make_date(year(current_date) + 1, 12, 1)
        ),
        interval 1 month
    ))::date as month
),
running as (
    select
        s.indicator_code,
        c.month,
        s.city_code,
        s.county_code,
        s.town_code,
        coalesce(b.numerator_total, 0) + coalesce(sum(m.numerator) over w, 0) as numerator_total,
        coalesce(b.numerator_count, 0) + count(m.numerator) over w as numerator_count,
        coalesce(b.denominator_total, 0) + coalesce(sum(m.denominator) over w, 0) as denominator_total,
        coalesce(b.denominator_count, 0) + count(m.denominator) over w as denominator_count,
        coalesce(b.months, 0) + count(m.month) over w as months,
        coalesce(max(m.month) over w, b.last_month) as last_month,
        if(max(m.month) over w is null, b.last_numerator, (arg_max_null(m.numerator, m.month) over w)::double)
            as last_numerator,
        if(max(m.month) over w is null, b.last_denominator, (arg_max_null(m.denominator, m.month) over w)::double)
            as last_denominator,
    from series s
    cross join calendar c
    left join monthly m on m.indicator_code = s.indicator_code and m.town_code = s.town_code and m.month = c.month
    left join carried b on b.indicator_code = s.indicator_code and b.town_code = s.town_code
    window w as (partition by s.indicator_code, s.town_code order by c.month rows unbounded preceding)
)
select * from running where months > 0;

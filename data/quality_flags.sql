-- Data quality (issue 20), outliers: every declared measure's monthly series per unit, scored, and the
-- values worth a look. Rebuilt with the other rollups (healthdash/data/quality/schema.py, which sets
-- quality_settings: the lowest z-score and jump factor stored, so that a user may raise them, not lower).
--
-- Like with like, and each value against its own past only: r = value / (the unit's median of the 12 months
-- before × that month's median of value / level over the other units of the measure), so trend, level and
-- the shocks every unit shares (Spring Festival, epidemics) cancel; z = (r − the median r of the same
-- calendar month in the five years before) / (1.4826 × the MAD of r over the 36 months before), floored at
-- the Poisson noise √expected of a count, so a winter peak is compared with winters.
-- Scoring against the past only is what lets a load of new months leave earlier scores (and the follow-up
-- of their flags) as they were: the months from quality_window.from_month on are scored (fresh_*, spliced
-- by schema.py), reading back the stored scores of the 60 months before.

-- The series of the measures data/quality_measures.csv declares: one row per unit, measure and month.
create or replace view quality_value as
with volume as (
    unpivot (
        select facility_code, month, outpatient_visits::double as outpatient_visits,
            inpatient_discharges::double as inpatient_discharges, critical_cases::double as critical_cases,
            inpatient_spending::double as inpatient_spending,
        from service_volume
    )
    on outpatient_visits, inpatient_discharges, critical_cases, inpatient_spending
    into name measure value value
),
activity as (
    unpivot (
        select alliance_code, facility_code, month, doctors_sent::double as doctors_sent,
            expert_clinic_sessions::double as expert_clinic_sessions, teaching_rounds::double as teaching_rounds,
            lectures::double as lectures, surgery_demos::double as surgery_demos,
            trainees_sent_up::double as trainees_sent_up,
        from alliance_activity
    )
    on doctors_sent, expert_clinic_sessions, teaching_rounds, lectures, surgery_demos, trainees_sent_up
    into name measure value value
),
shared as (
    unpivot (
        select alliance_code, facility_code, month, service, remote_cases::double as remote_cases,
            cases_reviewed::double as cases_reviewed,
        from shared_service
    )
    on remote_cases, cases_reviewed
    into name measure value value
),
all_values as (
    select 'service_volume' as dataset, measure, facility_code as unit_code, '' as alliance_code, month, value,
    from volume
    union all
    select 'alliance_activity', measure, facility_code, alliance_code, month, value, from activity
    union all
    select 'shared_service', service || '_' || measure, facility_code, alliance_code, month, value, from shared
    union all
    select 'public_health', indicator_code, town_code, '', month, numerator, from public_health
)
select v.*,
from all_values v
semi join quality_measure m on m.dataset = v.dataset and m.measure = v.measure;

-- Each series (dataset, measure, unit, alliance) with values in the months the level reads, numbered; the
-- windows below partition and join on that number (and the measure's), not on four strings: at a province's
-- 24 million values the rows they sort and hold are a quarter of the size, so they stay in memory.
create or replace temp table quality_series_key as
select k.*, (row_number() over ())::integer as series,
    (dense_rank() over (order by k.dataset, k.measure))::integer as measure_key,
from (
    select distinct v.dataset, v.measure, v.unit_code, v.alliance_code,
    from quality_value v
    where v.month >= (select from_month from quality_window) - interval 12 month
) k;

-- Each value of the window with its unit's level: the median of its 12 months before, once at least 10 of
-- them reported (a level from a few months would take a season for the level: no score before).
create or replace temp table quality_level as
with series as (
    select k.series, k.measure_key, v.month, v.value,
    from quality_value v
    join quality_series_key k using (dataset, measure, unit_code, alliance_code)
    where v.month >= (select from_month from quality_window) - interval 12 month
),
levelled as (
    select s.* exclude (level), case when s.months >= 10 then s.level end as level,
    from (
        select s.*,
            median(s.value) over before as level,
            count(s.value) over before as months,
        from series s
        window before as (
            partition by s.series order by s.month
            range between interval 12 month preceding and interval 1 month preceding
        )
    ) s
)
select l.* exclude (months),
from levelled l
where l.month >= (select from_month from quality_window);

-- What the other units shared that month: the median of value / level over the measure's other units
-- (from 5 others on; fewer cannot tell a shared shock from one unit's error). Leaving the unit out keeps
-- its own noise out of its shock; read off the sorted ratios (the median of n − 1 values is a middle one
-- of the n, by the unit's rank), not recomputed for each unit.
create or replace temp table quality_shock as
with ratios as (
    select series, measure_key, month, value / level as ratio,
        row_number() over (partition by measure_key, month order by value / level) as rank,
    from quality_level
    where level > 0
),
months as (
    select measure_key, month, count(*) as units, list_sort(list(ratio)) as sorted, (count(*) + 1) // 2 as mid,
    from ratios
    group by all
)
select r.series, r.month,
    case
        when m.units < 6 then 1.0
        when m.units % 2 = 1 and r.rank < m.mid then (m.sorted[m.mid] + m.sorted[m.mid + 1]) / 2
        when m.units % 2 = 1 and r.rank > m.mid then (m.sorted[m.mid - 1] + m.sorted[m.mid]) / 2
        when m.units % 2 = 1 then (m.sorted[m.mid - 1] + m.sorted[m.mid + 1]) / 2
        when r.rank <= m.mid then m.sorted[m.mid + 1]
        else m.sorted[m.mid]
    end as shock,
from ratios r
join months m using (measure_key, month);

-- The window's values with their base (level × shock) and ratio r = value / base.
create or replace temp table quality_fresh as
select l.series, l.month, l.value,
    coalesce(s.shock, 1.0) as shock, l.level * coalesce(s.shock, 1.0) as base,
    case when l.level * coalesce(s.shock, 1.0) > 0 then l.value / (l.level * coalesce(s.shock, 1.0)) end as ratio,
from quality_level l
left join quality_shock s using (series, month);

-- The stored scores the window reads back: the 36 months before it (spread, last year) and, of the 60
-- months before, those of the window's calendar months (centre). A build has none.
create or replace temp table quality_past as
with window_months as (
    select distinct month(month) as calendar_month from quality_fresh
)
select k.series, q.month, q.value, q.shock, q.ratio, q.residual,
from quality_score q
join quality_series_key k using (dataset, measure, unit_code, alliance_code)
cross join quality_window w
where q.month < w.from_month
  and (q.month >= w.from_month - interval 36 month
       or (q.month >= w.from_month - interval 60 month
           and month(q.month) in (select calendar_month from window_months)));

-- How each value's centre and spread are computed: a load's few months join each value with its past (a
-- few dozen rows each); a build's whole series run windows over them. The same medians either way.
create or replace temp table quality_method as
select count(distinct month) <= 12 as joined, from quality_fresh;

-- centre: the median r of the same calendar month in the five years before; years: how many there were.
create or replace temp table quality_centre as
with ratios as (
    select series, month, ratio, false as fresh, from quality_past
    union all
    select series, month, ratio, true, from quality_fresh
),
by_join as (
    select f.series, f.month, median(r.ratio) as centre, count(r.ratio) as years,
    from quality_fresh f
    left join ratios r on r.series = f.series and month(r.month) = month(f.month)
        and r.month between f.month - interval 60 month and f.month - interval 1 month
    where (select joined from quality_method)
    group by all
),
by_window as (
    select r.series, r.month, r.fresh,
        median(r.ratio) over seasons as centre, count(r.ratio) over seasons as years,
    from ratios r
    where not (select joined from quality_method)
    window seasons as (
        partition by r.series, month(r.month) order by r.month
        range between interval 60 month preceding and interval 1 month preceding
    )
)
select * from by_join
union all
select * exclude (fresh) from by_window where fresh;

-- spread: 1.4826 × the median |r − centre| over the 36 months before, from a year of residuals on.
create or replace temp table quality_spread as
with fresh as (
    select f.*, c.centre, c.years, f.ratio - c.centre as residual,
    from quality_fresh f
    join quality_centre c using (series, month)
),
residuals as (
    select series, month, residual, false as fresh, from quality_past
    union all
    select series, month, residual, true, from fresh
),
by_join as (
    select f.series, f.month, median(abs(r.residual)) as mad, count(r.residual) as residuals,
    from fresh f
    left join residuals r on r.series = f.series
        and r.month between f.month - interval 36 month and f.month - interval 1 month
    where (select joined from quality_method)
    group by all
),
by_window as (
    select r.series, r.month, r.fresh,
        median(abs(r.residual)) over recent as mad, count(r.residual) over recent as residuals,
    from residuals r
    where not (select joined from quality_method)
    window recent as (
        partition by r.series order by r.month
        range between interval 36 month preceding and interval 1 month preceding
    )
),
spreads as (
    select * from by_join
    union all
    select * exclude (fresh) from by_window where fresh
)
select f.*, s.mad, s.residuals,
from fresh f
join spreads s using (series, month);

-- Every value of the window scored: expected = base × centre; spread in the measure's unit, floored at the
-- Poisson noise √expected of a count (none before a year of residuals: a MAD of a few is no measure of a
-- series' variation); z from 2 earlier years of that calendar month on; last_year: the same month last
-- year, moved by what every unit shared between the two months (shock), so an epidemic's month is no jump.
create or replace table fresh_quality_score as
with scored as (
    select s.*, s.base * s.centre as expected,
        case when s.residuals >= 12 then greatest(1.4826 * s.mad * s.base, sqrt(greatest(s.base * s.centre, 1)))
        end as spread,
    from quality_spread s
),
known as (
    select series, month, value, shock, from quality_past
    union all
    select series, month, value, shock, from quality_fresh
)
select
    k.dataset,
    k.measure,
    k.unit_code,
    k.alliance_code,
    e.month,
    e.value,
    e.shock,
    e.base,
    e.ratio,
    e.residual,
    e.expected,
    e.spread,
    case when e.years >= 2 and e.base > 0 then (e.value - e.expected) / e.spread end as z,
    y.value * e.shock / y.shock as last_year,
from scored e
join quality_series_key k on k.series = e.series
left join known y on y.series = e.series and y.month = (e.month - interval 1 year)::date;

-- The values worth a look, at the loosest thresholds a user may pick (quality_settings); the rules of
-- data/validation_rules.csv add theirs (healthdash/data/quality/rules.py). value, expected, spread, low and
-- high are in the measure's unit; score is the z-score (zscore) or value / last_year (jump, whose
-- expected is last_year).
create or replace table fresh_quality_flag as
with scored as (
    select s.*, q.min_z, q.min_jump,
    from fresh_quality_score s
    cross join quality_settings q
),
bounds as (
    select v.*, b.min as low, b.max as high,
    from fresh_quality_score v
    join quality_unit u on u.dataset = v.dataset
    join report_place p on p.unit_kind = u.unit_kind and p.unit_code = v.unit_code
    join quality_measure b on b.dataset = v.dataset and b.measure = v.measure and b.tier in (p.tier, '*')
    -- a tier's own bounds before the '*' row
    qualify row_number() over (partition by v.dataset, v.measure, v.unit_code, v.alliance_code, v.month
                               order by b.tier = '*') = 1
),
flags as (
    select 'zscore' as check_id, dataset, measure, unit_code, alliance_code, month, value, expected, spread,
        null::double as low, null::double as high, z as score,
    from scored
    where abs(z) >= min_z
    union all
    select 'jump', dataset, measure, unit_code, alliance_code, month, value, last_year, spread, null, null,
        value / last_year,
    from scored
    where last_year > 0
      and (value >= min_jump * last_year or value <= last_year / min_jump)
      -- and beyond the series' usual variation: min_z spreads of a difference of two values (√2 spreads),
      -- so that 1 → 6 lectures, or 48 → 103 remote cases of a series that swings by 16 a month, is no jump
      and abs(value - last_year) > min_z * sqrt(2) * spread
    union all
    select 'bounds', dataset, measure, unit_code, alliance_code, month, value, null, null, low, high, null,
    from bounds
    where value < low or value > high
)
select
    'outlier' as kind,
    'warning' as level,
    f.check_id,
    f.dataset,
    f.measure,
    p.unit_kind,
    f.unit_code,
    f.alliance_code,
    p.facility_code,
    p.town_code,
    p.county_code,
    p.city_code,
    p.tier,
    f.month,
    f.value,
    f.expected,
    f.spread,
    f.low,
    f.high,
    f.score,
from flags f
join quality_unit u on u.dataset = f.dataset
join report_place p on p.unit_kind = u.unit_kind and p.unit_code = f.unit_code
where p.in_scope;

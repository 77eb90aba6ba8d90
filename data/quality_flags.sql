-- Data quality (issue 20), outliers: every declared measure's monthly series per unit, scored, and the
-- values worth a look. Rebuilt with the other rollups (healthdash/data/quality/schema.py, which sets
-- quality_settings: the lowest z-score and jump factor stored, so that a user may raise them, not lower).
--
-- Like with like: r = value / (the unit's 12-month moving median × that month's median r over the other
-- units of the measure), so trend, level and the shocks every unit shares (Spring Festival, epidemics) cancel;
-- z = (r − the median r of the same calendar month over the years) / (1.4826 × the MAD of r over the
-- series), floored at the Poisson noise √expected of a count, so a winter peak is compared with winters.

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

-- Each value with its unit's level: the median of the 12 months around it (fewer at the series' ends).
create or replace temp table quality_level as
with series as (
    select * from quality_value  -- materialised first: the window below runs three times faster on it
)
select v.*,
    median(v.value) over (
        partition by v.dataset, v.measure, v.unit_code, v.alliance_code order by v.month
        range between interval 6 month preceding and interval 5 month following
    ) as level,
from series v;

-- What the other units shared that month: the median of value / level over the measure's other units
-- (from 5 others on; fewer cannot tell a shared shock from one unit's error). Leaving the unit out keeps
-- its own noise out of its shock; read off the sorted ratios (the median of n − 1 values is a middle one
-- of the n, by the unit's rank), not recomputed for each unit.
create or replace temp table quality_shock as
with ratios as (
    select dataset, measure, unit_code, alliance_code, month, value / level as ratio,
        row_number() over (partition by dataset, measure, month order by value / level) as rank,
    from quality_level
    where level > 0
),
months as (
    select dataset, measure, month, count(*) as units, list_sort(list(ratio)) as sorted, (count(*) + 1) // 2 as mid,
    from ratios
    group by all
)
select r.dataset, r.measure, r.unit_code, r.alliance_code, r.month,
    case
        when m.units < 6 then 1.0
        when m.units % 2 = 1 and r.rank < m.mid then (m.sorted[m.mid] + m.sorted[m.mid + 1]) / 2
        when m.units % 2 = 1 and r.rank > m.mid then (m.sorted[m.mid - 1] + m.sorted[m.mid]) / 2
        when m.units % 2 = 1 then (m.sorted[m.mid - 1] + m.sorted[m.mid + 1]) / 2
        when r.rank <= m.mid then m.sorted[m.mid + 1]
        else m.sorted[m.mid]
    end as shock,
from ratios r
join months m using (dataset, measure, month);

-- Every value scored: expected (the median ratio of the same calendar month in the other years, at this
-- month's level and shock: leaving the value out, so that with few years it cannot pull its own
-- expectation), spread (1.4826 × MAD of those leave-one-out residuals over the series, in the measure's
-- unit), z (from 3 years of that calendar month on), and last_year: the same month last year, moved by
-- what every unit shared between the two months (shock), so that an epidemic's month is no jump.
-- Sorted by unit: one series (a chart) is a short range of it. Lists and aggregates, not windows: five
-- times faster on the whole table.
create or replace table quality_score as
with based as (
    select l.*, coalesce(s.shock, 1.0) as shock, l.level * coalesce(s.shock, 1.0) as base,
        month(l.month) as calendar_month,
    from quality_level l
    left join quality_shock s using (dataset, measure, unit_code, alliance_code, month)
),
ratios as (
    select b.*, case when b.base > 0 then b.value / b.base end as ratio,
    from based b
),
seasons as (
    select dataset, measure, unit_code, alliance_code, calendar_month, count(ratio) as years,
        list(ratio order by month) as ratios, list(month order by month) as months,
    from ratios
    group by all
),
others as (  -- each month's ratio expected from the other years of its calendar month
    select dataset, measure, unit_code, alliance_code, years, unnest(months) as month,
        unnest(list_transform(generate_series(1, len(ratios)),
               lambda i: list_aggregate(list_concat(ratios[:i - 1], ratios[i + 1:]), 'median'))) as centre,
    from seasons
),
centred as (
    select r.*, o.centre, o.years,
    from ratios r
    join others o using (dataset, measure, unit_code, alliance_code, month)
),
spreads as (
    select dataset, measure, unit_code, alliance_code, median(abs(ratio - centre)) as mad,
    from centred
    group by all
),
expected as (
    select c.*, c.base * c.centre as expected,
        greatest(1.4826 * p.mad * c.base, sqrt(greatest(c.base * c.centre, 1))) as spread,
    from centred c
    join spreads p using (dataset, measure, unit_code, alliance_code)
)
select
    e.dataset,
    e.measure,
    e.unit_code,
    e.alliance_code,
    e.month,
    e.value,
    e.expected,
    e.spread,
    case when e.years >= 3 and e.base > 0 then (e.value - e.expected) / e.spread end as z,
    y.value * e.shock / y.shock as last_year,
from expected e
left join based y on y.dataset = e.dataset and y.measure = e.measure and y.unit_code = e.unit_code
    and y.alliance_code = e.alliance_code and y.month = (e.month - interval 1 year)::date
order by e.unit_code, e.dataset, e.measure, e.alliance_code, e.month;

-- The values worth a look, at the loosest thresholds a user may pick (quality_settings); the rules of
-- data/validation_rules.csv add theirs (healthdash/data/quality/rules.py). value, expected, spread, low and
-- high are in the measure's unit; score is the z-score (zscore) or value / last_year (jump, whose
-- expected is last_year).
create or replace table quality_flag as
with scored as (
    select s.*, q.min_z, q.min_jump,
    from quality_score s
    cross join quality_settings q
),
bounds as (
    select v.*, b.min as low, b.max as high,
    from quality_score v
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
where p.in_scope
order by p.county_code, f.month;

-- Flags inside a selection (place, tiers, alliance: as scoped_reports) and period, with the latest
-- follow-up mark of each: marks are keyed by what the flag is about, so they outlive reloads; a mark made
-- on another value than today's is shown as such (changed_since_mark).
create or replace macro scoped_flags(p_city, p_county, p_town, p_alliance, p_tiers, p_month_from, p_month_to, p_kind, p_code) as table
with members as (
    select facility_code, counted_from,
    from scoped_facilities(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code)
    where p_alliance is not null
),
picked as (
    select q.*,
    from quality_flag q
    where p_alliance is null
      and in_place(p_city, p_county, p_town, q.city_code, q.county_code, q.town_code)
      and (q.tier is null or list_contains(p_tiers, q.tier))
      and q.month between p_month_from and p_month_to
      and (reach_place(p_kind, p_code, q.city_code, q.county_code) or reach_facility(p_kind, p_code, q.facility_code))
    union all
    select q.*,
    from quality_flag q
    join members m on m.facility_code = q.facility_code
    where p_alliance is not null
      and q.month >= m.counted_from
      and q.alliance_code in ('', p_alliance)
      and in_place(p_city, p_county, p_town, q.city_code, q.county_code, q.town_code)
      and q.month between p_month_from and p_month_to
      and (reach_place(p_kind, p_code, q.city_code, q.county_code) or reach_facility(p_kind, p_code, q.facility_code) or (p_kind = 'alliance' and p_alliance = p_code))
),
latest as (
    select *,
    from quality_mark
    qualify row_number() over (partition by check_id, dataset, measure, unit_code, alliance_code, month
                               order by marked_at desc, mark_id desc) = 1
)
select
    p.*,
    m.status as mark_status,
    m.comment as mark_comment,
    m.marked_by,
    m.marked_at,
    m.value_at_mark,
    m.mark_id is not null and m.value_at_mark is distinct from p.value as changed_since_mark,
from picked p
left join latest m on m.check_id = p.check_id and m.dataset = p.dataset and m.measure = p.measure
    and m.unit_code = p.unit_code and m.alliance_code = p.alliance_code and m.month = p.month;

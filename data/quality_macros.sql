-- Data quality (issue 20): the macros page queries read reports and flags through. Run after the quality
-- tables are spliced (healthdash/data/quality/schema.py), since a macro is bound to the tables it reads.

-- The day a report of `month` is due: day p_due_day of the next month.
create or replace macro report_due_date(month, p_due_day) as (month + interval 1 month)::date + (p_due_day - 1);

-- Of `expected` reports of `month`, `received` of them in, how many are due on p_as_of: all once the due
-- day has passed, else those already in.
create or replace macro reports_due(expected, received, month, p_due_day, p_as_of) as
    received + case when p_as_of > report_due_date(month, p_due_day) then expected - received else 0 end;

-- Reports inside a selection (place, tiers, alliance), its datasets and months, each with its state on
-- p_as_of: received (by the due day), late, missing (due date passed, nothing came) or not_due (not
-- owed, excused, or not yet due). `due` marks the rows reporting rates count: expected, and either
-- received or past their due date (a month not yet due counts the reports already in).
-- Without an alliance the place and tier columns of report_status are the whole filter (one scan that
-- skips the row groups of other counties); an alliance's reports are its members' (scoped_facilities of
-- rollups.sql), from their joining, what they owe on their own (service volume) and to this alliance.
-- Towns and counties (public health, residents' care) ignore the tier filter and have no alliance.
create or replace macro scoped_reports(p_city, p_county, p_town, p_alliance, p_tiers, p_datasets, p_month_from,
                                       p_month_to, p_due_day, p_as_of, p_kind, p_code) as table
with members as (
    select facility_code, counted_from,
    from scoped_facilities(p_city, p_county, p_town, p_alliance, p_tiers, p_kind, p_code)
    where p_alliance is not null
),
picked as (
    select s.*,
    from report_status s
    where p_alliance is null
      and in_place(p_city, p_county, p_town, s.city_code, s.county_code, s.town_code)
      and (s.tier is null or list_contains(p_tiers, s.tier))
      and list_contains(p_datasets, s.dataset)
      and s.month between p_month_from and p_month_to
      and (reach_place(p_kind, p_code, s.city_code, s.county_code) or reach_facility(p_kind, p_code, s.facility_code))
    union all
    select s.*,
    from report_status s
    join members m on m.facility_code = s.facility_code
    where p_alliance is not null
      and s.month >= m.counted_from
      and s.alliance_code in ('', p_alliance)
      and in_place(p_city, p_county, p_town, s.city_code, s.county_code, s.town_code)
      and list_contains(p_datasets, s.dataset)
      and s.month between p_month_from and p_month_to
      and (reach_place(p_kind, p_code, s.city_code, s.county_code) or reach_facility(p_kind, p_code, s.facility_code) or (p_kind = 'alliance' and p_alliance = p_code))
)
select
    p.*,
    p.received and coalesce(p.received_day, 0) <= p_due_day as on_time,
    p.expected and (p.received or p_as_of > report_due_date(p.month, p_due_day)) as due,
    case
        when p.received and coalesce(p.received_day, 0) <= p_due_day then 'received'
        when p.received then 'late'
        when p.expected and p_as_of > report_due_date(p.month, p_due_day) then 'missing'
        else 'not_due'
    end as state,
from picked p;

-- Report counts of a selection per dataset, month, city and county: owed, due, received, on_time,
-- late, missing and not_yet_due (as scoped_reports counts them). From report_count without a town or an
-- alliance, from report_count_alliance for an alliance without a town, else summed from scoped_reports;
-- p_town and p_alliance are known when a query is planned, so only one branch runs.
create or replace macro scoped_report_counts(p_city, p_county, p_town, p_alliance, p_tiers, p_datasets, p_month_from,
                                             p_month_to, p_due_day, p_as_of, p_kind, p_code) as table
with counted as (
    select c.dataset, c.month, c.city_code, c.county_code, c.owed, c.expected, c.received,
        c.on_time_by_day[p_due_day] as on_time,
    from report_count c
    where p_town is null and p_alliance is null
      and in_place(p_city, p_county, null, c.city_code, c.county_code, null)
      and (c.tier is null or list_contains(p_tiers, c.tier))
      and list_contains(p_datasets, c.dataset)
      and c.month between p_month_from and p_month_to
      and reach_place(p_kind, p_code, c.city_code, c.county_code)
    union all
    select c.dataset, c.month, c.city_code, c.county_code, c.owed, c.expected, c.received,
        c.on_time_by_day[p_due_day] as on_time,
    from report_count_alliance c
    where p_town is null and c.alliance_code = p_alliance
      and in_place(p_city, p_county, null, c.city_code, c.county_code, null)
      and list_contains(p_tiers, c.tier)
      and list_contains(p_datasets, c.dataset)
      and c.month between p_month_from and p_month_to
      and (reach_place(p_kind, p_code, c.city_code, c.county_code) or (p_kind = 'alliance' and c.alliance_code = p_code))
    union all
    select s.dataset, s.month, s.city_code, s.county_code, count_if(s.owed), count_if(s.expected),
        count_if(s.expected and s.received), count_if(s.expected and s.on_time),
    from scoped_reports(p_city, p_county, p_town, p_alliance, p_tiers, p_datasets, p_month_from, p_month_to,
                        p_due_day, p_as_of, p_kind, p_code) s
    where p_town is not null
    group by all
),
dated as (
    select c.*, reports_due(c.expected, c.received, c.month, p_due_day, p_as_of) as due,
    from counted c
)
select
    d.dataset,
    d.month,
    d.city_code,
    d.county_code,
    d.owed,
    d.due,
    d.received,
    d.on_time,
    d.received - d.on_time as late,
    d.due - d.received as missing,
    d.expected - d.due as not_yet_due,
from dated d;

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

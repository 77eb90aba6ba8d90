-- Data quality (issue 20), reports: which unit owes which monthly report, what came in and when.
-- Rebuilt after every build and load (rebuild_rollups) and after an exception is recorded
-- (healthdash/data/quality/schema.py), from the registry (facility_geo, region, alliance_member, facility_dates),
-- report_receipt, report_exception, report_dataset (data/report_datasets.csv), quality_unit (each
-- dataset's reporting unit), report_presence (the months each unit has rows, from quality_window's month
-- on), report_span (each dataset's first and last month) and report_alliance_start (each alliance's first
-- month of a dataset): healthdash/data/quality/schema.py writes the last four from columns.py.
-- A dataset's reporting window runs from the first to the last month any unit reported it: months after
-- the last one are not owed yet ("数据截至").
-- Like the rollups, the monthly tables are computed as fresh_<name> for the months from
-- quality_window.from_month on and spliced into <name> (healthdash/data/splice.py).

-- Where every reporting unit sits: facilities, towns (public health) and counties (residents' care).
create or replace table report_place as
select 'facility' as unit_kind, g.facility_code as unit_code, g.facility_name as unit_name, g.facility_code,
    g.town_code, g.county_code, g.city_code, g.tier, g.in_scope,
from facility_geo g
union all
select 'town', t.code, t.name, null, t.code, t.parent_code, c.parent_code, null, t.in_scope,
from region t
join region c on c.code = t.parent_code
where t.level = 'town'
union all
select 'county', c.code, c.name, null, null, c.code, c.parent_code, null, c.in_scope,
from region c
where c.level = 'county';

create or replace temp table report_owed as
with windows as (
    -- A dataset nobody has reported is owed by nobody (greatest/least skip nulls: a closed unit would owe it).
    select dataset, first_month, last_month, from report_span where first_month is not null
),
dates as (
    select facility_code, date_trunc('month', opened)::date as opened, date_trunc('month', closed)::date as closed,
    from facility_dates
),
-- An alliance's shared centre starts with its first report (the registry does not say which alliance
-- runs one): datasets owed_from 'first_alliance_report' are owed by its members from then.
alliance_start as (
    select dataset, alliance_code, first_month, from report_alliance_start
),
facility_units as (
    select d.dataset, g.facility_code as unit_code, '' as alliance_code, dt.opened as start_month,
        dt.closed as end_month,
    from report_dataset d
    join facility_geo g on list_contains(d.tiers, g.tier)
    left join dates dt on dt.facility_code = g.facility_code
    where d.unit = 'facility' and g.in_scope
),
member_units as (
    select d.dataset, m.facility_code, m.alliance_code,
        greatest(date_trunc('month', m.joined), date_trunc('month', a.founded), dt.opened, s.first_month)::date,
        dt.closed,
    from report_dataset d
    join alliance a on list_contains(d.alliance_kinds, a.kind)
    join alliance_member m on m.alliance_code = a.code and m.role = 'member'
    join facility_geo g on g.facility_code = m.facility_code and list_contains(d.tiers, g.tier)
    left join dates dt on dt.facility_code = m.facility_code
    left join alliance_start s on s.dataset = d.dataset and s.alliance_code = a.code
    where d.unit = 'alliance_member' and g.in_scope
      and (d.owed_from <> 'first_alliance_report' or s.first_month is not null)
),
region_units as (
    select d.dataset, r.code, '', null::date, null::date,
    from report_dataset d
    join region r on r.level = d.unit
    where d.unit in ('town', 'county') and r.in_scope
),
units as (
    select * from facility_units
    union all
    select * from member_units
    union all
    select * from region_units
),
spans as (
    select u.dataset, u.unit_code, u.alliance_code,
        greatest(u.start_month, w.first_month, (select from_month from quality_window)) as first_month,
        least(u.end_month, w.last_month) as last_month,
    from units u
    join windows w on w.dataset = u.dataset
)
select dataset, unit_code, alliance_code,
    unnest(generate_series(first_month, last_month, interval 1 month))::date as month,
from spans
where first_month <= last_month;

-- One row per dataset, unit and month that is owed, excused or reported: expected = owed and not excused;
-- received = rows are in the database; received_day = the day of the next month the first delivery came
-- (1 = the 1st; null when no load recorded it, as in a database built whole: counted on time).
create or replace table fresh_report_status as
with first_receipt as (
    select dataset, unit_code, alliance_code, month, min(received_at) as received_at,
    from report_receipt
    where month >= (select from_month from quality_window)
    group by all
),
excused as (
    select o.dataset, o.unit_code, o.alliance_code, o.month, min(e.exception_id) as exception_id,
    from report_owed o
    join report_exception e on e.unit_code = o.unit_code and (e.dataset is null or e.dataset = o.dataset)
        and o.month between e.month_from and e.month_to
    where e.withdrawn_at is null
    group by all
),
rows as (
    select dataset, unit_code, alliance_code, month, o.month is not null as owed, p.month is not null as received,
    from report_owed o
    full join report_presence p using (dataset, unit_code, alliance_code, month)
)
select
    r.dataset,
    u.unit_kind,
    r.unit_code,
    r.alliance_code,
    pl.facility_code,
    pl.town_code,
    pl.county_code,
    pl.city_code,
    pl.tier,
    r.month,
    r.owed,
    r.owed and x.exception_id is null as expected,
    r.received,
    x.exception_id,
    f.received_at,
    date_diff('day', (r.month + interval 1 month)::date, f.received_at::date) + 1 as received_day,
from rows r
join quality_unit u on u.dataset = r.dataset
join report_place pl on pl.unit_kind = u.unit_kind and pl.unit_code = r.unit_code
left join excused x on x.dataset = r.dataset and x.unit_code = r.unit_code and x.alliance_code = r.alliance_code
    and x.month = r.month
left join first_receipt f on f.dataset = r.dataset and f.unit_code = r.unit_code
    and f.alliance_code = r.alliance_code and f.month = r.month
where pl.in_scope;

-- on_time_by_day[d]: of a histogram of delivery days (day of the next month, 0 for earlier or unknown),
-- the reports in by day d, for d from 1 to n: any due day up to n is then one list read.
create or replace macro on_time_by_day(days, n) as
    list_transform(generate_series(1, n), lambda d: coalesce(list_sum([e.value for e in map_entries(days) if e.key <= d]), 0));

-- Counts per dataset, month, county and tier: what selections without a town or an alliance read (the
-- province's, a city's or a county's rates), a tenth of report_status's rows, sorted by month so that a
-- period skips the others.
create or replace table fresh_report_count as
with grouped as (
    select dataset, month, city_code, county_code, tier,
        count(*) filter (where owed) as owed,
        count(*) filter (where expected) as expected,
        count(*) filter (where expected and received) as received,
        histogram(greatest(coalesce(received_day, 0), 0)) filter (where expected and received) as days,
    from fresh_report_status
    group by all
)
select g.* exclude (days), on_time_by_day(g.days, q.max_due_day) as on_time_by_day,
from grouped g
cross join quality_settings q;

-- The same per alliance: its members' reports from their joining (and the founding), what they owe on
-- their own (service volume) and to this alliance; for an alliance's selection and the alliance ranking.
create or replace table fresh_report_count_alliance as
with members as (
    select m.alliance_code, m.facility_code,
        greatest(min(date_trunc('month', m.joined)), any_value(date_trunc('month', a.founded)))::date as first_month,
    from alliance_member m
    join alliance a on a.code = m.alliance_code
    group by all
),
grouped as (
    select m.alliance_code, s.dataset, s.month, s.city_code, s.county_code, s.tier,
        count(*) filter (where s.owed) as owed,
        count(*) filter (where s.expected) as expected,
        count(*) filter (where s.expected and s.received) as received,
        histogram(greatest(coalesce(s.received_day, 0), 0)) filter (where s.expected and s.received) as days,
    from fresh_report_status s
    join members m on m.facility_code = s.facility_code and s.month >= m.first_month
        and s.alliance_code in ('', m.alliance_code)
    group by all
)
select g.* exclude (days), on_time_by_day(g.days, q.max_due_day) as on_time_by_day,
from grouped g
cross join quality_settings q;

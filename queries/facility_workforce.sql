-- One facility's staff on the licensing registers at the period's last month and twelve months before,
-- and its pathogen identification work over the period: as a sending member ('sent') and as the network's
-- centre ('identified for members').
-- Parameters: $facility; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per side: 'register_end', 'register_year_before' (when the register has the month),
-- 'pathogen_sent', 'pathogen_centre' (when the facility has such rows); counts in the register columns,
-- cases in the pathogen columns.
with reach as (
    select $facility as facility_code
    where $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
),
register as (
    select case when w.month = $month_to::date then 'register_end' else 'register_year_before' end as side,
        w.physicians, w.nurses, w.technicians, w.village_doctors, w.village_doctors_licensed,
        null::bigint as cases_sent, null::bigint as cases_identified, null::double as turnaround_hours,
        null::bigint as members,
    from workforce_register w
    join reach on reach.facility_code = w.facility_code
    where w.month in ($month_to::date, ($month_to::date - interval 12 month)::date)
),
pathogen as (
    select case when p.facility_code = $facility then 'pathogen_sent' else 'pathogen_centre' end as side,
        null::integer, null::integer, null::integer, null::integer, null::integer,
        sum(p.cases_sent), sum(p.cases_identified), sum(p.turnaround_hours), count(distinct p.facility_code),
    from pathogen_test p
    join alliance al on al.code = p.alliance_code
    where (p.facility_code = $facility or al.lead_facility = $facility)
      and exists (select 1 from reach)
      and p.month between $month_from::date and $month_to::date
    group by all
)
select * from register
union all
select * from pathogen
order by side;

-- Shared services one facility used (as a member whose cases went to an alliance's centre) and provided
-- (through the alliances it leads, whose centres served the members), over the period, per service, with
-- the imaging quality counts.
-- Parameters: $facility; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per side ('used' | 'provided'), alliance and service.
with rows as (
    select
        case when ss.facility_code = $facility then 'used' else 'provided' end as side,
        ss.*,
        al.name as alliance_name,
    from shared_service ss
    join alliance al on al.code = ss.alliance_code
    where (ss.facility_code = $facility or al.lead_facility = $facility)
      and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
      and ss.month between $month_from::date and $month_to::date
),
totals as (
    select
        r.side,
        r.alliance_code,
        r.alliance_name,
        r.service,
        count(distinct r.facility_code) as facilities,
        sum(r.remote_cases) as remote_cases,
        sum(r.cases_reviewed) as cases_reviewed,
        sum(r.concordant) as concordant,
        sum(r.films_graded) as films_graded,
        sum(r.grade_a_films) as grade_a_films,
    from rows r
    group by all
)
select t.*,
from totals t
order by t.side desc, t.alliance_code,
    case t.service when 'imaging' then 1 when 'ecg' then 2 when 'pathology' then 3 else 4 end;

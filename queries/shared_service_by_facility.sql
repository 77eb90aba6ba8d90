-- Shared-service use of each member facility of the selection over the period (summed over the
-- alliances whose centres serve it, so a facility in two networks is one row): remote cases per service
-- and the imaging quality counts.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per facility with shared-service rows in the period.
with scoped as (
    select ss.*, s.facility_name, s.tier, s.county_code, s.town_code,
    from shared_service ss
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = ss.facility_code
        and ss.month >= s.counted_from
    where ($alliance is null or ss.alliance_code = $alliance)
      and ss.month between $month_from::date and $month_to::date
)
select
    s.facility_code,
    s.facility_name,
    s.tier,
    county.name as county_name,
    town.name as town_name,
    sum(s.remote_cases) filter (where s.service = 'imaging') as imaging_cases,
    sum(s.remote_cases) filter (where s.service = 'ecg') as ecg_cases,
    sum(s.remote_cases) filter (where s.service = 'pathology') as pathology_cases,
    sum(s.remote_cases) filter (where s.service = 'lab') as lab_cases,
    sum(s.concordant) filter (where s.service = 'imaging') as concordant,
    sum(s.cases_reviewed) filter (where s.service = 'imaging') as cases_reviewed,
    sum(s.grade_a_films) filter (where s.service = 'imaging') as grade_a_films,
    sum(s.films_graded) filter (where s.service = 'imaging') as films_graded,
from scoped s
left join region county on county.code = s.county_code
left join region town on town.code = s.town_code
group by all
order by s.facility_name;

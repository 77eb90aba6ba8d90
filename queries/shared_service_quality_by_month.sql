-- Shared-service centres month by month: remote cases per service (imaging, ecg, pathology, lab) and the
-- quality counts behind imaging_concordance_rate (concordant / cases_reviewed) and grade_a_film_rate
-- (grade_a_films / films_graded), at the member facilities of the selection (with an alliance selected,
-- only that alliance's centres).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per month and service with data.
with scoped as (
    select ss.*,
    from shared_service ss
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = ss.facility_code
        and ss.month >= s.counted_from
    where ($alliance is null or ss.alliance_code = $alliance)
      and ss.month between $month_from::date and $month_to::date
)
select
    s.month,
    s.service,
    sum(s.remote_cases) as remote_cases,
    sum(s.cases_reviewed) as cases_reviewed,
    sum(s.concordant) as concordant,
    sum(s.films_graded) as films_graded,
    sum(s.grade_a_films) as grade_a_films,
from scoped s
group by all
order by s.month, s.service;

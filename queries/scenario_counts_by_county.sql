-- The counts the what-if model starts from (healthdash/scenario.py `Counts`), per county of the selection.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $month_from, $month_to (the period);
--             $prev_from, $prev_to (the same months a year earlier: down-referrals for their growth).
-- Grain: one row per county with data in the period. Flows add up over the months; contracts and
-- population are the stock at each county's last month with data (as indicator_by_place does).
-- Reads the coarsest grain that answers the selection (macro place_facts: counties unless a town or an
-- alliance is selected). The period's rows are summed per county, month and indicator first (outpatient
-- visits only at county hospitals, the only ones the model counts): every later step reads a few thousand rows.
with period as (
    select f.county_code, f.month, f.indicator_code, sum(f.numerator) as numerator, sum(f.denominator) as denominator,
    from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, 'county') f
    where f.indicator_code in (
            'county_retention_rate', 'in_county_inpatient_share', 'ins_fund_in_county_share',
            'primary_visit_share', 'outpatient_visits', 'up_referrals', 'down_referrals',
            'out_of_county_referrals', 'fd_coverage'
        )
      and f.month between $month_from::date and $month_to::date
      and (f.indicator_code <> 'outpatient_visits' or f.tier = 'county')
    group by all
),
flows as (
    select
        p.county_code,
        sum(p.numerator) filter (where p.indicator_code = 'county_retention_rate') as visits_in,
        sum(p.denominator) filter (where p.indicator_code = 'county_retention_rate') as visits_total,
        sum(p.numerator) filter (where p.indicator_code = 'in_county_inpatient_share') as admissions_in,
        sum(p.denominator) filter (where p.indicator_code = 'in_county_inpatient_share') as admissions_total,
        sum(p.numerator) filter (where p.indicator_code = 'ins_fund_in_county_share') as fund_in,
        sum(p.denominator) filter (where p.indicator_code = 'ins_fund_in_county_share') as fund_total,
        sum(p.numerator) filter (where p.indicator_code = 'primary_visit_share') as primary_visits,
        sum(p.denominator) filter (where p.indicator_code = 'primary_visit_share') as all_visits,
        sum(p.numerator) filter (where p.indicator_code = 'outpatient_visits') as county_hospital_visits,
        sum(p.numerator) filter (where p.indicator_code = 'up_referrals') as up,
        sum(p.numerator) filter (where p.indicator_code = 'down_referrals') as down,
        sum(p.numerator) filter (where p.indicator_code = 'out_of_county_referrals') as out_of_county,
    from period p
    group by all
),
last_year as (
    select f.county_code, sum(f.numerator) as down_last_year,
    from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, 'county') f
    where f.indicator_code = 'down_referrals' and f.month between $prev_from::date and $prev_to::date
    group by all
),
contracts as (
    select p.county_code, p.numerator as contracted, p.denominator as population,
    from period p
    where p.indicator_code = 'fd_coverage'
    qualify p.month = max(p.month) over (partition by p.county_code)
),
fund_out as (
    select rc.county_code, sum(rc.fund_out_of_county) as fund_out_inpatient,
    from resident_care rc
    where rc.setting = 'inpatient'
      and rc.month between $month_from::date and $month_to::date
      -- the counties whose in-county admission rows are in scope: the scope rule applies to the base table too
      and rc.county_code in (select p.county_code from period p where p.indicator_code = 'in_county_inpatient_share')
    group by all
)
select
    fl.county_code,
    r.name as county_name,
    r.parent_code as city_code,
    coalesce(fl.visits_in, 0) as visits_in,
    coalesce(fl.visits_total, 0) as visits_total,
    coalesce(fl.admissions_in, 0) as admissions_in,
    coalesce(fl.admissions_total, 0) as admissions_total,
    coalesce(fo.fund_out_inpatient, 0) as fund_out_inpatient,
    coalesce(fl.fund_in, 0) as fund_in,
    coalesce(fl.fund_total, 0) as fund_total,
    coalesce(fl.primary_visits, 0) as primary_visits,
    coalesce(fl.all_visits, 0) as all_visits,
    coalesce(fl.county_hospital_visits, 0) as county_hospital_visits,
    coalesce(fl.up, 0) as up,
    coalesce(fl.down, 0) as down,
    coalesce(fl.out_of_county, 0) as out_of_county,
    coalesce(ly.down_last_year, 0) as down_last_year,
    coalesce(co.contracted, 0) as contracted,
    coalesce(co.population, 0) as population,
from flows fl
join region r on r.code = fl.county_code
left join last_year ly on ly.county_code = fl.county_code
left join contracts co on co.county_code = fl.county_code
left join fund_out fo on fo.county_code = fl.county_code
order by fl.county_code;

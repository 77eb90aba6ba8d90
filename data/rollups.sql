-- Rollups built from the base tables after every build or load. Pages read only these (and the
-- small dimension tables), never the raw referral events.
-- Each monthly rollup X is computed here as fresh_X for the months from rebuild_window.from_month on
-- (every month after a build; after a load, the first month it changed: healthdash/ingest/loader.py), and
-- healthdash/data/build.py splices fresh_X into X: those months replaced, the others kept. Every figure
-- of a month depends on that month and earlier ones only, so one definition serves any window.

-- One row per facility: where it sits at every level, so no page query has to walk the region tree.
create or replace table facility_geo as
with placed as (
    select
        f.code as facility_code,
        f.name as facility_name,
        f.tier,
        f.category,
        case when r.level = 'town' then r.code end as town_code,
        case when r.level = 'town' then r.parent_code else r.code end as county_code,
    from facility f
    join region r on r.code = f.region_code
)
select
    p.*,
    c.parent_code as city_code,
    c.in_scope,
    c.urban as county_urban,
from placed p
join region c on c.code = p.county_code;

-- The referrals every referral rollup counts: not cancelled, in the months being rebuilt, with their month
-- and "home" facility, whose place the referral belongs to: the receiver for patients returned into a
-- county, otherwise the sender.
create or replace temp view counted_referral as
select
    date_trunc('month', r.referral_date)::date as month,
    r.from_facility,
    r.to_facility,
    r.direction,
    case when r.direction = 'returned' then r.to_facility else r.from_facility end as home_facility,
    r.disease_chapter,
    r.green_channel,
from referral r
where r.status <> 'cancelled'
  and r.referral_date >= (select from_month from rebuild_window);

-- Referral flows per month between two facilities; home_county is the home facility's county, which the
-- table is stored by (a query joining its scope on it reads the county's rows only).
create or replace table fresh_referral_flow_monthly as
select f.*, g.county_code as home_county,
from (
    select
        r.month,
        r.from_facility,
        r.to_facility,
        r.direction,
        r.home_facility,
        count(*) as referrals,
        count(*) filter (where r.green_channel) as green_referrals,
    from counted_referral r
    group by all
) f
left join facility_geo g on g.facility_code = f.home_facility;

-- Referrals per month, home facility (and its county), direction and ICD-10 chapter (for disease-group views).
create or replace table fresh_referral_disease_monthly as
select f.*, g.county_code as home_county,
from (
    select r.month, r.home_facility, r.direction, r.disease_chapter, count(*) as referrals,
    from counted_referral r
    group by all
) f
left join facility_geo g on g.facility_code = f.home_facility;

-- Every indicator of the catalog in one long table of numerators and denominators, at the finest
-- level it exists: facility (with its places), or a town or county for region-level figures.
-- Page queries aggregate it as sum(numerator) / sum(denominator); counts carry a null denominator.
-- Written unsorted, sorted when spliced in: sorting while the windows below run ran out of 6 GB at a
-- province's 58 million rows (docs/PERFORMANCE.md), a plain sort of the table spills to disk.
create or replace table fresh_indicator_fact as
with
window_start as (select from_month from rebuild_window),
-- A town's first month of each indicator, over all its reports: rolling coverage starts a window after it.
public_health_start as (
    select town_code, indicator_code, min(month) as first_month,
    from public_health
    group by all
),
-- Public-health rows as every page reads them, at each month: year-to-date indicators carry the sum
-- from January to that month, rolling coverage the sum over its window (only once the town has
-- reported for the whole window), so that a period takes its last month like any stock.
public_health_at_month as (
    select
        p.indicator_code,
        p.town_code,
        p.month,
        case i.aggregation
            when 'ytd' then sum(p.numerator) over (
                partition by p.town_code, p.indicator_code, year(p.month) order by p.month)
            when 'rolling_coverage' then sum(p.numerator) over (
                partition by p.town_code, p.indicator_code order by p.month
                range between to_months(i.window_months - 1) preceding and current row)
            else p.numerator
        end as numerator,
        p.denominator,
        i.aggregation,
        i.window_months,
        s.first_month,
    from public_health p
    join indicator i on i.code = p.indicator_code
    join public_health_start s on s.town_code = p.town_code and s.indicator_code = p.indicator_code
    cross join window_start w
    -- the months of the window, and those its year to date or rolling window reaches back to
    where p.month >= case i.aggregation
        when 'ytd' then date_trunc('year', w.from_month)::date
        when 'rolling_coverage' then w.from_month - to_months(i.window_months - 1)
        else w.from_month
    end
    qualify (i.aggregation <> 'rolling_coverage' or first_month <= p.month - to_months(i.window_months - 1))
        and p.month >= (select from_month from window_start)
),
facility_month as (
    select g.*, v.month, v.outpatient_visits, v.inpatient_discharges, v.critical_cases, v.inpatient_spending,
    from service_volume v
    join facility_geo g on g.facility_code = v.facility_code
    where g.in_scope
      and v.month >= (select from_month from window_start)
),
volume as (
    select 'outpatient_visits' as indicator_code, facility_code, month, outpatient_visits::double as numerator, null::double as denominator, null as alliance_code from facility_month
    union all
    select 'inpatient_discharges', facility_code, month, inpatient_discharges, null, null from facility_month
    union all
    select 'critical_cases_treated', facility_code, month, critical_cases, null, null from facility_month
    where critical_cases > 0 or tier in ('county', 'tertiary')
    union all
    select 'primary_visit_share', facility_code, month,
        case when tier in ('township', 'community', 'village') then outpatient_visits else 0 end, outpatient_visits, null
    from facility_month where outpatient_visits > 0
    union all
    select 'township_inpatient_share', facility_code, month,
        case when tier = 'township' then inpatient_discharges else 0 end, inpatient_discharges, null
    from facility_month where inpatient_discharges > 0
    union all
    select 'tcm_visit_share', facility_code, month,
        case when category = 'tcm' then outpatient_visits else 0 end, outpatient_visits, null
    from facility_month where outpatient_visits > 0
    union all
    select 'inpatient_cost_per_admission', facility_code, month, inpatient_spending, inpatient_discharges, null
    from facility_month where inpatient_discharges > 0 and tier in ('county', 'township')
),
referral_sums as (
    select
        home_facility as facility_code,
        month,
        sum(referrals) filter (where direction = 'up') as up,
        sum(referrals) filter (where direction = 'down') as down,
        sum(referrals) filter (where direction = 'out_of_county') as out_of_county,
        sum(referrals) filter (where direction = 'returned') as returned,
        sum(green_referrals) filter (where direction = 'up') as green_up,
    from fresh_referral_flow_monthly
    group by all
),
-- A facility that reported its month (a service_volume row) and sent no referral sent 0, not "no
-- data"; referrals of a month without a volume report still count.
flows as (
    select
        coalesce(s.facility_code, v.facility_code) as facility_code,
        coalesce(s.month, v.month) as month,
        coalesce(s.up, 0) as up,
        coalesce(s.down, 0) as down,
        coalesce(s.out_of_county, 0) as out_of_county,
        coalesce(s.returned, 0) as returned,
        coalesce(s.green_up, 0) as green_up,
    from referral_sums s
    full join (select facility_code, month from facility_month) v
        on v.facility_code = s.facility_code and v.month = s.month
),
referral as (
    select 'up_referrals' as indicator_code, facility_code, month, up::double as numerator, null::double as denominator, null as alliance_code from flows
    union all
    select 'down_referrals', facility_code, month, down, null, null from flows
    union all
    select 'out_of_county_referrals', facility_code, month, out_of_county, null, null from flows
    union all
    select 'returned_referrals', facility_code, month, returned, null, null from flows
    union all
    -- A referral out of the county is a referral upward too (data/INDICATORS.md).
    select 'down_up_ratio', facility_code, month, down, up + out_of_county, null from flows
    where down + up + out_of_county > 0
    union all
    select 'out_of_county_referral_rate', facility_code, month, out_of_county, up + down + out_of_county, null
    from flows where up + down + out_of_county > 0
    union all
    select 'green_channel_share', facility_code, month, green_up, up, null from flows where up > 0
),
alliance_work as (
    select * from alliance_activity where month >= (select from_month from window_start)
),
shared_work as (
    select * from shared_service where month >= (select from_month from window_start)
),
activity as (
    select 'staff_sent_down' as indicator_code, facility_code, month,
        (doctors_sent + nurses_sent + pharmacists_sent + technicians_sent)::double as numerator, null::double as denominator, alliance_code
    from alliance_work
    union all
    select 'expert_clinic_sessions', facility_code, month, expert_clinic_sessions, null, alliance_code from alliance_work
    union all
    select 'teaching_rounds', facility_code, month, teaching_rounds, null, alliance_code from alliance_work
    union all
    select 'lectures', facility_code, month, lectures, null, alliance_code from alliance_work
    union all
    select 'surgery_demos', facility_code, month, surgery_demos, null, alliance_code from alliance_work
    union all
    select 'trainees_sent_up', facility_code, month, trainees_sent_up, null, alliance_code from alliance_work
    union all
    select 'remote_consults', facility_code, month, sum(remote_cases), null, alliance_code
    from shared_work where service in ('imaging', 'ecg', 'pathology') group by all
    union all
    select 'regional_lab_tests', facility_code, month, remote_cases, null, alliance_code
    from shared_work where service = 'lab'
    union all
    select 'imaging_concordance_rate', facility_code, month, concordant, cases_reviewed, alliance_code
    from shared_work where service = 'imaging' and cases_reviewed > 0
    union all
    select 'grade_a_film_rate', facility_code, month, grade_a_films, films_graded, alliance_code
    from shared_work where service = 'imaging' and films_graded > 0
),
-- Licensing registers and the pathogen network (issue 26). A clinic without village doctors has no licence
-- rate (no denominator), and a member that sent nothing in a month it reported sent 0.
register_in as (
    select * from workforce_register where month >= (select from_month from window_start)
),
pathogen_in as (
    select * from pathogen_test where month >= (select from_month from window_start)
),
registers as (
    select 'village_doctor_licence_rate' as indicator_code, facility_code, month,
        village_doctors_licensed::double as numerator, village_doctors::double as denominator, null as alliance_code
    from register_in where village_doctors > 0
    union all
    select 'pathogen_cases_sent', facility_code, month, cases_sent, null, alliance_code from pathogen_in
    union all
    select 'pathogen_identification_rate', facility_code, month, cases_identified, cases_sent, alliance_code
    from pathogen_in where cases_sent > 0
    union all
    select 'pathogen_turnaround_hours', facility_code, month, turnaround_hours, cases_identified, alliance_code
    from pathogen_in where cases_identified > 0
),
-- Registered physicians and nurses of a county's facilities per month of its register extract.
county_staff as (
    select g.county_code, r.month, sum(r.physicians) as physicians, sum(r.nurses) as nurses,
    from register_in r
    join facility_geo g on g.facility_code = r.facility_code
    group by all
),
facility_level as (
    select * from volume
    union all
    select * from registers
    union all
    select * from referral
    union all
    select * from activity
),
care as (
    select * from resident_care where month >= (select from_month from window_start)
),
poverty as (
    select * from poverty_monitoring where month >= (select from_month from window_start)
),
serious_illness_in as (
    select * from serious_illness where month >= (select from_month from window_start)
),
eldercare as (
    select * from elderly_care where month >= (select from_month from window_start)
),
region_level as (
    select 'county_retention_rate' as indicator_code, county_code as region_code, month,
        sum(visits_in_county)::double as numerator, sum(visits_in_county + visits_out_of_county)::double as denominator
    from care group by all
    union all
    select 'in_county_inpatient_share', county_code, month, visits_in_county, visits_in_county + visits_out_of_county
    from care where setting = 'inpatient'
    union all
    select 'ins_fund_in_county_share', county_code, month, sum(fund_in_county), sum(fund_in_county + fund_out_of_county)
    from care group by all
    union all
    -- Only months whose report gave the primary-care part (the column is optional).
    select 'primary_fund_share', county_code, month, sum(fund_primary), sum(fund_in_county)
    from care group by all having count(fund_primary) = count(*) and sum(fund_in_county) > 0
    union all
    select indicator_code, town_code, month, numerator, denominator from public_health_at_month
    union all
    -- A yearly report: the newest report of a county's year stands at every month of that year, so that a
    -- period (read at its last month) shows the year it ends in.
    select 'primary_income_ratio', y.county_code, (make_date(y.year, 1, 1) + to_months(r.k::integer))::date,
        y.primary_avg_income, y.lead_avg_income
    from (
        select county_code, year(month)::integer as year, arg_max(primary_avg_income, month) as primary_avg_income,
            arg_max(lead_avg_income, month) as lead_avg_income,
        from staff_income
        where year(month) >= year((select from_month from window_start))
        group by all
    ) y
    cross join range(0, 12) r(k)
    where y.lead_avg_income > 0
      and make_date(y.year, 1, 1) + to_months(r.k::integer) >= (select from_month from window_start)
    union all
    -- 防止因病返贫 (issue 26): the monitored population's report; rates only where their denominator is not 0.
    select 'poverty_monitored_people', town_code, month, monitored_people, null from poverty
    union all
    select 'poverty_exit_people', town_code, month, people_exited, null from poverty
    union all
    select 'poverty_exit_households', town_code, month, households_exited, null from poverty
    union all
    select 'poverty_fd_coverage', town_code, month, contracted_people, monitored_people
    from poverty where monitored_people > 0
    union all
    select 'poverty_oop_share', town_code, month, out_of_pocket, inpatient_spending
    from poverty where inpatient_spending > 0
    union all
    select 'village_clinic_standard_rate', town_code, month, village_clinics_standard, village_clinics
    from poverty where village_clinics > 0
    union all
    -- Clinics brought up to the standard in the month: the change from the month before, when it was reported.
    select 'village_clinics_to_standard', town_code, month, numerator, null
    from (
        select town_code, month,
            village_clinics_standard - lag(village_clinics_standard) over w as numerator,
            lag(month) over w as previous,
        from poverty_monitoring
        where month >= (select from_month from window_start) - interval 1 month
        window w as (partition by town_code order by month)
    )
    where previous = month - interval 1 month and month >= (select from_month from window_start)
    union all
    select 'serious_illness_treatment_rate', town_code, month, sum(treated), sum(cases)
    from serious_illness_in group by town_code, month having sum(cases) > 0
    union all
    -- 医养结合 (issue 26): both settings of a town together; a town reporting 0 beds is a town without.
    select 'eldercare_beds', town_code, month, sum(beds), null from eldercare group by town_code, month
    union all
    select 'eldercare_residents', town_code, month, sum(residents), null from eldercare group by town_code, month
    union all
    select 'eldercare_occupancy', town_code, month, sum(residents), sum(beds)
    from eldercare group by town_code, month having sum(beds) > 0
    union all
    select 'eldercare_town_coverage', town_code, month, if(sum(beds) > 0, 1, 0), 1
    from eldercare group by town_code, month
    union all
    -- The yearly screening counts are the coverage indicators' monthly numerators.
    select case indicator_code when 'cervical_screening_rate' then 'cervical_screenings' else 'breast_screenings' end,
        town_code, month, numerator, null
    from public_health
    where indicator_code in ('cervical_screening_rate', 'breast_screening_rate')
      and month >= (select from_month from window_start)
    union all
    -- Physicians posted to the county's primary facilities (month-end stock, every alliance) per 10,000
    -- residents; every in-scope county gets a row each month so that its population counts when summed.
    select 'posted_physicians_per_10k', c.code, m.month, coalesce(p.posted, 0), c.population / 10000.0
    from region c
    cross join (select distinct month from alliance_work) m
    left join (
        select g.county_code, a.month, sum(a.posted_physicians) as posted,
        from alliance_work a
        join facility_geo g on g.facility_code = a.facility_code
        where g.tier in ('township', 'community', 'village')
        group by all
    ) p on p.county_code = c.code and p.month = m.month
    where c.level = 'county' and c.in_scope
    union all
    -- Per 1,000 residents: a county counts in the months its register extract covers, with its population.
    select 'physicians_per_1000', c.code, w.month, w.physicians, c.population / 1000.0
    from region c join county_staff w on w.county_code = c.code
    where c.level = 'county' and c.in_scope and c.population > 0
    union all
    select 'nurses_per_1000', c.code, w.month, w.nurses, c.population / 1000.0
    from region c join county_staff w on w.county_code = c.code
    where c.level = 'county' and c.in_scope and c.population > 0
)
select
    x.indicator_code,
    x.month,
    g.city_code,
    g.county_code,
    g.town_code,
    x.facility_code,
    g.tier,
    x.alliance_code,
    x.numerator,
    x.denominator,
from facility_level x
join facility_geo g on g.facility_code = x.facility_code
where g.in_scope
union all
select
    x.indicator_code,
    x.month,
    coalesce(county.parent_code, r.parent_code) as city_code,
    case when r.level = 'county' then r.code else r.parent_code end as county_code,
    case when r.level = 'town' then r.code end as town_code,
    null as facility_code,
    null as tier,
    null as alliance_code,
    x.numerator,
    x.denominator,
from region_level x
join region r on r.code = x.region_code
left join region county on r.level = 'town' and county.code = r.parent_code;

-- indicator_fact again for each alliance: the rows a selection of that alliance sees, under its code
-- (scope_alliance). Those are the rows of the alliance's own work, every other row of its member
-- facilities that belongs to no alliance, and the region-level rows (no facility, no alliance) of the
-- place it serves. Three disjoint parts, so no row is counted twice. Filtering on one alliance here is
-- a range of this table, where over indicator_fact it took two membership subqueries on every row.
-- An alliance counts from the month it was founded, and each member from the month it joined.
create or replace table fresh_alliance_fact as
with alliance_start as (
    select a.code, a.home_region, date_trunc('month', a.founded)::date as first_month,
    from alliance a
),
members as (
    select m.alliance_code, m.facility_code,
        greatest(min(date_trunc('month', m.joined)::date), any_value(a.first_month)) as first_month,
    from alliance_member m
    join alliance_start a on a.code = m.alliance_code
    group by all
)
select a.code as scope_alliance, f.*
from fresh_indicator_fact f
join alliance_start a on a.code = f.alliance_code
where f.month >= a.first_month
union all
select m.alliance_code, f.*
from fresh_indicator_fact f
join members m on m.facility_code = f.facility_code
where f.alliance_code is null
  and f.month >= m.first_month
union all
select a.code, f.*
from fresh_indicator_fact f
join alliance_start a on a.home_region in (f.county_code, f.city_code)
where f.facility_code is null and f.alliance_code is null
  and f.month >= a.first_month;

-- ---------------------------------------------------------------------------------------------------
-- Referrals page (双向转诊): out-of-county referrals per month, sender, receiver and ICD-10 chapter, so
-- that "where patients leave to" and "with which diseases" come from one table (referral_flow_monthly
-- has no chapter, referral_disease_monthly no receiver). The sender is the home facility of these rows.
create or replace table fresh_referral_outflow_monthly as
select r.month, r.from_facility, r.to_facility, r.disease_chapter, count(*) as referrals,
from counted_referral r
where r.direction = 'out_of_county'
group by all;

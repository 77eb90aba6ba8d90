-- The province world (python -m healthdash build-demo --world province): synthetic cities, counties, towns,
-- facilities, alliances and nine years of their monthly reports and referral events, added beside the demo's
-- calibrated places and run once on a database the demo build has just written (healthdash/data/demo/province.py).
-- Parameters: $world_seed (places, facilities and alliances: the same for every seed, as the demo's),
-- $seed (the build's seed: every figure), $cities, $counties (how many synthetic ones), $referral_base (the
-- first referral_id, above the demo's). Everything is SQL over range() grids; every "random" value is
-- u(seed, key, tag), a hash of its key, so the same seed gives the same rows in any order and thread count.
-- Codes start with 99 (no province has it): cities 99CC00, counties 99CCKK, towns 99CCKKTTT, facilities
-- H99CCKKNNN, alliances AS + the county or city code; names say 模拟 so no one takes them for real places.
-- Each step starts with a line "-- step: <what, in Chinese>", which the builder shows as its progress.
-- Of the issue-26 reports, pathogen_test stays empty: the synthetic world has no pathogen identification
-- network (a telemedicine alliance with a CDC laboratory at its centre), so no member owes it.

-- step: 生成模拟地区
create or replace temp macro u(s, k, tag) as (hash(s, k, tag) % 1000003)::double / 1000003;
create or replace temp macro cc(n) as lpad(n::varchar, 2, '0');

create temp table syn_month as
select t, (date '2017-01-01' + to_months(t))::date as month, t / 12.0 as years,
    -- Winter peak, Spring Festival dip (February), COVID in early 2020: the demo's shapes, roughly.
    [1.06, 0.90, 1.03, 0.99, 0.98, 0.95, 0.97, 0.98, 0.97, 0.97, 1.02, 1.10][1 + t % 12]
        * case t when 37 then 0.55 when 38 then 0.70 when 39 then 0.86 else 1.0 end as season,
from range(108) m(t);

create temp table syn_county as
with numbered as (
    select k, 1 + (k - 1) % $cities as city_no, 1 + (k - 1) // $cities as county_no from range(1, $counties + 1) c(k)
)
select city_no, county_no,
    '99' || cc(city_no) || '00' as city_code,
    '99' || cc(city_no) || cc(county_no) as code,
    county_no = 1 as urban,   -- the first county of a city is its urban district, with the city's hospitals
    (case when county_no = 1 then '模拟区' else '模拟县' end) || cc(city_no) || cc(county_no) as name,
    14 + (u($world_seed, k, 'towns') * 9)::integer as towns,
from numbered;

create temp table syn_town as
select c.code as county_code, c.city_code, c.urban, c.city_no, c.county_no, t.n as town_no,
    c.code || lpad(t.n::varchar, 3, '0') as code,
    (case when c.urban then '模拟街道' else '模拟镇' end) || cc(c.city_no) || cc(c.county_no) || lpad(t.n::varchar, 2, '0') as name,
    round(case when c.urban then 40000 + 50000 * u($world_seed, c.code || t.n, 'pop') else 18000 + 40000 * u($world_seed, c.code || t.n, 'pop') end)::integer as population,
    case when c.urban then 0 else 9 + (u($world_seed, c.code || t.n, 'villages') * 11)::integer end as villages,
from syn_county c, range(1, 23) t(n)
where t.n <= c.towns;

insert into region by name
select code, name, 'town' as level, county_code as parent_code, true as in_scope, urban, population,
    round(population * 0.15)::integer as pop_65plus, round(population * 0.08)::integer as pop_children_1_7,
    round(population * 0.23)::integer as pop_women_35_64, round(population * 0.36)::integer as pop_key_groups,
from syn_town;

insert into region by name
select c.code, c.name, 'county' as level, c.city_code as parent_code, true as in_scope, c.urban,
    sum(t.population)::integer as population, sum(round(t.population * 0.15))::integer as pop_65plus,
    sum(round(t.population * 0.08))::integer as pop_children_1_7, sum(round(t.population * 0.23))::integer as pop_women_35_64,
    sum(round(t.population * 0.36))::integer as pop_key_groups,
from syn_county c join syn_town t on t.county_code = c.code
group by c.code, c.name, c.city_code, c.urban;

insert into region by name
select city_code as code, '模拟市' || cc(city_no) as name, 'city' as level, null as parent_code, true as in_scope,
    false as urban, sum(population)::integer as population, sum(pop_65plus)::integer as pop_65plus,
    sum(pop_children_1_7)::integer as pop_children_1_7, sum(pop_women_35_64)::integer as pop_women_35_64,
    sum(pop_key_groups)::integer as pop_key_groups,
from syn_county c join region r on r.code = c.code
group by city_code, city_no;

-- step: 生成模拟机构
create temp table syn_facility as
-- County hospitals, the CDC and (in a city's urban district) the city's two tertiary hospitals.
select c.code || lpad(h.n::varchar, 3, '0') as code_tail, c.code as region_code, c.code as county_code, c.city_code,
    null as town_code, h.tier, h.category, h.grade,
    c.name || h.suffix as name,
    round(h.beds_low + (h.beds_high - h.beds_low) * u($world_seed, c.code || h.n, 'beds'))::integer as beds,
from syn_county c,
    (values (1, 'county', 'general', '二甲', '人民医院', 300, 700), (2, 'county', 'tcm', '二甲', '中医医院', 150, 350),
            (3, 'county', 'maternal_child', '二乙', '妇幼保健院', 80, 200), (4, 'public_health', 'cdc', '未定级', '疾病预防控制中心', 0, 0))
        h(n, tier, category, grade, suffix, beds_low, beds_high)
union all
select c.code || lpad(h.n::varchar, 3, '0'), c.code, c.code, c.city_code, null, 'tertiary', h.category, '三甲',
    '模拟市' || cc(c.city_no) || h.suffix, round(1200 + 1300 * u($world_seed, c.code || h.n, 'beds'))::integer,
from syn_county c, (values (5, 'general', '第一人民医院'), (6, 'tcm', '中医医院')) h(n, category, suffix)
where c.urban
union all
-- One township health centre (or, in a district, community health centre) per town.
select t.county_code || lpad((100 + t.town_no)::varchar, 3, '0'), t.code, t.county_code, t.city_code, t.code,
    case when t.urban then 'community' else 'township' end, 'general', '一级',
    t.name || case when t.urban then '社区卫生服务中心' else '卫生院' end,
    round(case when t.urban then 20 + 30 * u($world_seed, t.code, 'beds') else 40 + 80 * u($world_seed, t.code, 'beds') end)::integer,
from syn_town t
union all
-- Village clinics, numbered 201.. across the county.
select t.county_code || lpad((200 + t.first_village + v.n)::varchar, 3, '0'), t.code, t.county_code, t.city_code, t.code,
    'village', 'general', '未定级', t.name || '模拟村' || lpad((v.n + 1)::varchar, 2, '0') || '卫生室', 0,
from (select *, coalesce(sum(villages) over (partition by county_code order by town_no
                                              rows between unbounded preceding and 1 preceding), 0)::integer as first_village
      from syn_town) t,
    range(0, 20) v(n)
where v.n < t.villages;

alter table syn_facility rename column code_tail to code;
update syn_facility set code = 'H' || code;

insert into facility by name select code, name, region_code, tier, category, grade, beds from syn_facility;

-- step: 生成模拟医联体
create temp table syn_alliance as
-- A county medical community (医共体) per county, led by its people's hospital; a city group per city.
select 'AS' || c.code as code, c.name || '医共体' as name, 'county_community' as kind,
    case when u($world_seed, c.code, 'tight') < 0.65 then 'tight' else 'loose' end as integration,
    'H' || c.code || '001' as lead_facility, c.code as home_region,
    (date '2017-01-01' + to_months((u($world_seed, c.code, 'founded') * 36)::integer))::date as founded,
from syn_county c
union all
select 'AS' || c.city_code, '模拟市' || cc(c.city_no) || '第一人民医院医疗集团', 'city_group',
    case when u($world_seed, c.city_code, 'tight') < 0.5 then 'tight' else 'loose' end,
    'H' || c.code || '005', c.city_code,
    (date '2017-01-01' + to_months((u($world_seed, c.city_code, 'founded') * 24)::integer))::date,
from syn_county c
where c.urban;

insert into alliance by name select * from syn_alliance;

create temp table syn_member as
select a.code as alliance_code, a.lead_facility as facility_code, 'lead' as role, a.founded as joined
from syn_alliance a
union all
-- The county's other hospitals and every township or community centre join within a year of founding.
select a.code, f.code, 'member',
    (a.founded + to_months((u($world_seed, f.code, 'joined') * 12)::integer))::date
from syn_alliance a join syn_facility f on f.county_code = a.home_region
where a.kind = 'county_community' and f.code <> a.lead_facility and f.tier in ('county', 'township', 'community')
union all
select a.code, f.code, 'member', (a.founded + to_months((u($world_seed, f.code, 'joined_group') * 18)::integer))::date
from syn_alliance a join syn_facility f on f.city_code = a.home_region
where a.kind = 'city_group' and f.tier = 'county' and f.category = 'general';

insert into alliance_member by name select * from syn_member;

-- step: 生成模拟机构月报（门诊、住院）
insert into service_volume by name
with grid as (
    select f.code, f.tier, f.beds, m.month, m.t, m.years, m.season,
        u($seed, f.code || m.t, 'noise') as noise,
        coalesce(t.population, 0) as town_population,
        case f.tier when 'tertiary' then 0.02 when 'county' then 0.03 when 'township' then 0.05
            when 'community' then 0.06 else -0.01 end + 0.03 * (u($seed, f.county_code, 'growth') - 0.5) as growth,
    from syn_facility f
    left join syn_town t on t.code = f.town_code
    cross join syn_month m
    where f.tier <> 'public_health'
),
volume as (
    select code as facility_code, month, tier, years,
        round(case tier when 'tertiary' then beds * 600 when 'county' then beds * 800
                when 'township' then town_population * 1.9 when 'community' then town_population * 1.5
                else 4000 + 8000 * u($seed, code, 'visits') end
            / 12 * season * power(1 + growth, years) * (0.94 + 0.12 * noise)) as outpatient_visits,
        round(beds * case tier when 'tertiary' then 35 when 'county' then 40 when 'township' then 30 when 'community' then 15 else 0 end
            / 12 * (0.95 + 0.1 * season) * power(1 + 0.8 * growth, years) * (0.93 + 0.14 * noise)) as inpatient_discharges,
    from grid
)
select facility_code, month, outpatient_visits::integer as outpatient_visits, inpatient_discharges::integer as inpatient_discharges,
    case when tier in ('tertiary', 'county') then round(inpatient_discharges * 0.05)::integer else 0 end as critical_cases,
    round(inpatient_discharges * case tier when 'tertiary' then 12000 when 'county' then 6500 when 'township' then 1900 else 1700 end
        * power(1.04, years), 2) as inpatient_spending,
from volume;

-- step: 生成模拟医保与县域就诊
insert into resident_care by name
with grid as (
    select c.code as county_code, c.urban, r.population, m.month, m.t, m.years, m.season, s.setting, s.per_resident,
        s.fund_in, s.fund_out, s.primary_share,
        least(case when c.urban then 0.91 else 0.82 end + s.gain * m.years + 0.04 * (u($seed, c.code, 'retention') - 0.5), s.cap) as retention,
    from syn_county c
    join region r on r.code = c.code
    cross join syn_month m
    cross join (values ('outpatient', 5.5, 45.0, 90.0, 0.006, 0.965, 0.45), ('inpatient', 0.19, 3600.0, 9500.0, 0.012, 0.95, 0.16))
        s(setting, per_resident, fund_in, fund_out, gain, cap, primary_share)
),
visits as (
    select *, population * per_resident / 12 * season * power(1.02, years) * (0.96 + 0.08 * u($seed, county_code || t || setting, 'care')) as total
    from grid
)
select county_code, month, setting,
    round(total * retention)::integer as visits_in_county,
    round(total * (1 - retention))::integer as visits_out_of_county,
    round(round(total * retention) * fund_in * power(1.04, years), 2) as fund_in_county,
    round(round(total * (1 - retention)) * fund_out * power(1.04, years), 2) as fund_out_of_county,
    round(round(total * retention) * fund_in * power(1.04, years) * primary_share, 2) as fund_primary,
    round(round(total * (1 - retention)) * fund_out * power(1.04, years) / 0.55, 2) as spending_out_of_county,
from visits;

-- step: 生成模拟公共卫生月报
insert into public_health by name
with programme(indicator_code, mode, base, start, per_year, cap) as (
    -- mode: stock (a rate of a stock), monthly (a yearly rate spread over months), flow (a rate of the
    -- month's cases), count (per resident and month). base: the denominator population.
    values ('fd_coverage', 'stock', 'pop', 0.35, 0.030, 0.85), ('fd_key_pop_coverage', 'stock', 'key', 0.58, 0.035, 0.95),
        ('child_immunization_rate', 'flow', 'due', 0.88, 0.004, 0.995), ('hpv_first_doses', 'count', 'pop', 0.00030, 0.0, 1.0),
        ('cervical_screening_rate', 'monthly', 'women', 0.08, 0.005, 0.19), ('breast_screening_rate', 'monthly', 'women', 0.16, 0.008, 0.45),
        ('elderly_health_mgmt_rate', 'monthly', 'old65', 0.55, 0.020, 0.95), ('elderly_60plus_check_rate', 'monthly', 'old60', 0.40, 0.020, 0.90),
        ('htn_std_mgmt_rate', 'stock', 'htn', 0.60, 0.015, 0.88), ('t2dm_std_mgmt_rate', 'stock', 't2dm', 0.57, 0.015, 0.85),
        ('htn_bp_control_rate', 'stock', 'htn', 0.48, 0.015, 0.80), ('ehr_coverage', 'stock', 'pop', 0.78, 0.010, 0.96),
        ('premarital_checks', 'count', 'pop', 0.00035, 0.0, 1.0), ('prepregnancy_checks', 'count', 'pop', 0.00025, 0.0, 1.0),
        ('fd_teams', 'count', 'pop', 0.00055, 0.0, 1.0),
        ('chronic_mgmt_admission_rate', 'monthly', 'chronic', 0.12, -0.004, 0.20),
        ('ncd_premature_mortality', 'monthly', 'pop30_69', 0.0042, -0.0001, 0.01),
        ('ecg_village_coverage', 'stock', 'villages', 0.25, 0.060, 1.0)
),
grid as (
    select t.code as town_code, t.population, m.month, m.t, m.years, p.*,
        case p.base when 'pop' then t.population when 'key' then round(t.population * 0.36)
            when 'women' then round(t.population * 0.23) when 'old65' then round(t.population * 0.15)
            when 'old60' then round(t.population * 0.15 * 1.37) when 'due' then round(t.population * 0.08 * 0.32 / 12)
            when 'htn' then round(t.population * 0.06 * power(1.015, m.years))
            when 't2dm' then round(t.population * 0.02 * power(1.02, m.years))
            when 'chronic' then round(t.population * 0.06 * power(1.015, m.years)) + round(t.population * 0.02 * power(1.02, m.years))
            when 'pop30_69' then round(t.population * 0.54)
            else greatest(round(t.population / 1500), 1) end::double as denominator,
        -- A town's level sits up to 8 points off the programme's; monthly noise of a point.
        least(greatest(p.start * (0.85 + 0.3 * u($seed, t.code || p.indicator_code, 'level')) + p.per_year * m.years
            + 0.01 * (u($seed, t.code || p.indicator_code || m.t, 'noise') - 0.5) * (p.mode <> 'count')::integer, 0.0), p.cap) as rate,
    from syn_town t
    cross join syn_month m
    cross join programme p
    -- HPV vaccination of girls starts in 2020.
    where not (p.indicator_code = 'hpv_first_doses' and m.t < 36)
)
select town_code, month, indicator_code,
    round(case mode when 'monthly' then rate / 12 * denominator
        when 'count' then rate * population * case when indicator_code = 'fd_teams' then 0.8 + 0.05 * years else 1 end
        else rate * denominator end)::double as numerator,
    case when mode = 'count' then null else denominator end as denominator,
from grid;

-- step: 生成模拟医联体帮扶与共享服务
insert into alliance_activity by name
with grid as (
    select m.alliance_code, m.facility_code, a.integration, f.tier, s.month, s.t,
        greatest(s.years - date_diff('month', date '2017-01-01', a.founded) / 12.0, 0) as years_in,
        (case when a.integration = 'tight' then 1.0 else 0.45 end) * (0.6 + 0.8 * u($seed, m.facility_code, 'member')) as level,
    from syn_member m
    join syn_alliance a on a.code = m.alliance_code
    join syn_facility f on f.code = m.facility_code
    join syn_month s on s.month >= m.joined
    where m.role = 'member'
),
rates as (
    select *, level * power(1.08, years_in) as pace from grid
)
select alliance_code, facility_code, month,
    floor(0.55 * pace + u($seed, facility_code || t, 'doctors'))::integer as doctors_sent,
    floor(0.25 * pace + u($seed, facility_code || t, 'nurses'))::integer as nurses_sent,
    floor(0.08 * pace + u($seed, facility_code || t, 'pharmacists'))::integer as pharmacists_sent,
    floor(0.12 * pace + u($seed, facility_code || t, 'technicians'))::integer as technicians_sent,
    case when tier in ('township', 'community') and integration = 'tight'
        then round(1.6 * level * least(years_in / 3, 1))::integer else 0 end as posted_physicians,
    floor(2.0 * pace + u($seed, facility_code || t, 'clinics'))::integer as expert_clinic_sessions,
    floor(1.0 * pace + u($seed, facility_code || t, 'rounds'))::integer as teaching_rounds,
    floor(0.7 * pace + u($seed, facility_code || t, 'lectures'))::integer as lectures,
    floor(0.35 * pace + u($seed, facility_code || t, 'surgery'))::integer as surgery_demos,
    floor(0.25 * pace + u($seed, facility_code || t, 'trainees'))::integer as trainees_sent_up,
    floor(0.06 * pace + u($seed, facility_code || t, 'techniques'))::integer as new_techniques,
from rates;

insert into shared_service by name
with grid as (
    select m.alliance_code, m.facility_code, s.month, s.t, v.service, v.cases, v.review_share, v.graded,
        greatest(s.years - date_diff('month', date '2017-01-01', a.founded) / 12.0, 0) as years_in,
        0.62 + 0.14 * u($seed, a.code, 'concordance') as quality_start,
        0.48 + 0.12 * u($seed, a.code, 'grade_a') as grade_start,
    from syn_member m
    join syn_alliance a on a.code = m.alliance_code
    join syn_facility f on f.code = m.facility_code
    join syn_month s on s.month >= m.joined
    cross join (values ('imaging', 25.0, 0.5, true), ('ecg', 40.0, 0.3, false), ('pathology', 3.0, 1.0, false), ('lab', 450.0, 0.0, false))
        v(service, cases, review_share, graded)
    where a.kind = 'county_community' and m.role = 'member' and f.tier in ('township', 'community')
        and (v.service <> 'pathology' or a.integration = 'tight')
),
cases as (
    select *, floor(cases * least(greatest(years_in * 2, 0.2), 1.0) * power(1.10, years_in)
        * (0.7 + 0.6 * u($seed, facility_code || t || service, 'cases')))::integer as remote_cases,
        least(years_in / 2, 1) as progress,
    from grid
),
reviewed as (
    select *, floor(remote_cases * review_share)::integer as cases_reviewed from cases
)
select alliance_code, facility_code, month, service, remote_cases, cases_reviewed,
    floor(cases_reviewed * (quality_start + (0.90 - quality_start) * progress))::integer as concordant,
    case when graded then cases_reviewed else 0 end as films_graded,
    case when graded then floor(cases_reviewed * (grade_start + (0.74 - grade_start) * progress))::integer else 0 end as grade_a_films,
from reviewed;

-- step: 生成模拟防止因病返贫监测与大病救治
create temp table syn_poverty_town as
-- A town's 脱贫人口 and 监测对象: 3–7% of a rural town's residents, under 1.5% of a district's (as the demo's),
-- with its own contract coverage, inpatient bills and village clinics short of the standard.
select code as town_code, villages,
    round(population * case when urban then 0.004 + 0.011 * u($seed, code, 'poor') else 0.03 + 0.04 * u($seed, code, 'poor') end) as people0,
    0.004 + 0.008 * u($seed, code, 'poor_growth') as growth,
    2.7 * (0.93 + 0.14 * u($seed, code, 'household')) as household_size,
    0.55 + 0.23 * u($seed, code, 'contract_start') as contract_start,
    0.83 + 0.165 * u($seed, code, 'contract_final') as contract_final,
    (0.008 + 0.006 * u($seed, code, 'admitted')) * (5000 + 2500 * u($seed, code, 'bill')) as bill_per_person,
    0.07 + 0.055 * u($seed, code, 'oop_floor') as oop_floor,
    0.18 + 0.06 * u($seed, code, 'oop_start') as oop_start,
    least(round(villages * 0.7 * u($seed, code, 'clinics_short')), villages) as short0,
    floor(42 * u($seed, code, 'clinics_fixed')) as fixed_by,
    villages > 0 and u($seed, code, 'clinic_lagging') < 0.06 as lagging,
from syn_town;

insert into poverty_monitoring by name
with grid as (
    select p.*, m.t, m.month, m.years, m.season, 2017 + m.t // 12 as year,
        -- New 监测对象 join slowly after 2020; people who left poverty stay monitored.
        round(p.people0 * (1 + greatest(2017 + m.t // 12 - 2020, 0) * p.growth)) as people,
    from syn_poverty_town p cross join syn_month m
),
figures as (
    select *,
        -- Contract coverage ramps up to mid-2019, then holds near the town's own level.
        least(round(people * least(greatest(contract_start + (contract_final - contract_start) * least(t / 30.0, 1)
            + 0.008 * (u($seed, town_code || t, 'contract') - 0.5), 0), 1)), people) as contracted,
        -- Most exits in 2017–2019 (脱贫攻坚), the last in 2020; then a few 监测对象 a month have their risk removed.
        floor(people0 * case year when 2017 then 0.22 when 2018 then 0.30 when 2019 then 0.22 when 2020 then 0.08 else 0.0096 end
            / 12 * (0.5 + u($seed, town_code || t, 'exit_weight')) + u($seed, town_code || t, 'exit')) as people_exited,
        round(people * bill_per_person * season * (0.92 + 0.16 * u($seed, town_code || t, 'bills')), -2) as bills,
        -- The part paid out of pocket falls from about a fifth to a tenth by 2019 (健康扶贫), then creeps back up.
        least(greatest(oop_floor + (oop_start - oop_floor) * exp(-years / 0.9) + greatest(year - 2021, 0) * 0.002
            + 0.012 * (u($seed, town_code || t, 'oop') - 0.5), 0.02), 0.6) as oop_share,
        -- Clinics below the standard are fixed by a month of the town's own before 2021; a few towns keep one short.
        greatest(case when t < fixed_by then short0 else 0 end, lagging::integer) as shortfall,
    from grid
)
select town_code, month,
    greatest(round(people / household_size), 1)::integer as monitored_households,
    people::integer as monitored_people,
    contracted::integer as contracted_people,
    least(floor(people_exited / 2.7 + u($seed, town_code || t, 'households_exited')), people_exited)::integer as households_exited,
    people_exited::integer as people_exited,
    bills as inpatient_spending,
    least(round(bills * oop_share, -1), bills) as out_of_pocket,
    villages as village_clinics,
    (villages - least(shortfall, villages))::integer as village_clinics_standard,
from figures;

insert into serious_illness by name
with disease(disease, weight, covered_from) as (
    -- Share of new cases by group, and the year the group was first covered (five added in 2018, 其他 in 2019).
    values ('child_heart', 0.05, 2017), ('child_leukemia', 0.03, 2017), ('esophageal', 0.10, 2017),
        ('gastric', 0.12, 2017), ('colorectal', 0.08, 2017), ('renal', 0.10, 2017), ('mental', 0.12, 2017),
        ('mdr_tb', 0.03, 2017), ('lung', 0.16, 2018), ('breast', 0.07, 2018), ('cervical', 0.07, 2018),
        ('child_cancer', 0.02, 2018), ('pneumoconiosis', 0.03, 2018), ('other', 0.02, 2019)
),
fresh as (
    -- New cases come at about 0.3% of the monitored a year.
    select p.town_code, p.month, m.t, 2017 + m.t // 12 as year, d.disease,
        floor(p.monitored_people * 0.003 / 12 * d.weight + u($seed, p.town_code || m.t || d.disease, 'new_cases')) as new_cases,
    from poverty_monitoring p
    join syn_town s on s.code = p.town_code
    join syn_month m on m.month = p.month
    join disease d on 2017 + m.t // 12 >= d.covered_from
),
cases as (
    -- A running total of the year; a town's share still waiting for treatment at month end is 1–10%.
    select *, sum(new_cases) over (partition by town_code, disease, year order by t) as cases,
        least(greatest(0.01 + 0.09 * u($seed, town_code, 'backlog') + 0.04 * (u($seed, town_code || t || disease, 'waiting') - 0.5), 0), 1) as backlog,
    from fresh
)
select town_code, month, disease, cases::integer as cases,
    (cases - least(floor(cases * backlog + u($seed, town_code || t || disease, 'waiting_round')), cases))::integer as treated,
from cases;

-- step: 生成模拟医养结合月报
insert into elderly_care by name
with town as (
    select code as town_code,
        -- The month the town's health centre opens elderly-care beds (a reported 0 before; after the series:
        -- not yet); about one town in eight never does.
        case when u($seed, code, 'no_elderly_beds') < 0.12 then 999 else floor(114 * u($seed, code, 'elderly_beds_open')) end as opens,
        10 * (1 + floor(4 * u($seed, code, 'centre_beds'))) as centre_beds,
        -- About half the centres also serve a nursing home under contract, from 3 to 23 months after opening.
        case when u($seed, code, 'nursing_home') < 0.5 then 3 + floor(21 * u($seed, code, 'home_delay')) end as home_delay,
        10 * (2 + floor(5 * u($seed, code, 'home_beds'))) as home_beds,
    from syn_town
),
grid as (
    select t.town_code, m.month, m.t, s.setting,
        case when s.setting = 'nursing_home' then t.home_beds when m.t >= t.opens then t.centre_beds else 0 end as beds,
        least(greatest(0.5 + 0.38 * u($seed, t.town_code || s.setting, 'occupancy')
            + 0.08 * (u($seed, t.town_code || s.setting || m.t, 'occupied') - 0.5), 0), 1) as occupancy,
    from town t
    cross join syn_month m
    cross join (values ('health_centre'), ('nursing_home')) s(setting)
    where s.setting = 'health_centre' or m.t >= t.opens + t.home_delay
),
occupied as (
    select *, least(round(beds * occupancy), beds) as residents from grid
)
select town_code, month, setting, beds::integer as beds, residents::integer as residents,
    -- About 6% of the residents are new each month.
    floor(residents * 0.12 * u($seed, town_code || setting || t, 'admissions') + u($seed, town_code || setting || t, 'admitted'))::integer as admissions,
from occupied;

-- step: 生成模拟执业注册人员
insert into workforce_register by name
with staffing(tier, physician_bed, nurse_bed, technician_bed, physician_floor, nurse_floor, technician_floor, growth) as (
    -- Staff per bed by tier, a floor per facility where beds are few or none, and yearly growth (as the demo's).
    values ('tertiary', 0.40, 0.60, 0.07, 0, 0, 0, 0.03), ('county', 0.38, 0.48, 0.07, 0, 0, 0, 0.035),
        ('township', 0.30, 0.25, 0.03, 7, 4, 2, 0.04), ('community', 0.25, 0.30, 0.03, 8, 6, 2, 0.04),
        ('village', 0.0, 0.0, 0.0, 0, 0, 0, 0.0), ('public_health', 0.0, 0.0, 0.0, 24, 6, 14, 0.02)
),
staff as (
    select f.code, f.beds, s.physician_bed, s.nurse_bed, s.technician_bed, s.physician_floor, s.nurse_floor, s.technician_floor,
        0.85 + 0.3 * u($seed, f.code, 'staffing') as size,
        1 + s.growth + 0.028 * (u($seed, f.code, 'staff_growth') - 0.5) as yearly,
        -- A village clinic has one to three village doctors, each licensed from a month of their own: about
        -- three in four by 2017, nearly all by 2025.
        case when f.tier = 'village' then 1 + floor(3 * u($seed, f.code, 'village_doctors')) else 0 end as village_doctors,
        -386 + 514 * u($seed, f.code, 'licensed_1') as licensed_1,
        -386 + 514 * u($seed, f.code, 'licensed_2') as licensed_2,
        -386 + 514 * u($seed, f.code, 'licensed_3') as licensed_3,
    from syn_facility f join staffing s on s.tier = f.tier
)
select code as facility_code, m.month,
    round(greatest(beds * physician_bed, physician_floor) * size * power(yearly, m.years))::integer as physicians,
    round(greatest(beds * nurse_bed, nurse_floor) * size * power(yearly, m.years))::integer as nurses,
    round(greatest(beds * technician_bed, technician_floor) * size * power(yearly, m.years))::integer as technicians,
    village_doctors::integer as village_doctors,
    ((village_doctors >= 1 and licensed_1 <= m.t)::integer + (village_doctors >= 2 and licensed_2 <= m.t)::integer
        + (village_doctors >= 3 and licensed_3 <= m.t)::integer) as village_doctors_licensed,
from staff cross join syn_month m;

-- step: 生成模拟转诊路线
create temp table syn_route as
with county_hospital as (
    select county_code, code from syn_facility where tier = 'county' and category = 'general'
),
tertiary as (
    select city_code, category, code from syn_facility where tier = 'tertiary'
),
routes as (
    -- Village clinic -> its township health centre.
    select v.code as from_facility, c.code as to_facility, 'up' as direction, 8.0 as rate
    from syn_facility v join syn_facility c on c.town_code = v.town_code and c.tier in ('township', 'community')
    where v.tier = 'village'
    union all
    -- Township or community centre -> the county's people's hospital, and back down.
    select c.code, h.code, 'up', case when c.tier = 'township' then 45.0 else 30.0 end
    from syn_facility c join county_hospital h on h.county_code = c.county_code
    where c.tier in ('township', 'community')
    union all
    select h.code, c.code, 'down', 25.0
    from syn_facility c join county_hospital h on h.county_code = c.county_code
    where c.tier in ('township', 'community')
    union all
    -- A rural county's hospitals send what they cannot treat to the city; the city returns them recovering.
    select f.code, t.code, 'out_of_county', case when f.category = 'general' then 60.0 else 15.0 end
    from syn_facility f join tertiary t on t.city_code = f.city_code and t.category = case f.category when 'tcm' then 'tcm' else 'general' end
    join syn_county c on c.code = f.county_code
    where f.tier = 'county' and f.category in ('general', 'tcm') and not c.urban
    union all
    select t.code, f.code, 'returned', 25.0
    from syn_facility f join tertiary t on t.city_code = f.city_code and t.category = 'general'
    join syn_county c on c.code = f.county_code
    where f.tier = 'county' and f.category = 'general' and not c.urban
)
select row_number() over (order by from_facility, to_facility, direction) as route_id, *,
    0.04 * (u($seed, from_facility || to_facility, 'route_growth') - 0.3) as growth,
from routes;

create temp table syn_route_month as
with counted as (
    select r.route_id, r.from_facility, r.to_facility, r.direction, m.t, m.month,
        round(r.rate * m.season * power(1 + r.growth, m.years) * (0.8 + 0.4 * u($seed, r.route_id * 1000 + m.t, 'flow')))::integer as events,
    from syn_route r cross join syn_month m
)
select *, $referral_base + sum(events) over (order by route_id, t rows between unbounded preceding and 1 preceding) as first_id,
from counted
where events > 0;

-- step: 生成模拟转诊记录（数千万条）
insert into referral by name
with event as (
    select r.*, e.i, hash($seed, r.route_id, r.t, e.i) as h
    from syn_route_month r, unnest(range(r.events)) e(i)
)
select coalesce(first_id, $referral_base) + i as referral_id,
    (month + (h % day(last_day(month)))::integer)::date as referral_date,
    from_facility, to_facility, direction,
    ['I', 'II', 'IV', 'IX', 'IX', 'IX', 'X', 'X', 'XI', 'XI', 'XIII', 'XIV', 'XIX', 'XIX', 'V', 'VI', 'XV', 'XVIII'][(1 + (h >> 8) % 18)::integer] as disease_chapter,
    direction in ('up', 'out_of_county') and (h >> 20) % 100 < 6 as green_channel,
    case when (h >> 32) % 1000 < 20 then 'cancelled' when (h >> 32) % 1000 < 24 then 'pending' else 'completed' end as status,
    null as import_batch,
from event;

-- step: 生成模拟上报记录
insert into report_receipt by name
with delivered as (
    select 'service_volume' as dataset, v.facility_code as unit_code, '' as alliance_code, v.month, f.county_code
    from service_volume v join syn_facility f on f.code = v.facility_code
    union all
    select 'alliance_activity', v.facility_code, v.alliance_code, v.month, f.county_code
    from alliance_activity v join syn_facility f on f.code = v.facility_code
    union all
    select distinct 'shared_service', v.facility_code, v.alliance_code, v.month, f.county_code
    from shared_service v join syn_facility f on f.code = v.facility_code
    union all
    select distinct 'public_health', p.town_code, '', p.month, t.county_code
    from public_health p join syn_town t on t.code = p.town_code
    union all
    select distinct 'resident_care', r.county_code, '', r.month, r.county_code
    from resident_care r join syn_county c on c.code = r.county_code
    union all
    select 'poverty_monitoring', p.town_code, '', p.month, t.county_code
    from poverty_monitoring p join syn_town t on t.code = p.town_code
    union all
    select distinct 'serious_illness', s.town_code, '', s.month, t.county_code
    from serious_illness s join syn_town t on t.code = s.town_code
    union all
    select distinct 'elderly_care', e.town_code, '', e.month, t.county_code
    from elderly_care e join syn_town t on t.code = e.town_code
    union all
    select 'workforce_register', w.facility_code, '', w.month, f.county_code
    from workforce_register w join syn_facility f on f.code = w.facility_code
)
-- The county's data officer loads each month between the 2nd and the 8th of the next; a few come late.
select dataset, unit_code, alliance_code, month, null as batch_id,
    month + interval 1 month
        + to_days((1 + (u($seed, county_code || month, 'batch_day') * 7)::integer
                   + case when u($seed, unit_code || dataset || month, 'late') < 0.08
                          then 1 + (u($seed, unit_code || dataset || month, 'delay') * 20)::integer else 0 end))
        + to_minutes((480 + u($seed, unit_code || dataset || month, 'minute') * 600)::integer) as received_at,
    'simulated' as source,
from delivered;

-- 医联体运行监测看板: the whole schema, base tables first, then the rollups pages read.
-- Months are stored as the DATE of their first day. Rates are stored as numerator and
-- denominator, never as a finished percentage (see DESIGN.md section 3).

create table meta (
    key varchar primary key,      -- dataset_kind ('demo' | 'production'), schema_version, built_at, ...
    value varchar not null,
);

-- Dimensions ---------------------------------------------------------------------------

create table region (
    code varchar primary key,
    name varchar not null,
    level varchar not null check (level in ('city', 'county', 'town')),
    parent_code varchar,          -- city for a county, county for a town, null for a city
    in_scope boolean not null,    -- false for places that only receive patients (provincial capitals)
    urban boolean not null,       -- urban district: referrals to its own city's hospitals stay "in"
    population integer,           -- resident population (常住人口)
    pop_65plus integer,
    pop_children_1_7 integer,
    pop_women_35_64 integer,
    pop_key_groups integer,       -- family-doctor key groups (重点人群)
    adcode varchar,               -- administrative code: 6 digits (city, county), 9 (town); keys region_boundary
);

-- Boundaries as data (docs/MAPS.md): one outline per administrative code, GeoJSON geometry text in
-- longitude/latitude as the source gives them, simplified for a city's and for a province's extent.
create table region_boundary (
    adcode varchar primary key,
    name varchar,                 -- the name the boundary file gives (checked against region.name nowhere)
    shape_city varchar not null,
    shape_province varchar not null,
    source varchar not null,      -- the file or package the outlines came from
    approval varchar,             -- 审图号 when the file is an approved standard map; null: schematic
    loaded_at timestamp,
);

create table facility (
    code varchar primary key,
    name varchar not null,
    region_code varchar not null, -- a town for primary facilities, otherwise a county
    tier varchar not null check (tier in ('tertiary', 'county', 'township', 'community', 'village', 'public_health')),
    category varchar not null check (category in ('general', 'tcm', 'maternal_child', 'psychiatric', 'specialist', 'cdc')),
    grade varchar not null,       -- 三甲, 三乙, 二甲, 二乙, 一级, 未定级
    beds integer not null,
);

create table alliance (
    code varchar primary key,
    name varchar not null,
    kind varchar not null check (kind in ('city_group', 'county_community', 'specialty', 'telemedicine')),
    integration varchar not null check (integration in ('tight', 'loose')),
    lead_facility varchar not null,
    home_region varchar not null, -- county (or city) the alliance serves
    founded date not null,
);

create table alliance_member (
    alliance_code varchar not null,
    facility_code varchar not null,
    role varchar not null check (role in ('lead', 'member')),
    joined date not null,
    primary key (alliance_code, facility_code),
);

create table indicator (
    code varchar primary key,
    name_zh varchar not null,
    name_en varchar not null,
    section varchar not null,     -- care_pattern, referral, alliance, public_health, volume
    definition_zh varchar not null,
    definition_en varchar not null,
    unit varchar not null,        -- '%', '人次', '元', 'ratio', ...
    aggregation varchar not null check (aggregation in ('ratio', 'stock_ratio', 'ytd', 'rolling_coverage', 'count', 'stock_count', 'growth')),
    direction varchar not null check (direction in ('up', 'down', 'monitor')),
    target double,                -- in the indicator's unit (90 for 90%), null when none is set
    target_source varchar,
    level varchar not null,       -- finest level it exists at: 'county', 'town' or 'facility'
    proposed boolean not null,    -- definition chosen by us ("P" in INDICATORS.md)
    growth_of varchar,            -- for aggregation 'growth': the count indicator whose growth it is
    window_months integer,        -- for aggregation 'rolling_coverage': months screened people count for
    sort_order integer not null,
);

-- Facts ------------------------------------------------------------------------------------

create table service_volume (
    facility_code varchar not null,
    month date not null,
    outpatient_visits integer not null,
    inpatient_discharges integer not null,
    critical_cases integer not null,      -- critically ill patients treated (county hospitals)
    inpatient_spending double not null,   -- 元, in-facility inpatient spending
    primary key (facility_code, month),
);

create table resident_care (
    county_code varchar not null,
    month date not null,
    setting varchar not null check (setting in ('outpatient', 'inpatient')),
    visits_in_county integer not null,
    visits_out_of_county integer not null,
    fund_in_county double not null,       -- insurance fund paid, 元
    fund_out_of_county double not null,
    fund_primary double,                  -- of fund_in_county, paid to primary facilities; null: not reported
    spending_out_of_county double not null,
    primary key (county_code, month, setting),
);

create table referral (
    referral_id bigint primary key,
    referral_date date not null,
    from_facility varchar not null,
    to_facility varchar not null,
    direction varchar not null check (direction in ('up', 'down', 'out_of_county', 'returned')),
    disease_chapter varchar not null,     -- ICD-10 chapter as Roman numeral, 'I' .. 'XXII'
    green_channel boolean not null,
    status varchar not null check (status in ('completed', 'pending', 'cancelled')),
    import_batch integer,
);

create table alliance_activity (
    alliance_code varchar not null,
    facility_code varchar not null,       -- receiving member facility
    month date not null,
    doctors_sent integer not null,
    nurses_sent integer not null,
    pharmacists_sent integer not null,
    technicians_sent integer not null,
    posted_physicians integer not null,   -- mid-level+ physicians posted 6+ months (stock at month end)
    expert_clinic_sessions integer not null,
    teaching_rounds integer not null,
    lectures integer not null,
    surgery_demos integer not null,
    trainees_sent_up integer not null,
    new_techniques integer not null,
    primary key (alliance_code, facility_code, month),
);

create table shared_service (
    alliance_code varchar not null,
    facility_code varchar not null,
    month date not null,
    service varchar not null check (service in ('imaging', 'ecg', 'pathology', 'lab')),
    remote_cases integer not null,
    cases_reviewed integer not null,
    concordant integer not null,
    films_graded integer not null,
    grade_a_films integer not null,
    primary key (alliance_code, facility_code, month, service),
);

create table public_health (
    town_code varchar not null,
    month date not null,
    indicator_code varchar not null,
    numerator double not null,
    denominator double,                   -- null for counts
    primary key (town_code, month, indicator_code),
);

-- A yearly report per county (监测与考核, issue 23): the average income per person of the staff of the
-- county's primary facilities and of its lead hospital. `month` is the month reported (a year's December);
-- the newest report of a year is that year's.
create table staff_income (
    county_code varchar not null,
    month date not null,
    primary_avg_income double not null,   -- 元 per person and year, primary facilities of the county
    lead_avg_income double not null,      -- 元 per person and year, the lead hospital of the county's community
    primary key (county_code, month),
);

-- 防止因病返贫 (issue 26): a town's monthly report on its monitored population (脱贫人口 and 监测对象): the
-- people and households at month end, those under a family-doctor contract, exits that month, their
-- inpatient spending and the part they paid themselves, and the village clinics and those up to standard.
create table poverty_monitoring (
    town_code varchar not null,
    month date not null,
    monitored_households integer not null,    -- month end
    monitored_people integer not null,        -- month end
    contracted_people integer not null,       -- of monitored_people, under a family-doctor contract
    households_exited integer not null,       -- out of poverty (消除风险) this month
    people_exited integer not null,
    inpatient_spending double not null,       -- 元, the monitored people's inpatient bills this month
    out_of_pocket double not null,            -- 元, of which they paid themselves
    village_clinics integer not null,         -- month end
    village_clinics_standard integer not null, -- of which up to the standard (标准化村卫生室)
    primary key (town_code, month),
);

-- 大病专项救治 per town, month and disease group: this year's cases on the register at month end and those
-- treated (a running total of the year, read at period end).
create table serious_illness (
    town_code varchar not null,
    month date not null,
    disease varchar not null,
    cases integer not null,
    treated integer not null,
    primary key (town_code, month, disease),
);

-- 医养结合 per town, month and setting (a township health centre's elderly-care beds, or a nursing home
-- served under contract by the centre): beds and residents at month end, admissions that month.
create table elderly_care (
    town_code varchar not null,
    month date not null,
    setting varchar not null check (setting in ('health_centre', 'nursing_home')),
    beds integer not null,
    residents integer not null,
    admissions integer not null,
    primary key (town_code, month, setting),
);

-- The licensing registers (智慧卫监, issue 26): per facility, the staff on record at a month's end as the
-- electronic registration of physicians and nurses (执业医师/护士电子注册) and of village doctors (乡村医生执业
-- 注册) list them, with the imaging and lab technicians the facility reports. A stock: a period reads its last month.
create table workforce_register (
    facility_code varchar not null,
    month date not null,
    physicians integer not null,          -- 执业（助理）医师 registered at this facility
    nurses integer not null,              -- 注册护士
    technicians integer not null,         -- 医技人员 (imaging, lab) in post
    village_doctors integer not null,     -- 乡村医生 in post (village clinics)
    village_doctors_licensed integer not null, -- of whom with a valid 乡村医生执业注册 (or a physician's licence)
    primary key (facility_code, month),
);

-- The pathogen identification network (病原微生物鉴定网络, issue 26): a shared service like imaging and lab,
-- whose centre (the network's lead, a CDC laboratory) identifies the cases its member institutions send.
-- Turnaround is stored as the total hours from receipt to report over the cases identified, so that a mean
-- over places and months is sum(hours) / sum(identified), never a mean of means.
create table pathogen_test (
    alliance_code varchar not null,
    facility_code varchar not null,       -- the sending member institution
    month date not null,
    cases_sent integer not null,
    cases_identified integer not null,
    turnaround_hours double not null,     -- sum over the cases identified of the hours to the report
    primary key (alliance_code, facility_code, month),
);

create table import_batch (
    batch_id integer primary key,
    loaded_at timestamp not null,
    source_file varchar not null,
    checksum varchar not null,
    rows_by_table varchar not null,       -- JSON object: table -> rows added/replaced
    loaded_by varchar not null,
    outcome varchar not null,             -- applied, undone
);

-- Data quality (issue 20): facility_dates, report_receipt, report_exception and quality_mark are in
-- data/quality_schema.sql, run after this file by every build and before every rollup rebuild.

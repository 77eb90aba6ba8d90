-- Resources flowing down each month: staff sent by role, expert clinic sessions, teaching rounds,
-- lectures, surgery demonstrations, staff sent up for training, and physicians posted (month-end stock),
-- at the member facilities of the selection (with an alliance selected, only that alliance's work).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Grain: one row per month with activity rows.
with scoped as (
    select a.*,
    from alliance_activity a
    join scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s on s.facility_code = a.facility_code
        and a.month >= s.counted_from
    where ($alliance is null or a.alliance_code = $alliance)
      and a.month between $month_from::date and $month_to::date
)
select
    s.month,
    sum(s.doctors_sent) as doctors_sent,
    sum(s.nurses_sent) as nurses_sent,
    sum(s.pharmacists_sent) as pharmacists_sent,
    sum(s.technicians_sent) as technicians_sent,
    sum(s.expert_clinic_sessions) as expert_clinic_sessions,
    sum(s.teaching_rounds) as teaching_rounds,
    sum(s.lectures) as lectures,
    sum(s.surgery_demos) as surgery_demos,
    sum(s.trainees_sent_up) as trainees_sent_up,
    sum(s.new_techniques) as new_techniques,
    sum(s.posted_physicians) as posted_physicians,
from scoped s
group by all
order by s.month;

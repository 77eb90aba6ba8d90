-- Help one facility received from its alliances (as a member) and gave through the alliances it leads
-- (the work its alliances did at their members), over the period; physicians posted are the stock at the
-- last month of the period with activity rows.
-- Parameters: $facility; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per alliance and side ('received' | 'given').
with rows as (
    select
        case when a.facility_code = $facility then 'received' else 'given' end as side,
        a.*,
    from alliance_activity a
    join alliance al on al.code = a.alliance_code
    where (a.facility_code = $facility or al.lead_facility = $facility)
      and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
      and a.month between $month_from::date and $month_to::date
),
last_month as (
    select r.side, r.alliance_code, max(r.month) as month, from rows r group by all
)
select
    r.side,
    r.alliance_code,
    al.name as alliance_name,
    count(distinct r.facility_code) as facilities,
    sum(r.doctors_sent) as doctors_sent,
    sum(r.nurses_sent) as nurses_sent,
    sum(r.pharmacists_sent) as pharmacists_sent,
    sum(r.technicians_sent) as technicians_sent,
    sum(r.doctors_sent + r.nurses_sent + r.pharmacists_sent + r.technicians_sent) as staff_sent,
    sum(r.expert_clinic_sessions) as expert_clinic_sessions,
    sum(r.teaching_rounds) as teaching_rounds,
    sum(r.lectures) as lectures,
    sum(r.surgery_demos) as surgery_demos,
    sum(r.trainees_sent_up) as trainees_sent_up,
    coalesce(sum(r.posted_physicians) filter (where r.month = lm.month), 0) as posted_physicians,
from rows r
join last_month lm on lm.side = r.side and lm.alliance_code = r.alliance_code
join alliance al on al.code = r.alliance_code
group by all
order by r.side desc, r.alliance_code;

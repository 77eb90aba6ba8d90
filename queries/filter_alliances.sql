-- Alliances a selection may use: those in the account's jurisdiction (macro reach_alliances).
-- Parameters: $scope_kind, $scope_code (jurisdiction). Grain: one row per alliance.
select
    a.code,
    a.name,
    a.kind,
    a.home_region,
from reach_alliances($scope_kind, $scope_code) a
order by a.kind, a.code;

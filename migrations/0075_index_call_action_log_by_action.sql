-- The console lists an action's latest outcomes (GET /v2/callaction/outcomes): by action, newest first.
create index call_action_log_action_created on call_action_log (action_id, created_at desc);

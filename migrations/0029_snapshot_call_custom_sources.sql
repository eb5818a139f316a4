-- A call keeps the custom sources its flow had when the call was written: slot -> custom_source_id
-- (`{"1": 12, "3": 40}`), null when the flow had none. The flow's slots change later
-- (POST/DELETE /v2/callflow/customsources); the call's record must not. A row trigger takes the
-- snapshot on every insert path (carrier calls, blocked calls, uploads), one index lookup each.
alter table call add column flow_custom_sources jsonb;

create function call_custom_sources_snapshot() returns trigger language plpgsql as $$
begin
  if new.call_flow_id is not null and new.flow_custom_sources is null then
    new.flow_custom_sources := (select jsonb_object_agg(s.slot::text, s.custom_source_id)
                                  from call_flow_custom_source s where s.call_flow_id = new.call_flow_id);
  end if;
  return new;
end
$$;

create trigger call_custom_sources_snapshot before insert on call
  for each row execute function call_custom_sources_snapshot();

-- Calls written before this migration: the flow's slots as they are now, the best knowledge left.
update call c
   set flow_custom_sources = (select jsonb_object_agg(s.slot::text, s.custom_source_id)
                                from call_flow_custom_source s where s.call_flow_id = c.call_flow_id)
 where c.call_flow_id in (select call_flow_id from call_flow_custom_source);

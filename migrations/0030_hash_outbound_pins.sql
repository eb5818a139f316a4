-- Outbound PINs are stored as HMAC-SHA256 under a server key (`hmac-sha256:<hex>`, see
-- src/modules/callflows/callflow-secrets.ts), no longer as their digits. The key is made here,
-- once: 32 random bytes from two random UUIDs (gen_random_uuid is core since PostgreSQL 13; 244 of
-- the bits are random), kept in app_setting like the generated carrier token. Then every PIN
-- already stored, in the flows and in their versions, is replaced by its hash.

insert into app_setting (key, value)
values ('outbound_pin_key',
        encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'))
on conflict (key) do nothing;

-- HMAC (RFC 2104) over the core sha256(): the key (shorter than SHA-256's 64-byte block) padded
-- with zeros, XORed with 0x36 for the inner hash and 0x5c for the outer one.
create function pg_temp.hmac_sha256(key bytea, message bytea) returns bytea
language plpgsql immutable as $$
declare
  block bytea := key || decode(repeat('00', 64 - length(key)), 'hex');
  inner_pad bytea := block;
  outer_pad bytea := block;
begin
  for i in 0..63 loop
    inner_pad := set_byte(inner_pad, i, get_byte(block, i) # 54);
    outer_pad := set_byte(outer_pad, i, get_byte(block, i) # 92);
  end loop;
  return sha256(outer_pad || sha256(inner_pad || message));
end $$;

create function pg_temp.hashed_pin(document jsonb) returns jsonb
language sql stable as $$
  select jsonb_set(document, '{outboundData,pin}', to_jsonb('hmac-sha256:' || encode(
           pg_temp.hmac_sha256(decode(s.value, 'base64'), convert_to(document #>> '{outboundData,pin}', 'UTF8')),
           'hex')))
    from app_setting s where s.key = 'outbound_pin_key'
$$;

update call_flow set document = pg_temp.hashed_pin(document)
 where jsonb_typeof(document #> '{outboundData,pin}') = 'string'
   and document #>> '{outboundData,pin}' not like 'hmac-sha256:%';

update call_flow_version set document = pg_temp.hashed_pin(document)
 where jsonb_typeof(document #> '{outboundData,pin}') = 'string'
   and document #>> '{outboundData,pin}' not like 'hmac-sha256:%';

drop function pg_temp.hashed_pin(jsonb);
drop function pg_temp.hmac_sha256(bytea, bytea);

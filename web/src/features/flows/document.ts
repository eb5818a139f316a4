/**
 * Flow documents as the API stores them (the latest entry of GET /v2/callflow/history) and as
 * they are posted back: the one shape the builder, copies and restores work on.
 */
export type FlowDocument = Record<string, unknown>;

/** The save endpoint's route key: a multi-level IVR's document has no routable_type of its own. */
export const routeKeyOf = (document: FlowDocument): string =>
  typeof document.routable_type === 'string' ? document.routable_type : 'multilevelivr';

/** The flow's document as a new flow: no id, the given name, on a tracking number or a new pool. */
export function asNewFlow(
  document: FlowDocument,
  { name, phoneNumber }: { name: string; phoneNumber: string | undefined },
): FlowDocument {
  const { call_flow_id: _id, number: _number, number_pool: pool, ...rest } = document;
  const copy: FlowDocument = { ...rest, call_flow_name: name, call_flow_status: 'active' };
  if (phoneNumber) copy.number = { phone_number: phoneNumber };
  else if (pool && typeof pool === 'object') {
    const { pool_id: _pool, ...settings } = pool as Record<string, unknown>;
    copy.number_pool = settings;
  }
  return copy;
}

import type { Queryable } from '../db/index.js';
import { type CallRecord, loadCallRecords } from '../modules/calls/call-record.js';

/**
 * One call's record (loadCallRecords) through a prepared statement, for the job steps that read
 * it for every completed call (the call summary e-mail, the webhook fan-out). The record's
 * statement takes longer to plan than to run, and unprepared it is planned on every read; its
 * text is one constant, so one name fits it (PostgreSQL; PGlite ignores the name).
 */
export async function loadCallRecordPrepared(q: Queryable, callId: number): Promise<CallRecord | undefined> {
  const prepared: Queryable = {
    query: (text, params) => q.query(text, params, { prepare: 'call_record_by_id' }),
    exec: (text) => q.exec(text),
  };
  const [record] = await loadCallRecords(prepared, [callId]);
  return record;
}

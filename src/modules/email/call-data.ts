import { XMLBuilder } from 'fast-xml-parser';

/** How a call record is written into an e-mail: V2's `return_type`. */
export type CallDataFormat = 'json' | 'xml';

const xml = new XMLBuilder({ format: true, indentBy: '  ' });

/** The call record as the body of a call-data e-mail, and the attachment that carries it too. */
export function renderCallData(record: object, format: CallDataFormat) {
  const callId = String((record as { call_id?: unknown }).call_id ?? '');
  const body =
    format === 'xml'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n${xml.build({ call: record })}`
      : JSON.stringify(record, null, 2);
  return {
    text: body,
    attachment: {
      filename: `call-${callId}.${format}`,
      content: body,
      contentType: format === 'xml' ? 'application/xml' : 'application/json',
    },
  };
}

/** Scalar fields read as "name: value" lines; lists and objects as compact JSON. */
function summaryLines(record: object): string[] {
  return Object.entries(record)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .filter(([, value]) => !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}

/** The plain-text call summary sent to a flow's `email_to_notify` and by `email_alert` actions. */
export function renderCallSummary(record: object, heading: string) {
  const callId = String((record as { call_id?: unknown }).call_id ?? '');
  return {
    subject: `${heading}: call ${callId}`,
    text: [`${heading}`, '', ...summaryLines(record), ''].join('\n'),
  };
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** Comma-separated addresses; undefined when any one is not an address. */
export function parseEmailList(value: string): string[] | undefined {
  const list = value
    .split(',')
    .map((email) => email.trim())
    .filter(Boolean);
  if (list.length === 0 || list.some((email) => !EMAIL.test(email))) return undefined;
  return list;
}

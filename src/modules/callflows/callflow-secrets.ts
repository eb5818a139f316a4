/** What an outbound PIN reads as in replies: it lets a caller dial out on the account. */
const PIN_MASK = '********';

/** Replies never carry an outbound PIN; the stored document keeps it for the call engine. */
export function withoutSecrets(document: Record<string, unknown>): Record<string, unknown> {
  const outbound = document.outboundData;
  if (!outbound || typeof outbound !== 'object' || !('pin' in outbound)) return document;
  return { ...document, outboundData: { ...outbound, pin: PIN_MASK } };
}

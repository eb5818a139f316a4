/**
 * Spam scoring from what the carrier tells us, 0 (clean) to 100 (certain spam). A flow with
 * `spam_filter_enabled` rejects calls scoring at or above its `spam_threshold`.
 */
export interface SpamSignals {
  /** SHAKEN/STIR result as Twilio sends it, e.g. `TN-Validation-Passed-A` */
  stirVerstat?: string | undefined;
  /** calls from the same number to the same tracking number in the last hour, this one excluded */
  recentCalls: number;
}

function attestationScore(verstat: string | undefined): number {
  if (!verstat) return 20;
  if (/Failed/i.test(verstat)) return 90;
  if (/Passed-A$/i.test(verstat)) return 0;
  if (/Passed-B$/i.test(verstat)) return 20;
  if (/Passed-C$/i.test(verstat)) return 40;
  return 50; // No-TN-Validation and anything new
}

export function spamScore(signals: SpamSignals): number {
  const burst = signals.recentCalls >= 5 ? 40 : signals.recentCalls >= 3 ? 20 : 0;
  return Math.min(100, attestationScore(signals.stirVerstat) + burst);
}

/**
 * The fewest calls in the last hour that make a call with this attestation score at or above
 * `threshold`, or undefined when no burst does. The score only grows with the burst, so the
 * database can decide "spam or not" from the count alone.
 */
export function spamBurstLimit(stirVerstat: string | undefined, threshold: number): number | undefined {
  // The burst signal saturates at 5 calls; one past it shows whether any count reaches the threshold.
  for (let recentCalls = 0; recentCalls <= 6; recentCalls++) {
    if (spamScore({ stirVerstat, recentCalls }) >= threshold) return recentCalls;
  }
  return undefined;
}

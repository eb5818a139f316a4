/**
 * Spam scoring from what the carrier tells us, 0 (clean) to 100 (certain spam). A flow with
 * `spam_filter_enabled` rejects calls scoring at or above its `spam_threshold`, except calls the
 * carrier fully vouches for (attestation A), which the filter never rejects.
 */
export interface SpamSignals {
  /** SHAKEN/STIR result as Twilio sends it, e.g. `TN-Validation-Passed-A` */
  stirVerstat?: string | undefined;
  /** calls from the same number to the same tracking number in the last hour, this one excluded */
  recentCalls: number;
}

/** The threshold of a flow that sends none (or 0, V2's "none"). */
export const DEFAULT_SPAM_THRESHOLD = 70;

const isFullyAttested = (verstat: string | undefined): boolean => /Passed-A$/i.test(verstat ?? '');

function attestationScore(verstat: string | undefined): number {
  if (!verstat) return 20;
  if (/Failed/i.test(verstat)) return 90;
  if (isFullyAttested(verstat)) return 0;
  if (/Passed-B$/i.test(verstat)) return 20;
  if (/Passed-C$/i.test(verstat)) return 40;
  return 50; // No-TN-Validation and anything new
}

export function spamScore(signals: SpamSignals): number {
  const burst = signals.recentCalls >= 5 ? 40 : signals.recentCalls >= 3 ? 20 : 0;
  return Math.min(100, attestationScore(signals.stirVerstat) + burst);
}

/**
 * The lowest threshold a flow may set: anything lower rejects every caller without attestation
 * A, since no such caller scores below the attestation of an unsigned call.
 */
export const MIN_SPAM_THRESHOLD = attestationScore(undefined) + 1;

/** A flow's threshold as the runtime applies it: unset and 0 mean the default. */
export const effectiveSpamThreshold = (threshold: number | null | undefined): number =>
  threshold ? threshold : DEFAULT_SPAM_THRESHOLD;

/** Why a flow's spam settings cannot be saved, or undefined. */
export function spamSettingsReason(flow: {
  spam_filter_enabled?: boolean | undefined;
  spam_threshold?: number | null | undefined;
}): string | undefined {
  if (!flow.spam_filter_enabled || !flow.spam_threshold) return undefined;
  return flow.spam_threshold < MIN_SPAM_THRESHOLD
    ? `spam_threshold ${flow.spam_threshold} would reject every caller without full (A) attestation; use ${MIN_SPAM_THRESHOLD} to 100, or 0 for the default (${DEFAULT_SPAM_THRESHOLD})`
    : undefined;
}

/** The filter's verdict on one call. */
export function isSpam(signals: SpamSignals, threshold: number): boolean {
  return !isFullyAttested(signals.stirVerstat) && spamScore(signals) >= threshold;
}

/**
 * The fewest calls in the last hour that make a call with this attestation spam at `threshold`,
 * or undefined when no burst does. The score only grows with the burst, so the database can
 * decide "spam or not" from the count alone.
 */
export function spamBurstLimit(stirVerstat: string | undefined, threshold: number): number | undefined {
  // The burst signal saturates at 5 calls; one past it shows whether any count reaches the threshold.
  for (let recentCalls = 0; recentCalls <= 6; recentCalls++) {
    if (isSpam({ stirVerstat, recentCalls }, threshold)) return recentCalls;
  }
  return undefined;
}

import {
  type Action,
  type CallContext,
  type CallEvent,
  keyPath,
  resume,
  type Step,
  start,
} from './engine.js';
import type { Program } from './program.js';

/** One thing that happens on a simulated call, in the words the simulator prints. */
export interface PathStep {
  kind: 'hear' | 'press' | 'silence' | 'ring' | 'answered' | 'no-answer' | 'whisper' | 'voicemail' | 'hangup';
  detail: string;
}

export interface DryRunInput {
  context: CallContext;
  /** keys for successive menus; '' = no input */
  press: readonly string[];
  /** which leg answers: the first rung, none, or a 10-digit number */
  answer: 'first' | 'none' | string;
}

export interface DryRunResult {
  steps: PathStep[];
  keyPath: string;
  trail: string[];
  outcome: string;
}

const MAX_STEPS = 60;

/**
 * How a call ended, read from its path: the name both the dry run and `switchboard call` print.
 * `answered` (someone took the call), `voicemail-left`, `no-answer` (every number rung, nobody
 * answered), `rejected` (blocked before routing), `hangup` (the flow ended it: a goodbye, a closed
 * schedule, a hang-up option), `step-limit` (still going after the simulator's step limit).
 */
export function callOutcome(steps: readonly { kind: string }[], finished: boolean): string {
  if (!finished) return 'step-limit';
  const kinds = new Set(steps.map((step) => step.kind));
  if (kinds.has('rejected')) return 'rejected';
  if (kinds.has('answered')) return 'answered';
  if (kinds.has('voicemail')) return 'voicemail-left';
  if (kinds.has('no-answer')) return 'no-answer';
  return 'hangup';
}

/**
 * Walks a program the way a call would, without a carrier or a database: the same engine, the
 * same decisions, so "what would happen if" answers match what calls do.
 */
export function dryRun(program: Program, input: DryRunInput): DryRunResult {
  const keys = [...input.press];
  const steps: PathStep[] = [];
  let step: Step = start(program, input.context);
  let finished = false;

  for (let count = 0; count < MAX_STEPS; count++) {
    let event: CallEvent | undefined;
    for (const action of step.actions as Action[]) {
      switch (action.verb) {
        case 'say':
          steps.push({ kind: 'hear', detail: action.text });
          break;
        case 'play':
          steps.push({ kind: 'hear', detail: `audio ${action.reference}` });
          break;
        case 'gather': {
          for (const audio of action.prompt) {
            steps.push({
              kind: 'hear',
              detail: audio.verb === 'say' ? audio.text : `audio ${audio.reference}`,
            });
          }
          const key = keys.shift() ?? '';
          steps.push(key ? { kind: 'press', detail: key } : { kind: 'silence', detail: 'no input' });
          event = { type: 'gather', digits: key };
          break;
        }
        case 'dial': {
          const timeout = Math.max(...action.legs.map((leg) => leg.timeoutSeconds));
          steps.push({
            kind: 'ring',
            detail: `${action.legs.map((leg) => leg.number).join(' + ')} for ${timeout} s`,
          });
          const answering =
            input.answer === 'none'
              ? undefined
              : input.answer === 'first'
                ? action.legs[0]
                : action.legs.find((leg) => leg.number === input.answer);
          if (answering && action.whisper) steps.push({ kind: 'whisper', detail: action.whisper });
          if (answering && action.screen) steps.push({ kind: 'press', detail: '1 (accepts the call)' });
          steps.push(
            answering
              ? { kind: 'answered', detail: answering.number }
              : { kind: 'no-answer', detail: 'no-answer' },
          );
          event = { type: 'dial', outcome: answering ? 'answered' : 'no-answer', accepted: true };
          break;
        }
        case 'record':
          steps.push({ kind: 'voicemail', detail: `recording up to ${action.maxLengthSeconds} s` });
          event = { type: 'recorded' };
          break;
        case 'hangup':
          steps.push({ kind: 'hangup', detail: 'hangup' });
          break;
      }
      if (event) break;
    }
    if (!event || step.done) {
      finished = true;
      break;
    }
    step = resume(program, step.state, event, input.context);
  }
  return {
    steps,
    keyPath: keyPath(step.state),
    trail: step.state.trail,
    outcome: callOutcome(steps, finished),
  };
}

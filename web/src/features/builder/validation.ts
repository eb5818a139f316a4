import { Kind } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CallFlowEntry } from '../../../../src/modules/callflows/callflow-create.schemas.js';
import { MultilevelIvrFlow } from '../../../../src/modules/callflows/callflows.schemas.js';
import { callFlowReason, multilevelIvrIssues } from '../../../../src/modules/callflows/callflows.validate.js';
import '../../lib/schema-check';
import { type IvrDocument, pathOf, pathOfReason, ROOT } from './tree';

/**
 * The builder's checks are the API's: the route's TypeBox schema (what POST validates the body
 * with) and the flow rules of `callflows.validate.ts` (what the service applies next), imported
 * from the server's own modules, never copied.
 */
export interface Issue {
  /** the node: ROOT for the flow and its top menu, else an option's path (`ivrs[1].ivrData[0]`) */
  path: string;
  /** the option's (or flow's) field, when the issue is about one field */
  field?: string | undefined;
  message: string;
}

/** `/ivrs/1/ivrData/0/target_did` -> the node `ivrs[1].ivrData[0]` and the field `target_did`. */
function locate(pointer: string): { path: string; field: string | undefined } {
  const steps = pointer.split('/').slice(1);
  const indices: number[] = [];
  let i = 0;
  if (steps[0] === 'ivrs' && /^\d+$/.test(steps[1] ?? '')) {
    indices.push(Number(steps[1]));
    i = 2;
    while (steps[i] === 'ivrData' && /^\d+$/.test(steps[i + 1] ?? '')) {
      indices.push(Number(steps[i + 1]));
      i += 2;
    }
  }
  const rest = steps.slice(i);
  return { path: pathOf(indices), field: rest.length ? rest.join('.') : undefined };
}

const FRIENDLY: Record<string, string> = {
  '/ivrs': 'The menu needs at least one option',
  '/call_flow_name': 'Give the flow a name',
  '/campaign_id': 'Choose a campaign',
  '/group_id': 'Choose a group',
  '/channel_id': 'Choose an ad source',
};

function schemaIssues(schema: Parameters<typeof Value.Errors>[0], document: unknown): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, document)) {
    const { path, field } = locate(error.path);
    const key = `${path}|${field}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const message =
      FRIENDLY[error.path] ??
      (error.schema[Kind] === 'Unsafe'
        ? 'Choose one of the listed values or a 10-digit number'
        : error.message);
    issues.push({ path, field, message });
  }
  return issues;
}

/** Strips the path a reason starts with (`ivrs[1]: key 12 ...` -> `key 12 ...`), shown on its node. */
const withoutPath = (reason: string) => reason.replace(/^ivrs(?:\[\d+\]|\.ivrData)*:\s*/, '');

/** Every issue of a multi-level IVR document: schema first, then the flow rules. */
export function ivrIssues(document: IvrDocument): Issue[] {
  const issues = schemaIssues(MultilevelIvrFlow, document);
  // the rules assume a document of the right shape, as the API applies them only after its schema
  if (issues.some((issue) => issue.path === ROOT && issue.field === 'ivrs')) return issues;
  try {
    for (const { reason } of multilevelIvrIssues(document)) {
      const { path } = pathOfReason(reason);
      issues.push({ path, message: withoutPath(reason) });
    }
  } catch {
    // a shape the schema already reports
  }
  return issues;
}

/** The issues of any other route type's document (POST /v2/callflow), at the flow. */
export function entryIssues(document: Record<string, unknown>): Issue[] {
  const issues = schemaIssues(CallFlowEntry, document);
  if (issues.length > 0) return issues;
  const reason = callFlowReason(document as Parameters<typeof callFlowReason>[0]);
  return reason ? [{ path: ROOT, message: reason }] : [];
}

/** The issues on one node, and on one of its fields. */
export const issuesAt = (issues: readonly Issue[], path: string) => issues.filter((i) => i.path === path);
export const fieldIssue = (issues: readonly Issue[], path: string, field: string) =>
  issues.find((i) => i.path === path && i.field === field)?.message;

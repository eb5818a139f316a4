/**
 * The call-action rule language, pure: no I/O, no clock. A rule compares one call field (or one
 * indicator score) with a value; rules are joined by AND/OR and parenthesised by `grouping`.
 * AND binds tighter than OR, inside a group and between groups, as in SQL.
 */

export const OPERATORS = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'contains',
  'does not contain',
  'begins with',
  'ends with',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const JOIN_TYPES = ['AND', 'OR', 'NONE'] as const;
export type JoinType = (typeof JOIN_TYPES)[number];

export type FieldType = 'number' | 'text' | 'list' | 'boolean';

/** The call fields a rule may test, with how they compare. */
export const CALL_FIELDS = {
  duration: 'number',
  disposition: 'text',
  caller_id: 'text',
  caller_name: 'text',
  caller_city: 'text',
  caller_state: 'text',
  caller_zip: 'text',
  tracking_number: 'text',
  channel: 'text',
  channel_id: 'number',
  campaign: 'text',
  campaign_id: 'number',
  call_flow_id: 'number',
  group_id: 'number',
  key_path: 'text',
  call_value: 'number',
  tags: 'list',
  custom_source: 'list',
  repeat_caller: 'boolean',
} as const satisfies Record<string, FieldType>;
export type CallField = keyof typeof CALL_FIELDS;
export const CALL_FIELD_NAMES = Object.keys(CALL_FIELDS) as CallField[];

export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  number: ['=', '!=', '>', '<', '>=', '<='],
  text: ['=', '!=', 'contains', 'does not contain', 'begins with', 'ends with'],
  list: ['=', '!=', 'contains', 'does not contain', 'begins with', 'ends with'],
  boolean: ['=', '!='],
};

export interface Rule {
  /** a call field; exactly one of data_field and indicator_id */
  data_field?: CallField | undefined;
  /** an indicator whose score (a number) is compared */
  indicator_id?: number | undefined;
  operator: Operator;
  comparator: string;
  /** joins this rule to the next one; ignored on the last rule */
  join_type?: JoinType | undefined;
  rule_order?: number | undefined;
  /** rules with the same grouping, next to each other in rule order, are parenthesised */
  grouping?: number | undefined;
}

export type FactValue = string | number | boolean | readonly string[] | null | undefined;

/** What rules are evaluated against: the call's fields and its indicator scores by indicator id. */
export interface CallFacts {
  fields: Partial<Record<CallField, FactValue>>;
  indicators: Readonly<Record<number, number>>;
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  yes: true,
  '1': true,
  false: false,
  no: false,
  '0': false,
};

const isNumeric = (value: string) => value.trim() !== '' && Number.isFinite(Number(value));

const fieldType = (rule: Rule): FieldType =>
  rule.indicator_id !== undefined ? 'number' : CALL_FIELDS[rule.data_field as CallField];

/** Why a rule cannot be saved, or undefined when it can. `at` prefixes the reason. */
export function ruleReason(rule: Rule, at: string): string | undefined {
  const hasField = rule.data_field !== undefined;
  const hasIndicator = rule.indicator_id !== undefined;
  if (hasField === hasIndicator) return `${at}: give exactly one of data_field and indicator_id`;
  if (rule.data_field !== undefined && !(rule.data_field in CALL_FIELDS))
    return `${at}: data_field ${rule.data_field} is not a call field`;
  const type = fieldType(rule);
  if (!OPERATORS_BY_TYPE[type].includes(rule.operator))
    return `${at}: operator '${rule.operator}' does not apply to ${hasField ? rule.data_field : 'an indicator score'}`;
  const comparator = String(rule.comparator);
  if (type === 'number' && !isNumeric(comparator)) return `${at}: comparator must be a number`;
  if (type === 'boolean' && !(comparator.trim().toLowerCase() in BOOLEAN_WORDS))
    return `${at}: comparator must be true or false`;
  if ((type === 'text' || type === 'list') && textOf(comparator) === '')
    return `${at}: comparator cannot be empty`;
  return undefined;
}

/** Why a rule list cannot be saved: each rule, then NONE only on the last rule. */
export function rulesReason(rules: readonly Rule[]): string | undefined {
  const ordered = inOrder(rules);
  for (const [index, rule] of ordered.entries()) {
    const reason = ruleReason(rule, `rules[${rules.indexOf(rule)}]`);
    if (reason) return reason;
    if (rule.join_type === 'NONE' && index < ordered.length - 1)
      return `rules[${rules.indexOf(rule)}]: join_type NONE is only allowed on the last rule`;
  }
  return undefined;
}

/** Text compares trimmed and case-insensitively; V2's `%` wildcards at the ends are dropped. */
function textOf(value: string): string {
  return value
    .trim()
    .replace(/^%+|%+$/g, '')
    .toLowerCase();
}

function compareNumber(actual: number, operator: Operator, expected: number): boolean {
  switch (operator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '>':
      return actual > expected;
    case '<':
      return actual < expected;
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
    default:
      return false;
  }
}

function compareText(actual: string, operator: Operator, expected: string): boolean {
  switch (operator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'contains':
      return actual.includes(expected);
    case 'does not contain':
      return !actual.includes(expected);
    case 'begins with':
      return actual.startsWith(expected);
    case 'ends with':
      return actual.endsWith(expected);
    default:
      return false;
  }
}

/** The negative operators hold when there is nothing to compare: no tag "does not contain" x. */
const isNegative = (operator: Operator) => operator === '!=' || operator === 'does not contain';

/** One rule against the facts. A missing value fails every test except the negative ones. */
export function evaluateRule(rule: Rule, facts: CallFacts): boolean {
  const type = fieldType(rule);
  const actual: FactValue =
    rule.indicator_id !== undefined
      ? facts.indicators[rule.indicator_id]
      : facts.fields[rule.data_field as CallField];
  const comparator = String(rule.comparator);
  if (actual === null || actual === undefined) return isNegative(rule.operator);

  switch (type) {
    case 'number': {
      const value = typeof actual === 'number' ? actual : Number(actual);
      if (!Number.isFinite(value)) return isNegative(rule.operator);
      return compareNumber(value, rule.operator, Number(comparator));
    }
    case 'boolean': {
      const value = typeof actual === 'boolean' ? actual : BOOLEAN_WORDS[String(actual).toLowerCase()];
      const expected = BOOLEAN_WORDS[comparator.trim().toLowerCase()];
      if (value === undefined || expected === undefined) return isNegative(rule.operator);
      return rule.operator === '=' ? value === expected : value !== expected;
    }
    case 'list': {
      const items = (Array.isArray(actual) ? actual : [String(actual)]).map((item) => textOf(String(item)));
      const expected = textOf(comparator);
      // A negative test holds when no item matches the positive one.
      if (rule.operator === '!=') return !items.some((item) => item === expected);
      if (rule.operator === 'does not contain') return !items.some((item) => item.includes(expected));
      return items.some((item) => compareText(item, rule.operator, expected));
    }
    default:
      return compareText(textOf(String(actual)), rule.operator, textOf(comparator));
  }
}

/** Rules by rule_order; rules without one keep their place among equals. */
function inOrder(rules: readonly Rule[]): Rule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => (a.rule.rule_order ?? a.index) - (b.rule.rule_order ?? b.index) || a.index - b.index)
    .map(({ rule }) => rule);
}

/** `v1 j1 v2 j2 v3 ...` with AND before OR: an OR of AND-runs. */
function combine(terms: readonly { value: boolean; join: JoinType }[]): boolean {
  let result = false;
  let run = true;
  for (const [index, term] of terms.entries()) {
    run = run && term.value;
    const isLast = index === terms.length - 1;
    if (isLast || term.join === 'OR') {
      result = result || run;
      run = true;
    }
  }
  return result;
}

/** True when the rules hold for the call; no rules at all always hold. */
export function evaluateRules(rules: readonly Rule[], facts: CallFacts): boolean {
  if (rules.length === 0) return true;
  const groups: Rule[][] = [];
  let previous: Rule | undefined;
  for (const rule of inOrder(rules)) {
    const current = groups.at(-1);
    if (current && previous && (previous.grouping ?? 0) === (rule.grouping ?? 0)) current.push(rule);
    else groups.push([rule]);
    previous = rule;
  }
  return combine(
    groups.map((group) => ({
      value: combine(
        group.map((rule) => ({ value: evaluateRule(rule, facts), join: rule.join_type ?? 'AND' })),
      ),
      join: group.at(-1)?.join_type ?? 'AND',
    })),
  );
}

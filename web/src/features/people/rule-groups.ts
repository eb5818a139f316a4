/**
 * A call action's rules as the form shows them: groups of rules (parenthesised), each rule joined
 * to the next by AND or OR. The API keeps them as one ordered list where `grouping` marks the
 * parentheses and `join_type` the joins (callactions/rules.ts); these two functions map between
 * the two, and the checks are the API's own (`ruleReason`, `rulesReason`).
 */
import {
  CALL_FIELDS,
  type CallField,
  type FieldType,
  OPERATORS_BY_TYPE,
  type Operator,
  type Rule,
} from '../../../../src/modules/callactions/rules.js';

export interface FormRule {
  /** the form's own key for the row (never sent) */
  id: number;
  /** a call field name, or `indicator:<id>` for an indicator score */
  field: string;
  operator: Operator;
  comparator: string;
  /** joins this rule to the next one (the next rule of the group, else the first of the next group) */
  join: 'AND' | 'OR';
}

export type FormGroup = FormRule[];

const INDICATOR = 'indicator:';

export const fieldTypeOf = (field: string): FieldType =>
  field.startsWith(INDICATOR) ? 'number' : (CALL_FIELDS[field as CallField] ?? 'text');

export const operatorsFor = (field: string): readonly Operator[] => OPERATORS_BY_TYPE[fieldTypeOf(field)];

let nextId = 1;
export const newRule = (): FormRule => ({
  id: nextId++,
  field: 'duration',
  operator: '>=',
  comparator: '',
  join: 'AND',
});

/** The API's rule list as groups: adjacent rules (in rule order) with one `grouping` form a group. */
export function toGroups(rules: readonly Rule[]): FormGroup[] {
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => (a.rule.rule_order ?? a.index) - (b.rule.rule_order ?? b.index) || a.index - b.index)
    .map(({ rule }) => rule);
  const groups: FormGroup[] = [];
  let previous: number | undefined;
  for (const rule of ordered) {
    const formRule: FormRule = {
      id: nextId++,
      field:
        rule.indicator_id !== undefined
          ? `${INDICATOR}${rule.indicator_id}`
          : (rule.data_field ?? 'duration'),
      operator: rule.operator,
      comparator: String(rule.comparator),
      join: rule.join_type === 'OR' ? 'OR' : 'AND',
    };
    const grouping = rule.grouping ?? 0;
    const last = groups.at(-1);
    // adjacent rules with one grouping form a group, as the API reads them (evaluateRules)
    if (last && grouping === previous) last.push(formRule);
    else groups.push([formRule]);
    previous = grouping;
  }
  return groups;
}

/** Groups as the API's rule list: rule_order from 1, grouping from 1 per group, NONE after the last. */
export function toRules(groups: readonly FormGroup[]): Rule[] {
  const flat = groups.flatMap((group, g) => group.map((rule) => ({ rule, grouping: g + 1 })));
  return flat.map(({ rule, grouping }, index) => ({
    ...(rule.field.startsWith(INDICATOR)
      ? { indicator_id: Number(rule.field.slice(INDICATOR.length)) }
      : { data_field: rule.field as CallField }),
    operator: rule.operator,
    comparator: rule.comparator,
    join_type: index === flat.length - 1 ? 'NONE' : rule.join,
    rule_order: index + 1,
    grouping,
  }));
}

/** Rules in words, for the list: "duration >= 60 AND (tags contains lead OR caller_state = UT)". */
export function describeRules(rules: readonly Rule[], nameOf: (field: string) => string): string {
  const groups = toGroups(rules);
  if (groups.length === 0) return 'Every call';
  return groups
    .map((group, g) => {
      const text = group
        .map(
          (rule, r) =>
            `${nameOf(rule.field)} ${rule.operator} ${rule.comparator}${r < group.length - 1 ? ` ${rule.join}` : ''}`,
        )
        .join(' ');
      const wrapped = group.length > 1 && groups.length > 1 ? `(${text})` : text;
      const join = g < groups.length - 1 ? ` ${group.at(-1)?.join ?? 'AND'} ` : '';
      return wrapped + join;
    })
    .join('');
}

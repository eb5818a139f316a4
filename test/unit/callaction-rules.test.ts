import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallFacts,
  evaluateRule,
  evaluateRules,
  type Operator,
  type Rule,
  ruleReason,
  rulesReason,
} from '../../src/modules/callactions/rules.js';

const facts: CallFacts = {
  fields: {
    duration: 75,
    disposition: 'ANSWERED',
    caller_id: '2125550142',
    tracking_number: '3125553000',
    channel: 'Google: Paid',
    campaign: 'Spring Sale',
    tags: ['Lead', 'hot-prospect'],
    custom_source: ['Flyer'],
    repeat_caller: true,
    call_value: null,
  },
  indicators: { 1: 0.8, 7: 0 },
};

const rule = (data_field: Rule['data_field'], operator: Operator, comparator: string): Rule => ({
  data_field,
  operator,
  comparator,
});

describe('each operator on a number field', () => {
  it.each<[Operator, string, boolean]>([
    ['=', '75', true],
    ['=', '74', false],
    ['!=', '74', true],
    ['!=', '75', false],
    ['>', '60', true],
    ['>', '75', false],
    ['<', '90', true],
    ['<', '75', false],
    ['>=', '75', true],
    ['>=', '76', false],
    ['<=', '75', true],
    ['<=', '74', false],
  ])('duration %s %s is %s', (operator, comparator, expected) => {
    expect(evaluateRule(rule('duration', operator, comparator), facts)).toBe(expected);
  });

  it('compares like JavaScript numbers for any pair (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (a, b) => {
        const f: CallFacts = { fields: { duration: a }, indicators: {} };
        const at = (operator: Operator) => evaluateRule(rule('duration', operator, String(b)), f);
        return (
          at('=') === (a === b) &&
          at('!=') === (a !== b) &&
          at('>') === a > b &&
          at('<') === a < b &&
          at('>=') === a >= b &&
          at('<=') === a <= b
        );
      }),
    );
  });
});

describe('each operator on a text field (case-insensitive, trimmed)', () => {
  it.each<[Operator, string, boolean]>([
    ['=', 'answered', true],
    ['=', 'ANSWER', false],
    ['!=', 'VOICEMAIL', true],
    ['!=', ' Answered ', false],
    ['contains', 'swer', true],
    ['contains', 'voice', false],
    ['does not contain', 'voice', true],
    ['does not contain', 'SWER', false],
    ['begins with', 'ans', true],
    ['begins with', 'swer', false],
    ['ends with', 'RED', true],
    ['ends with', 'ans', false],
    ['contains', '%swe%', true],
  ])('disposition %s %j is %s', (operator, comparator, expected) => {
    expect(evaluateRule(rule('disposition', operator, comparator), facts)).toBe(expected);
  });

  it('matches phone numbers by their digits', () => {
    expect(evaluateRule(rule('caller_id', 'begins with', '212'), facts)).toBe(true);
    expect(evaluateRule(rule('tracking_number', 'ends with', '3000'), facts)).toBe(true);
    expect(evaluateRule(rule('channel', 'begins with', 'google'), facts)).toBe(true);
    expect(evaluateRule(rule('campaign', '=', 'spring sale'), facts)).toBe(true);
  });

  it('contains and does not contain are opposites for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ minLength: 1, maxLength: 4 }), (text, part) => {
        fc.pre(part.trim().replace(/^%+|%+$/g, '') !== '');
        const f: CallFacts = { fields: { disposition: text }, indicators: {} };
        return (
          evaluateRule(rule('disposition', 'contains', part), f) !==
          evaluateRule(rule('disposition', 'does not contain', part), f)
        );
      }),
    );
  });
});

describe('each operator on a list field (tags, custom sources)', () => {
  it.each<[Operator, string, boolean]>([
    ['=', 'lead', true],
    ['=', 'hot', false],
    ['!=', 'spam', true],
    ['!=', 'LEAD', false],
    ['contains', 'prospect', true],
    ['contains', 'spam', false],
    ['does not contain', 'spam', true],
    ['does not contain', 'hot', false],
    ['begins with', 'hot', true],
    ['begins with', 'prospect', false],
    ['ends with', 'ead', true],
    ['ends with', 'hot', false],
  ])('tags %s %s is %s', (operator, comparator, expected) => {
    expect(evaluateRule(rule('tags', operator, comparator), facts)).toBe(expected);
  });

  it('a call without tags matches only the negative tests', () => {
    const none: CallFacts = { fields: { tags: [] }, indicators: {} };
    expect(evaluateRule(rule('tags', '=', 'lead'), none)).toBe(false);
    expect(evaluateRule(rule('tags', 'contains', 'lead'), none)).toBe(false);
    expect(evaluateRule(rule('tags', '!=', 'lead'), none)).toBe(true);
    expect(evaluateRule(rule('tags', 'does not contain', 'lead'), none)).toBe(true);
    expect(evaluateRule(rule('custom_source', '=', 'flyer'), facts)).toBe(true);
  });
});

describe('booleans, indicator scores and missing values', () => {
  it('repeat_caller compares with true/false words', () => {
    expect(evaluateRule(rule('repeat_caller', '=', 'true'), facts)).toBe(true);
    expect(evaluateRule(rule('repeat_caller', '=', 'no'), facts)).toBe(false);
    expect(evaluateRule(rule('repeat_caller', '!=', '0'), facts)).toBe(true);
  });

  it('an indicator score compares as a number; a missing score fails every positive test', () => {
    const indicator = (indicator_id: number, operator: Operator, comparator: string) =>
      evaluateRule({ indicator_id, operator, comparator }, facts);
    expect(indicator(1, '>=', '0.5')).toBe(true);
    expect(indicator(1, '<', '0.5')).toBe(false);
    expect(indicator(7, '=', '0')).toBe(true);
    expect(indicator(99, '>=', '0')).toBe(false);
    expect(indicator(99, '!=', '1')).toBe(true);
  });

  it('a missing field value fails every positive test', () => {
    expect(evaluateRule(rule('call_value', '>', '0'), facts)).toBe(false);
    expect(evaluateRule(rule('call_value', '<=', '0'), facts)).toBe(false);
    expect(evaluateRule(rule('call_value', '!=', '10'), facts)).toBe(true);
    expect(evaluateRule(rule('caller_name', 'contains', 'x'), facts)).toBe(false);
  });
});

describe('joining rules', () => {
  const yes = rule('duration', '>', '60');
  const no = rule('duration', '<', '60');

  it('no rules always hold', () => {
    expect(evaluateRules([], facts)).toBe(true);
  });

  it('AND and OR between single rules', () => {
    expect(evaluateRules([{ ...yes, join_type: 'AND' }, no], facts)).toBe(false);
    expect(evaluateRules([{ ...yes, join_type: 'OR' }, no], facts)).toBe(true);
    expect(evaluateRules([{ ...no, join_type: 'OR' }, yes], facts)).toBe(true);
    expect(evaluateRules([{ ...no, join_type: 'AND' }, yes], facts)).toBe(false);
  });

  it('AND binds tighter than OR: yes OR no AND no is true', () => {
    expect(
      evaluateRules(
        [
          { ...yes, join_type: 'OR' },
          { ...no, join_type: 'AND' },
          { ...no, join_type: 'NONE' },
        ],
        facts,
      ),
    ).toBe(true);
  });

  it('groups are parenthesised: (yes OR no) AND (no) is false, (no AND no) OR (yes) is true', () => {
    expect(
      evaluateRules(
        [
          { ...yes, join_type: 'OR', grouping: 1 },
          { ...no, join_type: 'AND', grouping: 1 },
          { ...no, grouping: 2 },
        ],
        facts,
      ),
    ).toBe(false);
    expect(
      evaluateRules(
        [
          { ...no, join_type: 'AND', grouping: 1 },
          { ...no, join_type: 'OR', grouping: 1 },
          { ...yes, grouping: 2 },
        ],
        facts,
      ),
    ).toBe(true);
  });

  it('rule_order decides the order, not the position in the list', () => {
    const rules: Rule[] = [
      { ...no, rule_order: 3 },
      { ...yes, join_type: 'OR', rule_order: 1 },
      { ...no, join_type: 'AND', rule_order: 2 },
    ];
    // yes OR (no AND no) -> true; in list order it would be no AND yes OR no -> false
    expect(evaluateRules(rules, facts)).toBe(true);
  });
});

describe('saving rules', () => {
  it('refuses an operator that does not fit the field', () => {
    expect(ruleReason(rule('duration', 'contains', '5'), 'rules[0]')).toBe(
      "rules[0]: operator 'contains' does not apply to duration",
    );
    expect(ruleReason(rule('disposition', '>', 'A'), 'rules[0]')).toBe(
      "rules[0]: operator '>' does not apply to disposition",
    );
    expect(ruleReason({ indicator_id: 3, operator: 'contains', comparator: '1' }, 'r')).toBe(
      "r: operator 'contains' does not apply to an indicator score",
    );
  });

  it('refuses bad comparators and a rule naming both or neither target', () => {
    expect(ruleReason(rule('duration', '>', 'long'), 'r')).toBe('r: comparator must be a number');
    expect(ruleReason(rule('repeat_caller', '=', 'maybe'), 'r')).toBe('r: comparator must be true or false');
    expect(ruleReason(rule('tags', '=', ' % '), 'r')).toBe('r: comparator cannot be empty');
    expect(ruleReason({ operator: '=', comparator: '1' }, 'r')).toBe(
      'r: give exactly one of data_field and indicator_id',
    );
  });

  it('allows NONE only on the last rule', () => {
    expect(
      rulesReason([{ ...rule('duration', '>', '1'), join_type: 'NONE' }, rule('duration', '<', '9')]),
    ).toBe('rules[0]: join_type NONE is only allowed on the last rule');
    expect(
      rulesReason([
        { ...rule('duration', '>', '1'), join_type: 'OR' },
        { ...rule('duration', '<', '9'), join_type: 'NONE' },
      ]),
    ).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { compileFilter, decodeFilterAgain, type FilterFields } from '../../src/http/filter.js';

const fields: FilterFields = {
  call_flow_name: { column: 'f.name', type: 'string' },
  group_id: { column: 'f.group_id', type: 'integer' },
  duration: { column: 'c.duration', type: 'number' },
  call_started: { column: 'c.started_at', type: 'date' },
  is_active: { column: 'f.is_active', type: 'boolean' },
};

const compile = (raw: string | undefined, timezone?: string) =>
  compileFilter(raw, fields, 4, timezone ? { timezone } : {});

describe('compileFilter', () => {
  it('ignores an empty or missing filter', () => {
    expect(compile(undefined)).toEqual({ conditions: [], params: [] });
    expect(compile('')).toEqual({ conditions: [], params: [] });
  });

  it('compiles each operator to a placeholder numbered after the fixed parameters', () => {
    const { conditions, params } = compile(
      'call_flow_name=Foo Bar,group_id>=8,group_id<=20,call_flow_name!=Baz',
    );
    expect(conditions).toEqual([
      'f.name = $4',
      'f.group_id >= $5',
      'f.group_id <= $6',
      'f.name is distinct from $7',
    ]);
    expect(params).toEqual(['Foo Bar', 8, 20, 'Baz']);
  });

  it('never puts a value into the SQL text', () => {
    const { conditions, params } = compile("call_flow_name=x' or 1=1 --");
    expect(conditions.join(' ')).not.toContain('or 1=1');
    expect(params).toEqual(["x' or 1=1 --"]);
  });

  it.each(['+', '!', '~', '#', '@', '$', '%', '^', '&', '*', '-', '/', ':'])(
    'rejects the comparator %s with V2 wording',
    (op) => {
      expect(() => compile(`call_flow_name${op}Foo`)).toThrow(
        `Unsupported comparator used in filter on rule 1 : call_flow_name${op}Foo`,
      );
    },
  );

  it('numbers the failing rule', () => {
    expect(() => compile('group_id=1,call_flow_name+Foo')).toThrow(
      'Unsupported comparator used in filter on rule 2 : call_flow_name+Foo',
    );
  });

  it('rejects >= and <= on a string field with V2 wording', () => {
    expect(() => compile('call_flow_name>=Foo')).toThrow(
      'Invalid comparator type "string" used for value being used in rule 1 : call_flow_name>=Foo',
    );
  });

  it('asks for valid data when a value is empty', () => {
    expect(() => compile('call_flow_name=')).toThrow('Please provide valid data.');
  });

  it('rejects a field that is not on the allow-list', () => {
    expect(() => compile('password=x')).toThrow('Unsupported field used in filter on rule 1 : password=x');
  });

  it('rejects a non-number for a numeric field', () => {
    expect(() => compile('group_id=abc')).toThrow(
      'Invalid value for integer field used in filter on rule 1 : group_id=abc',
    );
    expect(() => compile('duration>=1.5x')).toThrow(/Invalid value for number field/);
    expect(compile('duration>=1.5').params).toEqual([1.5]);
  });

  it('rejects an integer past the int4 range instead of failing in the database', () => {
    expect(() => compile('group_id=99999999999')).toThrow(/Invalid value for integer field/);
    expect(compile('group_id=2147483647').params).toEqual([2147483647]);
  });

  it('rejects a date outside the years 1000-9999', () => {
    expect(() => compile('call_started=0000-01-01')).toThrow(/Invalid value for date field/);
  });

  it('reads booleans', () => {
    expect(compile('is_active=true').params).toEqual([true]);
    expect(() => compile('is_active=yes')).toThrow(/Invalid value for boolean field/);
  });

  it('takes a bare date as the whole day in the given zone', () => {
    const { conditions, params } = compile(
      'call_started>=2019-10-01,call_started<=2019-10-31',
      'America/New_York',
    );
    expect(conditions).toEqual(['c.started_at >= $4', 'c.started_at < $5']);
    expect(params).toEqual([new Date('2019-10-01T04:00:00.000Z'), new Date('2019-11-01T04:00:00.000Z')]);
  });

  it('keeps a date-time with an offset as that instant', () => {
    const { params } = compile('call_started>=2019-10-01T10:00:00.000Z');
    expect(params).toEqual([new Date('2019-10-01T10:00:00.000Z')]);
  });

  it('rejects a malformed date', () => {
    expect(() => compile('call_started>=2019-13-45')).toThrow(/Invalid value for date field/);
  });
});

describe('null in a filter', () => {
  it('is no value on every field: = is "is null", != is "is not null", a range matches nothing', () => {
    const { conditions, params } = compile(
      'group_id=null,call_flow_name!=NULL,duration>=null,call_started<=null,is_active=null',
    );
    expect(conditions).toEqual([
      'f.group_id is null',
      'f.name is not null',
      'false',
      'false',
      'f.is_active is null',
    ]);
    expect(params).toEqual([]);
  });

  it('still refuses a range on a string field first', () => {
    expect(() => compile('call_flow_name>=null')).toThrow(/Invalid comparator type "string"/);
  });
});

describe('decodeFilterAgain', () => {
  it('decodes what a client encoded twice', () => {
    expect(decodeFilterAgain('tag_id%3dnull')).toBe('tag_id=null');
    expect(decodeFilterAgain('call_flow_name%21%3DFoo%2CBar')).toBe('call_flow_name!=Foo,Bar');
    expect(decodeFilterAgain('caller_name%3D%C3%A9mile')).toBe('caller_name=émile');
  });

  it('keeps a % that does not start a valid escape, and escapes that are not UTF-8', () => {
    expect(decodeFilterAgain('call_flow_name=50% off')).toBe('call_flow_name=50% off');
    expect(decodeFilterAgain('call_flow_name%Foo')).toBe('call_flow_name%Foo');
    expect(decodeFilterAgain('x=%E2%82')).toBe('x=%E2%82');
    expect(decodeFilterAgain('x=a+b')).toBe('x=a+b');
  });
});

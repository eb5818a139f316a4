import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { INT4_MAX } from '../db/db.js';
import { invalidInput } from '../errors.js';
import { nulCharacterError } from './text-guard.js';

/**
 * V2's list filter: `filter=field<op>value,field<op>value`, ops `=`, `!=`, `>=`, `<=`.
 * Each endpoint names the fields it allows and their types; rules compile to parameterised SQL,
 * so a filter value never reaches SQL text. Error strings are V2's own.
 */
export type FilterFieldType = 'string' | 'integer' | 'number' | 'date' | 'boolean';

export interface FilterField {
  /** SQL expression for the field, e.g. `g.group_name` */
  column: string;
  type: FilterFieldType;
  /**
   * For a string field that is not one value per row (a call's tags): the SQL condition for
   * `=` (`negated` false) or `!=`, given the value's placeholder. `column` is then unused.
   */
  condition?: (placeholder: string, negated: boolean) => string;
  /** The SQL for `=null` (`negated` false: the row has no value) or `!=null`, when `column` cannot say. */
  nullCondition?: (negated: boolean) => string;
}

export type FilterFields = Readonly<Record<string, FilterField>>;

export interface FilterOptions {
  /** IANA zone that date values without an offset are read in (default UTC) */
  timezone?: string;
}

const RULE = /^([A-Za-z_][A-Za-z0-9_.]*)(>=|<=|!=|=)(.*)$/s;

/**
 * A filter as V2 read it: percent-decoded once more after the query string's own decoding.
 * Convirza's own test client encodes the value twice (`tag_id%253dnull` on the wire) and V2's
 * answers (and error texts) show the rule decoded twice. Each run of `%XX` escapes that is valid
 * UTF-8 is decoded; any other `%` stays as it is (`50%`, `%zz`), so a value sent encoded once
 * reads the same unless it holds `%` followed by two hex digits.
 */
export function decodeFilterAgain(filter: string): string {
  return filter.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Applies decodeFilterAgain to the `filter` query parameter of every route in `app`'s scope,
 * before validation. The app-wide NUL guard ran on the value before this decoding, so a NUL it
 * uncovers (`%2500`) is refused here.
 */
export function decodeListFilters(app: FastifyInstance) {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (typeof query?.filter !== 'string' || !query.filter.includes('%')) return;
    query.filter = decodeFilterAgain(query.filter);
    if ((query.filter as string).includes('\u0000')) throw nulCharacterError('query.filter');
  });
}

export interface CompiledFilter {
  /** SQL conditions to AND together; `$n` placeholders number on from `firstParam` */
  conditions: string[];
  params: unknown[];
}

/** Parses and compiles a filter. An empty or missing filter compiles to no conditions. */
export function compileFilter(
  raw: string | undefined,
  fields: FilterFields,
  firstParam: number,
  options: FilterOptions = {},
): CompiledFilter {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (raw === undefined || raw.trim() === '') return { conditions, params };
  const placeholder = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };

  raw.split(',').forEach((rule, index) => {
    const ruleNumber = index + 1;
    const match = RULE.exec(rule.trim());
    if (!match) throw invalidInput(`Unsupported comparator used in filter on rule ${ruleNumber} : ${rule}`);
    const [, name = '', op = '', rawValue = ''] = match;
    const value = rawValue.trim();
    const field = fields[name];
    if (!field) throw invalidInput(`Unsupported field used in filter on rule ${ruleNumber} : ${rule}`);
    if (value === '') throw invalidInput('Please provide valid data.');
    const isRange = op === '>=' || op === '<=';
    if (isRange && (field.type === 'string' || field.type === 'boolean')) {
      throw invalidInput(
        `Invalid comparator type "${field.type}" used for value being used in rule ${ruleNumber} : ${rule}`,
      );
    }
    const badValue = () =>
      invalidInput(`Invalid value for ${field.type} field used in filter on rule ${ruleNumber} : ${rule}`);

    // `null` is no value, on every field: V2 answers `ou_id=null` as a filter that matches nothing.
    if (value.toLowerCase() === 'null') {
      const isNull = (negated: boolean) =>
        field.nullCondition?.(negated) ?? `${field.column} is ${negated ? 'not ' : ''}null`;
      conditions.push(op === '=' ? isNull(false) : op === '!=' ? isNull(true) : 'false');
      return;
    }

    switch (field.type) {
      case 'string':
        if (field.condition) conditions.push(field.condition(placeholder(value), op === '!='));
        else
          conditions.push(`${field.column} ${op === '!=' ? 'is distinct from' : '='} ${placeholder(value)}`);
        return;
      case 'integer':
      case 'number': {
        const pattern = field.type === 'integer' ? /^-?\d{1,15}$/ : /^-?\d{1,15}(\.\d+)?$/;
        if (!pattern.test(value)) throw badValue();
        // Integer columns are int4: a value past its range is bad input, not a database error.
        if (field.type === 'integer' && Math.abs(Number(value)) > INT4_MAX) throw badValue();
        const sqlOp = op === '!=' ? 'is distinct from' : op;
        conditions.push(`${field.column} ${sqlOp} ${placeholder(Number(value))}`);
        return;
      }
      case 'boolean': {
        const normalized = value.toLowerCase();
        if (!['true', 'false', '1', '0'].includes(normalized)) throw badValue();
        const flag = normalized === 'true' || normalized === '1';
        conditions.push(`${field.column} ${op === '!=' ? 'is distinct from' : '='} ${placeholder(flag)}`);
        return;
      }
      case 'date': {
        const range = parseDateRange(value, options.timezone ?? 'UTC');
        if (!range) throw badValue();
        const { start, end } = range;
        // A bare date covers the whole day in the zone: `<=2019-10-31` includes the 31st.
        if (op === '>=') conditions.push(`${field.column} >= ${placeholder(start)}`);
        else if (op === '<=') conditions.push(`${field.column} < ${placeholder(end)}`);
        else if (op === '=')
          conditions.push(
            `(${field.column} >= ${placeholder(start)} and ${field.column} < ${placeholder(end)})`,
          );
        else
          conditions.push(
            `(${field.column} < ${placeholder(start)} or ${field.column} >= ${placeholder(end)})`,
          );
        return;
      }
    }
  });
  return { conditions, params };
}

/**
 * A date (`2019-10-01`) is the half-open day [start, next day); a date-time is the instant itself,
 * kept as a 1 ms range so `=`/`!=` compare exactly. Values without an offset are read in `zone`.
 */
function parseDateRange(value: string, zone: string): { start: Date; end: Date } | undefined {
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const iso = value.includes(' ') && !value.includes('T') ? value.replace(' ', 'T') : value;
  const parsed = DateTime.fromISO(iso, { zone, setZone: true });
  // PostgreSQL timestamps span years 4713 BC to 294276 AD; PGlite fails on year 0. Keep to 1000-9999.
  if (!parsed.isValid || parsed.year < 1000 || parsed.year > 9999) return undefined;
  const start = isDateOnly ? parsed.startOf('day') : parsed;
  const end = isDateOnly ? start.plus({ days: 1 }) : start.plus({ milliseconds: 1 });
  return { start: start.toJSDate(), end: end.toJSDate() };
}

/** Combines filter conditions with fixed ones into a WHERE clause body. */
export function whereClause(conditions: string[]): string {
  return conditions.length === 0 ? 'true' : conditions.join(' and ');
}

/**
 * The rules of a filter on the given fields only, as a filter string (for a second list that
 * shares some of the first one's fields, after the whole filter was checked against the first).
 */
export function rulesOn(raw: string | undefined, fields: FilterFields): string | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .filter((rule) => {
      const name = RULE.exec(rule.trim())?.[1];
      return name !== undefined && Object.hasOwn(fields, name);
    })
    .join(',');
}

/** SQL fragments shared by repos. */

/** A timestamptz rendered as V2 sends it: `YYYY-MM-DDTHH:mm:ss.SSSZ`, the same on both engines. */
export const isoTime = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** True when `groupColumn` is the caller's group or below it (`$n` holds the caller's group id). */
export const inScope = (groupColumn: string, param: string) =>
  `${groupColumn} in (select s.group_id from org_group s where s.path @> array[${param}::integer])`;

import {
  type CompiledFilter,
  compileFilter,
  type FilterFields,
  type FilterOptions,
} from '../../http/filter.js';

export interface ListQuery {
  limit: number;
  offset: number;
  filter?: string | undefined;
}

/** What a repo's list method takes: a page and a compiled filter. */
export interface ListPage {
  limit: number;
  offset: number;
  filter: CompiledFilter;
}

/** A list page with its filter compiled; filter params number on after `fixedParams` fixed ones. */
export function toPage(
  query: ListQuery,
  fields: FilterFields,
  fixedParams: number,
  options?: FilterOptions,
): ListPage {
  return {
    limit: query.limit,
    offset: query.offset,
    filter: compileFilter(query.filter, fields, fixedParams + 1, options),
  };
}

import type { IvrOption, MultilevelIvrFlow } from '../../../../src/routing/flow-document.js';

/**
 * The multi-level IVR document as a tree the builder edits. A node's id is its path in the
 * document, spelled as the API names it in errors: '' is the top menu, `ivrs[1]` an option of it,
 * `ivrs[1].ivrData[0]` an option of that option's sub-menu. Edits return a new document; fields
 * the user did not touch are kept exactly as they were (the round trip is byte for byte).
 */
export type IvrDocument = MultilevelIvrFlow & Record<string, unknown>;
export type { IvrOption };

export const ROOT = '';

/** The option indices along a path: `ivrs[1].ivrData[0]` -> [1, 0]. */
export function indicesOf(path: string): number[] {
  return [...path.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
}

export const pathOf = (indices: readonly number[]): string =>
  indices.map((index, depth) => (depth === 0 ? `ivrs[${index}]` : `.ivrData[${index}]`)).join('');

export const parentOf = (path: string): string => pathOf(indicesOf(path).slice(0, -1));

/** Menu depth of the menu a path's option sits in: 1 for the top menu's options. */
export const depthOf = (path: string): number => indicesOf(path).length;

export function optionAt(document: IvrDocument, path: string): IvrOption | undefined {
  let options: IvrOption[] | undefined = document.ivrs;
  let option: IvrOption | undefined;
  for (const index of indicesOf(path)) {
    option = options?.[index];
    options = option?.ivrData;
  }
  return option;
}

/** The options of the menu at `path` (the top menu for ROOT, else a sub-menu option's ivrData). */
export function menuOptions(document: IvrDocument, path: string): IvrOption[] {
  return (path === ROOT ? document.ivrs : optionAt(document, path)?.ivrData) ?? [];
}

/** A copy of the document with the option list of the menu at `menuPath` replaced. */
function withMenu(document: IvrDocument, menuPath: string, options: IvrOption[]): IvrDocument {
  if (menuPath === ROOT) return { ...document, ivrs: options };
  const indices = indicesOf(menuPath);
  const replace = (list: IvrOption[], depth: number): IvrOption[] =>
    list.map((option, i) => {
      if (i !== indices[depth]) return option;
      return depth === indices.length - 1
        ? { ...option, ivrData: options }
        : { ...option, ivrData: replace(option.ivrData ?? [], depth + 1) };
    });
  return { ...document, ivrs: replace(document.ivrs, 0) };
}

export function updateOption(
  document: IvrDocument,
  path: string,
  update: (option: IvrOption) => IvrOption,
): IvrDocument {
  const parent = parentOf(path);
  const index = indicesOf(path).at(-1) ?? 0;
  return withMenu(
    document,
    parent,
    menuOptions(document, parent).map((option, i) => (i === index ? update(option) : option)),
  );
}

/** The first digit no option of the menu uses (nor its go-back key), or undefined when all ten are taken. */
export function freeKey(options: readonly IvrOption[]): number | undefined {
  const used = new Set(options.flatMap((o) => [o.key, ...(o.go_back_key == null ? [] : [o.go_back_key])]));
  return [1, 2, 3, 4, 5, 6, 7, 8, 9, 0].find((key) => !used.has(key));
}

/** Adds an option to the menu at `menuPath`; returns the document and the new option's path. */
export function addOption(document: IvrDocument, menuPath: string): { document: IvrDocument; path: string } {
  const options = menuOptions(document, menuPath);
  const option: IvrOption = { key: freeKey(options) ?? 0, action: 'simple' };
  const next = withMenu(document, menuPath, [...options, option]);
  return { document: next, path: pathOf([...indicesOf(menuPath), options.length]) };
}

export function deleteOption(document: IvrDocument, path: string): IvrDocument {
  const parent = parentOf(path);
  const index = indicesOf(path).at(-1);
  return withMenu(
    document,
    parent,
    menuOptions(document, parent).filter((_, i) => i !== index),
  );
}

/** Moves an option one place up (-1) or down (+1) among its siblings; returns its new path. */
export function moveOption(
  document: IvrDocument,
  path: string,
  by: -1 | 1,
): { document: IvrDocument; path: string } {
  const parent = parentOf(path);
  const options = [...menuOptions(document, parent)];
  const index = indicesOf(path).at(-1) ?? 0;
  const target = index + by;
  if (target < 0 || target >= options.length) return { document, path };
  [options[index], options[target]] = [options[target] as IvrOption, options[index] as IvrOption];
  return {
    document: withMenu(document, parent, options),
    path: pathOf([...indicesOf(parent), target]),
  };
}

/** The go-back key of the sub-menu at `menuPath`: the engine takes the first option's that has one. */
export const goBackKeyOf = (document: IvrDocument, menuPath: string): number | undefined =>
  menuOptions(document, menuPath).find((o) => o.go_back_key != null)?.go_back_key ?? undefined;

/** Sets (or clears) a sub-menu's go-back key on the options that carry one, else on its first option. */
export function setGoBackKey(document: IvrDocument, menuPath: string, key: number | undefined): IvrDocument {
  const options = menuOptions(document, menuPath);
  const carriers = options.some((o) => o.go_back_key != null);
  return withMenu(
    document,
    menuPath,
    options.map((option, i) => {
      const { go_back_key: _old, ...rest } = option;
      if (key === undefined) return rest;
      return (carriers ? option.go_back_key != null : i === 0) ? { ...option, go_back_key: key } : option;
    }),
  );
}

export interface TreeNode {
  path: string;
  option: IvrOption | undefined;
  depth: number;
  /** the keys pressed from the top menu to reach this node */
  keys: number[];
}

/** Every node of the tree, the top menu first, depth first. */
export function walk(document: IvrDocument): TreeNode[] {
  const nodes: TreeNode[] = [{ path: ROOT, option: undefined, depth: 0, keys: [] }];
  const visit = (options: IvrOption[], indices: number[], keys: number[]) => {
    options.forEach((option, i) => {
      const path = pathOf([...indices, i]);
      nodes.push({ path, option, depth: indices.length + 1, keys: [...keys, option.key] });
      if (option.action === 'interactiveVoice')
        visit(option.ivrData ?? [], [...indices, i], [...keys, option.key]);
    });
  };
  visit(document.ivrs ?? [], [], []);
  return nodes;
}

/**
 * The builder's node for a node id of the routing engine's trail (`m` the top menu, `m.2.1` key 2
 * then key 1, maybe with a `:open`-style suffix), or undefined for trail entries that are not nodes.
 */
export function pathOfTrailId(document: IvrDocument, trailId: string): string | undefined {
  const id = trailId.split(':')[0] ?? '';
  if (id !== 'm' && !id.startsWith('m.')) return undefined;
  let path = ROOT;
  for (const key of id.split('.').slice(1)) {
    const index = menuOptions(document, path).findIndex((o) => String(o.key) === key);
    if (index < 0) return undefined;
    path = pathOf([...indicesOf(path), index]);
  }
  return path;
}

/** The node a save's per-entry error names (`ivrs[1].ivrData[0]: ...`), ROOT for the flow itself. */
export function pathOfReason(reason: string): { path: string; isMenu: boolean } {
  const match = /^(ivrs(?:\[\d+\](?:\.ivrData(?:\[\d+\])?)?)*(?:\.ivrData)?)(?::|\s)/.exec(reason);
  if (!match?.[1]) return { path: ROOT, isMenu: false };
  const at = match[1];
  // a menu's own reason (`ivrs[1].ivrData: key 2 is used ...`) belongs to the option holding the menu
  if (at === 'ivrs') return { path: ROOT, isMenu: true };
  if (at.endsWith('.ivrData')) return { path: at.slice(0, -'.ivrData'.length), isMenu: true };
  return { path: at, isMenu: false };
}

/**
 * The node a save's refusal concerns when the API names a record rather than a path: a location
 * of your groups (`location_id 9 is not a location you can access`) or an audio file
 * (`file://ab12 is not an audio file of group_id 2 ...`), found where the document names it.
 */
export function pathOfReference(document: IvrDocument, reason: string): string | undefined {
  const location = /^location_id (\d+) /.exec(reason)?.[1];
  const audio = /^(file:\/\/\S+) is not an audio file/.exec(reason)?.[1];
  if (location === undefined && audio === undefined) return undefined;
  return walk(document).find(({ option }) => {
    if (!option) return audio !== undefined && JSON.stringify(document.message ?? '').includes(audio);
    if (location !== undefined)
      return option.action === 'geo' && String(option.geoData?.location_id) === location;
    const { ivrData: _children, ...own } = option;
    return JSON.stringify(own).includes(audio as string);
  })?.path;
}

// type-only imports spelled with .js: the unit tests compile this file with the server's node16 resolution
import type { IvrItem } from '../../../../src/modules/callflows/callflow-create.schemas.js';
import { toIvrOptions } from '../../../../src/modules/callflows/callflows.validate.js';
import type { FlowDocument } from '../flows/document.js';
import type { IvrDocument, IvrOption } from './tree.js';

/**
 * A single-level IVR (`routable_type: "ivr"`, POST /v2/callflow) shown and edited as the graph
 * of a one-level menu. Its items are V2's QA shape (`key` or `Key`, `name`, `route_type`,
 * `message_enabled`); the builder works on them as IVR options through the API's own mapping
 * (`toIvrOptions`), and an edit is mapped back onto the item it came from, so an item the user
 * did not touch is saved exactly as it was, spelling and all.
 */
export const isSingleLevel = (document: FlowDocument): boolean => document.routable_type === 'ivr';

const itemsOf = (document: FlowDocument): IvrItem[] =>
  Array.isArray(document.ivrs) ? (document.ivrs as IvrItem[]) : [];

/** The document as the builder's menu tree: the same fields, the items as IVR options. */
export function menuViewOf(document: FlowDocument): IvrDocument {
  return { ...document, ivrs: toIvrOptions(itemsOf(document)) } as IvrDocument;
}

const ROUTE_TYPE_OF: Record<Exclude<IvrOption['action'], 'interactiveVoice'>, IvrItem['route_type']> = {
  simple: 'Simple',
  geo: 'Geo',
  schedule: 'Schedule',
  voicemail: 'Voicemail',
  hangup: 'Hangup',
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One option back as an item, in the spelling of the item it was made from (if any). */
function toItem(option: IvrOption, from: IvrItem | undefined): IvrItem {
  if (from && same(toIvrOptions([from])[0], option)) return from;
  const {
    key,
    action,
    destination,
    message,
    target_did,
    ivrData: _menu,
    go_back_key: _back,
    ...rest
  } = option as IvrOption & Record<string, unknown>;
  const before = from ? toIvrOptions([from])[0] : undefined;
  const item: Record<string, unknown> = { ...rest };
  item[from && from.Key !== undefined && from.key === undefined ? 'Key' : 'key'] = key;
  if (destination !== undefined) item.name = destination;
  if (message !== undefined) {
    if (from?.message_enabled !== undefined) item.message_enabled = true;
    item.message = message;
  } else if (from?.message_enabled === false) {
    // a prompt switched off stays in the item, off, as it was sent
    item.message_enabled = false;
    if (from.message !== undefined) item.message = from.message;
  }
  if (before?.action === action && from?.route_type !== undefined) item.route_type = from.route_type;
  else if (before?.action === action && from && from.route_type === undefined) {
    // Simple by default: nothing to spell
  } else item.route_type = ROUTE_TYPE_OF[action as keyof typeof ROUTE_TYPE_OF] ?? 'Simple';
  if (target_did !== undefined) item.target_did = target_did;
  else if (action === 'hangup' && before?.action === 'hangup' && from?.target_did !== undefined)
    item.target_did = from.target_did;
  // the item's own fields keep their places, new ones follow
  const order = [...Object.keys(from ?? {}), ...Object.keys(item)];
  return Object.fromEntries(
    [...new Set(order)].filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
  ) as IvrItem;
}

/** The edited menu view back as the single-level document, item by item. */
export function fromMenuView(view: IvrDocument, original: FlowDocument): FlowDocument {
  const items = itemsOf(original);
  const options = toIvrOptions(items);
  return {
    ...view,
    ivrs: view.ivrs.map((option, i) => {
      // an item keeps its own spelling while it sits anywhere in the menu (a move reorders them)
      const at = options.findIndex((o, j) => same(o, option) && items[j] !== undefined);
      if (at >= 0) return items[at];
      return toItem(option, items[i]);
    }),
  };
}

import { describe, expect, it } from 'vitest';
import { multilevelIvrIssues, multilevelIvrReason } from '../../src/modules/callflows/callflows.validate.js';
import type { MultilevelIvrFlow } from '../../src/routing/flow-document.js';
import { fromMenuView, menuViewOf } from '../../web/src/features/builder/single-level.js';
import {
  addOption,
  deleteOption,
  goBackKeyOf,
  type IvrDocument,
  moveOption,
  optionAt,
  pathOfReason,
  pathOfReference,
  pathOfTrailId,
  setGoBackKey,
  updateOption,
  walk,
} from '../../web/src/features/builder/tree.js';
import { formatPlace } from '../../web/src/lib/format.js';

/** The builder's document operations and the shared flow rules it shows, without a browser. */
const flow = (): IvrDocument => ({
  call_flow_name: 'Main line',
  group_id: 2,
  campaign_id: 1,
  channel_id: 7,
  number: { phone_number: 8015550140 },
  message: 'For sales press 1, for service press 2.',
  ivrs: [
    { key: 1, action: 'simple', destination: 'Sales', target_did: 8015550110 },
    {
      key: 2,
      action: 'interactiveVoice',
      destination: 'Service',
      message: 'For repairs press 1.',
      ivrData: [{ key: 1, action: 'simple', destination: 'Repairs', target_did: 8015550120, go_back_key: 9 }],
    },
  ],
});

describe('the builder’s tree of a multi-level IVR', () => {
  it('names nodes by the paths the API names in its errors, and knows the keys that reach each', () => {
    expect(walk(flow()).map((node) => [node.path, node.keys.join('>')])).toEqual([
      ['', ''],
      ['ivrs[0]', '1'],
      ['ivrs[1]', '2'],
      ['ivrs[1].ivrData[0]', '2>1'],
    ]);
    expect(optionAt(flow(), 'ivrs[1].ivrData[0]')?.destination).toBe('Repairs');
  });

  it('adds, moves and deletes options without touching anything else of the document', () => {
    const original = flow();
    const added = addOption(original, 'ivrs[1]');
    expect(added.path).toBe('ivrs[1].ivrData[1]');
    // the first free digit that is neither a key nor the menu's go-back key
    expect(optionAt(added.document, added.path)).toEqual({ key: 2, action: 'simple' });
    const moved = moveOption(added.document, added.path, -1);
    expect(moved.path).toBe('ivrs[1].ivrData[0]');
    expect(optionAt(moved.document, 'ivrs[1].ivrData[1]')?.destination).toBe('Repairs');
    const back = deleteOption(moved.document, moved.path);
    expect(back).toEqual(original);
    expect(JSON.stringify(back)).toBe(JSON.stringify(flow()));
    expect(original).toEqual(flow());
  });

  it('edits one option in place and keeps the order of its fields', () => {
    const edited = updateOption(flow(), 'ivrs[0]', (option) => ({ ...option, destination: 'New sales' }));
    expect(JSON.stringify(edited)).toBe(JSON.stringify(flow()).replace('"Sales"', '"New sales"'));
  });

  it('reads and sets a sub-menu’s go-back key where the engine reads it (the first option that has one)', () => {
    expect(goBackKeyOf(flow(), 'ivrs[1]')).toBe(9);
    const changed = setGoBackKey(flow(), 'ivrs[1]', 0);
    expect(optionAt(changed, 'ivrs[1].ivrData[0]')?.go_back_key).toBe(0);
    const cleared = setGoBackKey(flow(), 'ivrs[1]', undefined);
    expect(optionAt(cleared, 'ivrs[1].ivrData[0]')).not.toHaveProperty('go_back_key');
  });

  it('maps the routing engine’s trail ids and the API’s reasons to nodes', () => {
    expect(pathOfTrailId(flow(), 'm')).toBe('');
    expect(pathOfTrailId(flow(), 'm.2.1')).toBe('ivrs[1].ivrData[0]');
    expect(pathOfTrailId(flow(), 'm.2:open')).toBe('ivrs[1]');
    expect(pathOfTrailId(flow(), 'ring:8015550120')).toBeUndefined();
    expect(pathOfTrailId(flow(), 'm.7')).toBeUndefined();
    expect(pathOfReason('ivrs[1].ivrData[0]: key 12 is not a digit 0-9')).toEqual({
      path: 'ivrs[1].ivrData[0]',
      isMenu: false,
    });
    expect(pathOfReason('ivrs[1].ivrData: key 1 is used by more than one option')).toEqual({
      path: 'ivrs[1]',
      isMenu: true,
    });
    expect(pathOfReason('ivrs: key 1 is used by more than one option')).toEqual({ path: '', isMenu: true });
    expect(pathOfReason('campaign_id 9 is not a campaign you can access')).toEqual({
      path: '',
      isMenu: false,
    });
    const geo = updateOption(flow(), 'ivrs[1].ivrData[0]', (o) => ({
      ...o,
      action: 'geo',
      geoData: { route_by: 'Claimed State', location_id: 77 },
    }));
    expect(pathOfReference(geo, 'location_id 77 is not a location you can access')).toBe(
      'ivrs[1].ivrData[0]',
    );
    const audio = updateOption(flow(), 'ivrs[0]', (o) => ({ ...o, message: 'file://ab12' }));
    expect(pathOfReference(audio, 'file://ab12 is not an audio file of group_id 2 or a group below it')).toBe(
      'ivrs[0]',
    );
    expect(pathOfReference(flow(), 'channel_id 9 does not exist')).toBeUndefined();
  });
});

describe('multilevelIvrIssues, the rules the builder shows as you type', () => {
  it('finds nothing in a flow the API accepts', () => {
    expect(multilevelIvrReason(flow() as MultilevelIvrFlow)).toBeUndefined();
    expect(multilevelIvrIssues(flow() as MultilevelIvrFlow)).toEqual([]);
  });

  it('reports every broken option at once, the first one in the API’s own words', () => {
    let broken = updateOption(flow(), 'ivrs[0]', (o) => ({ ...o, target_did: 12345 }));
    broken = updateOption(broken, 'ivrs[1].ivrData[0]', (o) => ({ ...o, whisper_enabled: true }));
    broken = addOption(broken, '').document;
    broken = updateOption(broken, 'ivrs[2]', (o) => ({ ...o, key: 1, target_did: 8015550130 }));
    const issues = multilevelIvrIssues(broken as MultilevelIvrFlow);
    expect(issues).toEqual([
      { at: 'ivrs', reason: 'ivrs: key 1 is used by more than one option' },
      { at: 'ivrs[0]', reason: 'ivrs[0]: target_did 12345 is not a valid 10-digit phone number' },
      {
        at: 'ivrs[1].ivrData[0]',
        reason: 'ivrs[1].ivrData[0]: whisper_message is required when whisper_enabled is true',
      },
    ]);
    expect(issues[0]?.reason).toBe(multilevelIvrReason(broken as MultilevelIvrFlow));
  });

  it('reports the flow’s own problems at the flow', () => {
    const { number: _number, ...withoutNumber } = flow();
    expect(multilevelIvrIssues(withoutNumber as MultilevelIvrFlow)).toEqual([
      { at: '', reason: 'Provide exactly one of number or number_pool' },
    ]);
  });
});

describe('formatPlace', () => {
  it('names a caller’s place as people say it, never a bare region code', () => {
    expect(formatPlace(null, 'CA')).toBe('California');
    expect(formatPlace('Fresno', 'ca')).toBe('Fresno, CA');
    expect(formatPlace('Fresno', null)).toBe('Fresno');
    expect(formatPlace(null, 'ON')).toBe('ON');
    expect(formatPlace('', '')).toBeUndefined();
  });
});

describe('a single-level IVR edited as a one-level menu', () => {
  const single = () => ({
    call_flow_name: 'One level',
    routable_type: 'ivr',
    message: 'Press 1 or 2.',
    ivrs: [
      {
        Key: 1,
        name: 'Sales',
        message_enabled: true,
        message: 'Sales.',
        route_type: 'Simple',
        target_did: '8015550160',
      },
      { key: 2, name: 'Bye', route_type: 'Simple', target_did: 'hangup' },
    ],
  });

  it('shows the items as the API reads them: options with actions, names as destinations', () => {
    expect(menuViewOf(single()).ivrs).toEqual([
      { key: 1, action: 'simple', destination: 'Sales', message: 'Sales.', target_did: '8015550160' },
      { key: 2, action: 'hangup', destination: 'Bye' },
    ]);
  });

  it('saves untouched items as they came, moved ones too, and an edit in the item’s own spelling', () => {
    const document = single();
    const view = menuViewOf(document);
    expect(JSON.stringify(fromMenuView(view, document))).toBe(JSON.stringify(document));
    const moved = moveOption(view, 'ivrs[1]', -1).document;
    expect(fromMenuView(moved, document).ivrs).toEqual([document.ivrs[1], document.ivrs[0]]);
    const renamed = updateOption(view, 'ivrs[0]', (o) => ({
      ...o,
      destination: 'New sales',
      action: 'voicemail',
    }));
    expect(JSON.stringify(fromMenuView(renamed, document).ivrs)).toBe(
      JSON.stringify([
        {
          Key: 1,
          name: 'New sales',
          message_enabled: true,
          message: 'Sales.',
          route_type: 'Voicemail',
          target_did: '8015550160',
        },
        document.ivrs[1],
      ]),
    );
    const added = addOption(view, '').document;
    expect((fromMenuView(added, document).ivrs as unknown[]).at(-1)).toEqual({
      key: 3,
      route_type: 'Simple',
    });
  });
});

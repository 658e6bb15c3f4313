// What a call Kong refuses leaves out of the replayed state, and how to keep it: a refusal is never
// only a status code. For a 409, the fields this call sets that the entity already holding the
// name lacks; for other refusals, the entity the call would have written.
import type { Body } from './request.js';
import { CREDENTIAL_ENDPOINTS, KINDS, type Kind } from './schema.js';
import type { Outcome, Row } from './simulator.js';

export interface Loss {
  /** Appended to the refusal's message. */
  message: string;
  hint: string;
}

const SHOWN_CHARS = 160;

/** `null` for calls that write nothing (GET, DELETE: a refused DELETE leaves the entity in place). */
export function describeLoss(method: string, path: string, body: Body, out: Outcome): Loss | null {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return null;
  if (out.conflict) return conflictLoss(body, out.conflict.existing, out.conflict.fields, out.hint);
  const one = kindOfPath(path);
  const given = summary(body);
  const what = method === 'PATCH' ? `this call's changes to the ${one}` : `the ${one} this call would write`;
  return {
    message: `; not in the output: ${what}${given ? ` (${given})` : ''}`,
    hint: out.hint ?? "to keep it, correct the call where Kong's message says and replay the log again",
  };
}

function conflictLoss(body: Body, existing: Row, fields: Record<string, unknown>, hint: string | undefined): Loss {
  const def = KINDS[existing.kind];
  const keyValue = def.key ? existing.fields[def.key] : undefined;
  const kept = `${def.one}${typeof keyValue === 'string' ? ` '${keyValue}'` : ''} from line ${existing.at.line}`;
  const lost = differences(givenFields(body), fields, existing.fields);
  if (lost.length === 0) return { message: `; nothing is lost: the ${kept} already has what this call sets`, hint: hint ?? 'remove the call, which only repeats an earlier one' };
  return {
    message: `; not in the output: this call's ${lost.join('; ')} (the ${kept} is kept without ${lost.length === 1 ? 'it' : 'them'})`,
    hint: hint ?? `to keep ${lost.length === 1 ? 'it' : 'them'}, add ${lost.length === 1 ? 'it' : 'them'} to the call at line ${existing.at.line}, or give this ${def.one} another ${def.key ?? 'key'} to keep both`,
  };
}

/** Fields this call sets whose values the existing entity does not have: list items it lacks, other values that differ. */
function differences(given: Set<string>, wouldBe: Record<string, unknown>, existing: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(wouldBe)) {
    if (!given.has(key)) continue;
    const mine = wouldBe[key];
    const theirs = existing[key];
    if (Array.isArray(mine)) {
      const have = new Set((Array.isArray(theirs) ? theirs : []).map((v) => JSON.stringify(v)));
      const extra = mine.filter((v) => !have.has(JSON.stringify(v)));
      if (extra.length) out.push(`${key} ${extra.map(show).join(', ')}`);
    } else if (JSON.stringify(mine) !== JSON.stringify(theirs)) out.push(`${key} ${show(mine)}`);
  }
  return out;
}

/** Field names a body sets: form keys up to `[` or `.` (`paths[]`, `service.id`), JSON keys. */
function givenFields(body: Body): Set<string> {
  if (body.kind === 'form') return new Set(body.pairs.map(([k]) => k.split(/[[.]/)[0]!));
  if (body.kind === 'object') return new Set(Object.keys(body.value));
  if (body.kind === 'json') {
    try {
      const v = JSON.parse(body.text) as unknown;
      return new Set(v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
    } catch {
      return new Set();
    }
  }
  return new Set();
}

function summary(body: Body): string {
  const text =
    body.kind === 'form' ? body.pairs.map(([k, v]) => `${k}=${v}`).join(', ') : body.kind === 'json' ? body.text.trim() : body.kind === 'object' ? JSON.stringify(body.value) : '';
  return text.length > SHOWN_CHARS ? text.slice(0, SHOWN_CHARS - 1) + '…' : text;
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The entity kind a collection or entity URL names (`/services/x/routes` → route). */
function kindOfPath(path: string): string {
  const segs = path.split('/').filter(Boolean);
  const seg = segs[segs.length % 2 === 1 ? segs.length - 1 : segs.length - 2] ?? '';
  const kind: Kind | undefined = Object.hasOwn(KINDS, seg) ? (seg as Kind) : CREDENTIAL_ENDPOINTS[seg];
  return kind ? KINDS[kind].one : 'entity';
}
